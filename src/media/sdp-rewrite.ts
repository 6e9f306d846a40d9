import { SdpNegotiationError } from './errors.ts';
import { ipVersionOf, isUnspecifiedAddress } from './address.ts';
import { isPlainAudio, parseSdp, writeSdp } from './sdp-model.ts';
import type { SdpOrigin } from './sdp-origin.ts';

/** Where an anchored leg receives media, and the leg's own `o=` line. */
export interface RewriteTarget {
  address: string;
  port: number;
  /** Our RTCP port; written as RFC 3605 `a=rtcp` when it is not `port + 1`. */
  rtcpPort?: number;
  /** The leg's origin: replaces `o=`, bumping its version when the body changed (RFC 3264 §8). */
  origin?: SdpOrigin;
}

/**
 * Anchors media: points the first RTP/AVP audio stream at our endpoint (`c=` and `m=` port, and
 * `a=rtcp`) and keeps every other line. The RFC 2543 hold form `c=0.0.0.0` is kept as it is so the
 * far leg still sees the hold; `a=rtcp-mux` is dropped (we relay RTCP on its own port). Other
 * active m-lines (video, T.38...) are not relayed by this engine, so they are disabled with port 0
 * rather than left pointing at an address that would drop them.
 * Throws {@link SdpNegotiationError} when there is no audio stream to anchor.
 */
export function rewriteSdp(sdp: string, target: RewriteTarget): string {
  const desc = parseSdp(sdp);
  const index = desc.media.findIndex((m) => isPlainAudio(m) && m.port !== 0);
  const audio = desc.media[index];
  if (audio === undefined) throw new SdpNegotiationError('no_audio', 'no RTP/AVP audio stream to anchor');
  const current = audio.connection?.ip ?? desc.connection?.ip;
  const legacyHold = current !== undefined && isUnspecifiedAddress(current);
  const connection = { version: ipVersionOf(target.address), ip: target.address };
  if (!legacyHold) {
    if (desc.connection !== undefined || audio.connection === undefined) desc.connection = { ...connection };
    if (audio.connection !== undefined) audio.connection = { ...connection };
  }
  audio.port = target.port;
  // Our endpoints keep a separate RTCP socket, so RFC 5761 rtcp-mux is not passed on.
  delete audio.rtcpMux;
  const rtcpPort = target.rtcpPort ?? target.port + 1;
  if (audio.rtcp !== undefined) {
    audio.rtcp.port = rtcpPort;
    if (audio.rtcp.address !== undefined && !legacyHold) {
      audio.rtcp.address = target.address;
      audio.rtcp.ipVer = connection.version;
      audio.rtcp.netType = 'IN';
    }
  } else if (rtcpPort !== target.port + 1) {
    audio.rtcp = { port: rtcpPort };
  }
  desc.media.forEach((m, i) => {
    if (i !== index && m.port !== 0) m.port = 0;
  });
  return target.origin === undefined ? writeSdp(desc) : target.origin.write(desc);
}
