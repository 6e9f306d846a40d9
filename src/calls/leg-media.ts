import type { LocalMedia, SdpOrigin } from '../media/index.ts';

/** The media side of a leg as offered or answered by us (kept for re-INVITEs). */
export interface LegMedia {
  readonly local: LocalMedia;
  readonly origin: SdpOrigin;
}
