import { parse, write } from 'sdp-transform';
import type { MediaDescription, SessionDescription } from 'sdp-transform';
import { SdpParseError } from './errors.ts';
import { isUnspecifiedAddress } from './address.ts';

export type { MediaDescription, SessionDescription } from 'sdp-transform';

/** RFC 3264 §5.1 stream directions. */
export const MEDIA_DIRECTIONS = ['sendrecv', 'sendonly', 'recvonly', 'inactive'] as const;
export type MediaDirection = (typeof MEDIA_DIRECTIONS)[number];

/** One payload format of an m-line: `a=rtpmap` (or an RFC 3551 static type) and its `a=fmtp`. */
export interface RtpMap {
  payloadType: number;
  encoding: string;
  clockRate: number;
  channels?: number;
  fmtp?: string;
}

/** The first usable audio stream of a session description, read as RFC 3264 sees it. */
export interface AudioStream {
  /** Index of the m-line in the description. */
  mediaIndex: number;
  /** Connection address (media-level `c=` over session-level). */
  address: string;
  port: number;
  protocol: string;
  /** RFC 3605 `a=rtcp`, else RFC 3550 §11: the next higher port; the RTP port under rtcp-mux. */
  rtcpPort: number;
  rtcpAddress: string;
  /** RFC 5761 `a=rtcp-mux`. */
  rtcpMux: boolean;
  /** Formats in m-line order (telephone-event included). */
  formats: RtpMap[];
  /** The declared direction attribute (media over session, default sendrecv). */
  direction: MediaDirection;
  /**
   * RFC 3264 §8.4 hold: the sender marked the stream sendonly or inactive, or used the RFC 2543
   * form `c=0.0.0.0`.
   */
  hold: boolean;
  /** `direction` with the legacy `c=0.0.0.0` form folded in (it means "do not send to me"). */
  effectiveDirection: MediaDirection;
  ptime?: number;
}

/** RFC 3551 §6 static payload types we may meet without an rtpmap. */
const STATIC_TYPES: Record<number, { encoding: string; clockRate: number }> = {
  0: { encoding: 'PCMU', clockRate: 8000 },
  3: { encoding: 'GSM', clockRate: 8000 },
  4: { encoding: 'G723', clockRate: 8000 },
  8: { encoding: 'PCMA', clockRate: 8000 },
  9: { encoding: 'G722', clockRate: 8000 },
  13: { encoding: 'CN', clockRate: 8000 },
  18: { encoding: 'G729', clockRate: 8000 },
};

/** Parses an SDP body (RFC 4566); throws {@link SdpParseError} when it lacks v=, o= or a valid m= line. */
export function parseSdp(text: string): SessionDescription {
  if (!/^v=0\s*$/m.test(text)) throw new SdpParseError('SDP has no v=0 line');
  let desc: SessionDescription;
  try {
    desc = parse(text);
  } catch (error) {
    throw new SdpParseError('SDP could not be parsed', { cause: error });
  }
  if (desc.origin === undefined) throw new SdpParseError('SDP has no o= line');
  if (!Array.isArray(desc.media)) desc.media = [];
  for (const m of desc.media) {
    if (typeof m.port !== 'number' || !Number.isInteger(m.port) || m.port < 0 || m.port > 65535) {
      throw new SdpParseError('SDP m= line has an invalid port');
    }
    m.rtp ??= [];
    m.fmtp ??= [];
  }
  return desc;
}

/** Serializes a session description with CRLF line ends. */
export function writeSdp(desc: SessionDescription): string {
  return write(desc);
}

/** The payload types of an m-line, in order. */
export function payloadTypesOf(m: MediaDescription): number[] {
  return String(m.payloads ?? '')
    .split(/\s+/)
    .filter((p) => /^\d+$/.test(p))
    .map(Number);
}

/** The formats of an m-line with their rtpmap and fmtp, in m-line order. */
export function formatsOf(m: MediaDescription): RtpMap[] {
  const out: RtpMap[] = [];
  for (const pt of payloadTypesOf(m)) {
    const map = m.rtp.find((r) => r.payload === pt);
    const fmtp = m.fmtp.find((f) => f.payload === pt)?.config;
    const known = STATIC_TYPES[pt];
    const base: RtpMap | undefined =
      map !== undefined
        ? { payloadType: pt, encoding: map.codec, clockRate: map.rate ?? 8000 }
        : known !== undefined
          ? { payloadType: pt, encoding: known.encoding, clockRate: known.clockRate }
          : undefined;
    if (base === undefined) continue;
    const channels = map?.encoding === undefined ? undefined : Number(map.encoding);
    if (channels !== undefined && Number.isFinite(channels)) base.channels = channels;
    if (fmtp !== undefined) base.fmtp = fmtp;
    out.push(base);
  }
  return out;
}

/** The direction of an m-line (RFC 3264 §5.1: media-level over session-level, default sendrecv). */
export function directionOf(desc: SessionDescription, m: MediaDescription): MediaDirection {
  return m.direction ?? desc.direction ?? 'sendrecv';
}

/** RFC 3264 §6.1: the direction an answerer uses toward a stream the offerer declared `offered`. */
export function reverseDirection(offered: MediaDirection): MediaDirection {
  if (offered === 'sendonly') return 'recvonly';
  if (offered === 'recvonly') return 'sendonly';
  return offered;
}

/** Both sides' wishes combined: we send only if both allow it, receive only if both allow it. */
export function intersectDirections(a: MediaDirection, b: MediaDirection): MediaDirection {
  const send = canSend(a) && canSend(b);
  const recv = canReceive(a) && canReceive(b);
  return send ? (recv ? 'sendrecv' : 'sendonly') : recv ? 'recvonly' : 'inactive';
}

/** True when a direction allows sending. */
export function canSend(d: MediaDirection): boolean {
  return d === 'sendrecv' || d === 'sendonly';
}

/** True when a direction allows receiving. */
export function canReceive(d: MediaDirection): boolean {
  return d === 'sendrecv' || d === 'recvonly';
}

/** True for an `m=audio` line carried over plain RTP/AVP (the only profile this engine speaks). */
export function isPlainAudio(m: MediaDescription): boolean {
  return m.type === 'audio' && m.protocol.toUpperCase() === 'RTP/AVP';
}

/** The first plain-RTP audio stream with a non-zero port, or undefined. */
export function readAudioStream(sdp: string | SessionDescription): AudioStream | undefined {
  const desc = typeof sdp === 'string' ? parseSdp(sdp) : sdp;
  const mediaIndex = desc.media.findIndex((m) => isPlainAudio(m) && m.port !== 0);
  const m = desc.media[mediaIndex];
  if (m === undefined) return undefined;
  return describeStream(desc, m, mediaIndex);
}

/** Reads one m-line as an {@link AudioStream}. */
export function describeStream(desc: SessionDescription, m: MediaDescription, mediaIndex: number): AudioStream {
  const address = m.connection?.ip ?? desc.connection?.ip;
  if (address === undefined) throw new SdpParseError('SDP has no c= line for its audio stream');
  const direction = directionOf(desc, m);
  const legacyHold = isUnspecifiedAddress(address);
  // RFC 2543 hold: the sender asks not to be sent to, as sendonly (or inactive) would today.
  const effectiveDirection = legacyHold ? intersectDirections(direction, 'sendonly') : direction;
  const rtcpMux = m.rtcpMux !== undefined;
  const stream: AudioStream = {
    mediaIndex,
    address,
    port: m.port,
    protocol: m.protocol,
    rtcpPort: m.rtcp?.port ?? (rtcpMux ? m.port : m.port + 1),
    rtcpAddress: m.rtcp?.address ?? address,
    rtcpMux,
    formats: formatsOf(m),
    direction,
    hold: legacyHold || direction === 'sendonly' || direction === 'inactive',
    effectiveDirection,
  };
  if (m.ptime !== undefined) stream.ptime = Number(m.ptime);
  return stream;
}
