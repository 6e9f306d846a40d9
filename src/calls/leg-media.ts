import type { LocalMedia, SdpOrigin } from '../media/index.ts';

/** The media side of a leg as offered or answered by us (kept for re-INVITEs). */
export interface LegMedia {
  readonly local: LocalMedia;
  readonly origin: SdpOrigin;
  /**
   * True while the leg's codec is not agreed yet: its INVITE had no offer and the answer to ours
   * (sent in the 2xx, RFC 3261 §13.2.1) has not come in the ACK. Its endpoint's format is then
   * only what we intend to offer, so nobody may take it as the leg's codec.
   */
  readonly awaitingAnswer?: boolean;
}
