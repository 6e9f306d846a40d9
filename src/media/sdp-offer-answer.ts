import type { MediaDescription, SessionDescription } from 'sdp-transform';
import { SdpNegotiationError } from './errors.ts';
import { G711_CODECS, isG711Codec } from './g711.ts';
import type { G711Codec } from './g711.ts';
import { ipVersionOf } from './address.ts';
import { SdpOrigin } from './sdp-origin.ts';
import {
  describeStream,
  intersectDirections,
  isPlainAudio,
  parseSdp,
  readAudioStream,
  reverseDirection,
} from './sdp-model.ts';
import type { AudioStream, MediaDirection, RtpMap } from './sdp-model.ts';
import { SUPPORTED_EVENTS, formatEventList, parseEventList } from './telephone-event.ts';

/** What we put in our side of an offer or answer. */
export interface LocalMedia {
  address: string;
  port: number;
  /** Written as RFC 3605 `a=rtcp` only when it is not `port + 1`. */
  rtcpPort?: number;
  /** Codecs in preference order; default PCMU then PCMA. */
  codecs?: readonly G711Codec[];
  /** Payload type for telephone-event (RFC 4733); default 101, null to offer none. */
  dtmfPayloadType?: number | null;
  /** Default sendrecv; sendonly/inactive to put the peer on hold (RFC 3264 §8.4). */
  direction?: MediaDirection;
  /** Default 20. */
  ptime?: number;
}

/** How the engine must send to a leg: the codec, its payload type, and the telephone-event type. */
export interface MediaFormat {
  codec: G711Codec;
  payloadType: number;
  telephoneEventPayloadType?: number;
}

/** Where the peer wants media: what a MediaEndpoint's `setRemote` takes. */
export interface RemoteMedia {
  address: string;
  port: number;
  rtcpAddress: string;
  rtcpPort: number;
  rtcpMux: boolean;
  /** The peer's own direction (its `effectiveDirection`), which tells the endpoint whether it may go silent. */
  direction?: MediaDirection;
}

/** The outcome of an offer/answer exchange for the audio stream. */
export interface NegotiatedMedia {
  format: MediaFormat;
  remote: RemoteMedia;
  /** Our direction toward the peer: may we send, may we receive. */
  direction: MediaDirection;
  /** The peer put us on hold (RFC 3264 §8.4, either form). */
  remoteHold: boolean;
  /** The peer's audio stream as read from its SDP. */
  stream: AudioStream;
}

/** The answer SDP and what it agreed. */
export interface SdpAnswer extends NegotiatedMedia {
  sdp: string;
}

const DEFAULT_CODECS: readonly G711Codec[] = ['PCMU', 'PCMA'];
const DEFAULT_DTMF_PT = 101;

function newSession(address: string): SessionDescription {
  return {
    version: 0,
    origin: { username: '-', sessionId: 0, sessionVersion: 0, netType: 'IN', ipVer: 4, address },
    name: 'Switchboard',
    timing: { start: 0, stop: 0 },
    connection: { version: ipVersionOf(address), ip: address },
    media: [],
  };
}

function audioLine(local: LocalMedia, formats: RtpMap[], direction: MediaDirection): MediaDescription {
  const m: MediaDescription = {
    type: 'audio',
    port: local.port,
    protocol: 'RTP/AVP',
    payloads: formats.map((f) => f.payloadType).join(' '),
    rtp: formats.map((f) => ({ payload: f.payloadType, codec: f.encoding, rate: f.clockRate })),
    fmtp: formats.flatMap((f) => (f.fmtp === undefined ? [] : [{ payload: f.payloadType, config: f.fmtp }])),
    ptime: local.ptime ?? 20,
    direction,
  };
  if (local.rtcpPort !== undefined && local.rtcpPort !== local.port + 1) m.rtcp = { port: local.rtcpPort };
  return m;
}

function telephoneEvent(pt: number, events: string): RtpMap {
  return { payloadType: pt, encoding: 'telephone-event', clockRate: 8000, fmtp: events };
}

/** RFC 3264 §5: an audio offer with our codecs in preference order and telephone-event 0-16. */
export function createOffer(local: LocalMedia, origin?: SdpOrigin): string {
  const formats: RtpMap[] = (local.codecs ?? DEFAULT_CODECS).map((c) => ({
    payloadType: G711_CODECS[c],
    encoding: c,
    clockRate: 8000,
  }));
  const dtmf = local.dtmfPayloadType === undefined ? DEFAULT_DTMF_PT : local.dtmfPayloadType;
  if (dtmf !== null) formats.push(telephoneEvent(dtmf, SUPPORTED_EVENTS));
  const desc = newSession(local.address);
  desc.media.push(audioLine(local, formats, local.direction ?? 'sendrecv'));
  return (origin ?? new SdpOrigin({ address: local.address })).write(desc);
}

/**
 * The format a leg uses while our offer waits for its answer (RFC 3264 §5: an offer in a 2xx is
 * answered in the ACK): the first codec offered, under its static payload type, and the offered
 * telephone-event type. {@link readAnswer} gives the agreed one.
 */
export function offeredFormat(local: LocalMedia): MediaFormat {
  const codec = (local.codecs ?? DEFAULT_CODECS)[0] ?? 'PCMU';
  const format: MediaFormat = { codec, payloadType: G711_CODECS[codec] };
  const dtmf = local.dtmfPayloadType === undefined ? DEFAULT_DTMF_PT : local.dtmfPayloadType;
  if (dtmf !== null) format.telephoneEventPayloadType = dtmf;
  return format;
}

/** The first format of `formats` (offer order) that is a G.711 codec listed in `allowed`. */
function pickCodec(formats: RtpMap[], allowed: readonly G711Codec[]): { codec: G711Codec; map: RtpMap } | undefined {
  for (const map of formats) {
    const name = map.encoding.toUpperCase();
    if (map.clockRate === 8000 && (map.channels ?? 1) === 1 && isG711Codec(name) && allowed.includes(name)) {
      return { codec: name, map };
    }
  }
  return undefined;
}

function findTelephoneEvent(formats: RtpMap[]): RtpMap | undefined {
  return formats.find((f) => f.encoding.toLowerCase() === 'telephone-event' && f.clockRate === 8000);
}

/**
 * Where to send to the peer. We never offer or accept RFC 5761 rtcp-mux (our endpoints have an RTCP
 * socket), so RTCP goes to `a=rtcp` or the next port even if the peer offered mux.
 */
function remoteOf(stream: AudioStream): RemoteMedia {
  const rtcpPort = stream.rtcpMux && stream.rtcpPort === stream.port ? stream.port + 1 : stream.rtcpPort;
  return { address: stream.address, port: stream.port, rtcpAddress: stream.rtcpAddress, rtcpPort, rtcpMux: false, direction: stream.effectiveDirection };
}

/**
 * RFC 3264 §6: answers the first plain-RTP audio stream with the first codec of the offer (in offer
 * order) that we support, keeps telephone-event when offered (same payload type, common events),
 * answers the reverse direction (sendonly→recvonly, inactive→inactive), and rejects every other
 * m-line with port 0. Throws {@link SdpNegotiationError} when nothing is acceptable (SIP 488).
 */
export function createAnswer(remoteOffer: string, local: LocalMedia, origin?: SdpOrigin): SdpAnswer {
  const offer = parseSdp(remoteOffer);
  const allowed = local.codecs ?? DEFAULT_CODECS;
  let chosen: { index: number; stream: AudioStream; codec: G711Codec; map: RtpMap; dtmf: RtpMap | undefined } | undefined;
  let sawAudio = false;
  offer.media.forEach((m, index) => {
    if (chosen !== undefined || !isPlainAudio(m) || m.port === 0) return;
    sawAudio = true;
    const stream = describeStream(offer, m, index);
    const picked = pickCodec(stream.formats, allowed);
    if (picked === undefined) return;
    let dtmf: RtpMap | undefined;
    const offeredTe = local.dtmfPayloadType === null ? undefined : findTelephoneEvent(stream.formats);
    if (offeredTe !== undefined) {
      const ours = parseEventList(SUPPORTED_EVENTS);
      const common = [...parseEventList(offeredTe.fmtp)].filter((e) => ours.has(e));
      if (common.length > 0) dtmf = telephoneEvent(offeredTe.payloadType, formatEventList(common));
    }
    chosen = { index, stream, codec: picked.codec, map: { ...picked.map, encoding: picked.codec }, dtmf };
  });
  if (chosen === undefined) {
    throw sawAudio
      ? new SdpNegotiationError('no_common_codec', 'no codec in common with the offer')
      : new SdpNegotiationError('no_audio', 'the offer has no RTP/AVP audio stream');
  }
  const { index, stream, codec, map, dtmf } = chosen;
  const direction = intersectDirections(reverseDirection(stream.effectiveDirection), local.direction ?? 'sendrecv');
  const desc = newSession(local.address);
  desc.media = offer.media.map((m, i): MediaDescription => {
    if (i === index) return audioLine(local, dtmf === undefined ? [map] : [map, dtmf], direction);
    // RFC 3264 §6: "a stream is rejected by setting the port to zero", same media type and formats.
    return { type: m.type, port: 0, protocol: m.protocol, payloads: m.payloads ?? '0', rtp: [], fmtp: [] };
  });
  const sdp = (origin ?? new SdpOrigin({ address: local.address })).write(desc);
  const format: MediaFormat = { codec, payloadType: map.payloadType };
  if (dtmf !== undefined) format.telephoneEventPayloadType = dtmf.payloadType;
  return { sdp, format, remote: remoteOf(stream), direction, remoteHold: stream.hold, stream };
}

/**
 * Reads the peer's answer to an offer of ours (RFC 3264 §7): the first answered G.711 codec, its
 * telephone-event type, where to send, and our resulting direction. Throws
 * {@link SdpNegotiationError} when the audio stream was rejected or carries no codec we offered.
 */
export function readAnswer(answer: string, local: LocalMedia): NegotiatedMedia {
  const stream = readAudioStream(answer);
  if (stream === undefined) throw new SdpNegotiationError('no_audio', 'the answer rejected the audio stream');
  const picked = pickCodec(stream.formats, local.codecs ?? DEFAULT_CODECS);
  if (picked === undefined) throw new SdpNegotiationError('no_common_codec', 'the answer has no codec we offered');
  const format: MediaFormat = { codec: picked.codec, payloadType: picked.map.payloadType };
  const te = local.dtmfPayloadType === null ? undefined : findTelephoneEvent(stream.formats);
  if (te !== undefined) format.telephoneEventPayloadType = te.payloadType;
  const direction = intersectDirections(reverseDirection(stream.effectiveDirection), local.direction ?? 'sendrecv');
  return { format, remote: remoteOf(stream), direction, remoteHold: stream.hold, stream };
}
