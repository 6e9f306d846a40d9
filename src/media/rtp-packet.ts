import { RtpParseError } from './errors.ts';

/** RFC 3550 §5.3.1 header extension: a profile-defined 16-bit id and 32-bit-word data. */
export interface RtpHeaderExtension {
  profile: number;
  data: Buffer;
}

/** An RFC 3550 §5.1 RTP packet (version 2). */
export interface RtpPacket {
  marker: boolean;
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  csrcs: number[];
  extension?: RtpHeaderExtension;
  payload: Buffer;
  /** Padding octets after the payload, the last of which holds their count; 0 when P is clear. */
  padding: number;
}

/** What {@link serializeRtp} needs; absent fields default to no CSRC, no extension, no padding. */
export type RtpPacketInit = Omit<RtpPacket, 'csrcs' | 'padding' | 'payload'> & {
  csrcs?: number[];
  padding?: number;
  payload: Uint8Array;
};

/** RFC 3550 §5.1 fixed header length. */
export const RTP_HEADER_LENGTH = 12;

/**
 * Parses an RTP packet with RFC 3550 §A.1 validity checks (version 2, lengths of CSRC list,
 * extension and padding within the packet). Throws {@link RtpParseError}. The payload is a view of
 * `buf`, not a copy.
 */
export function parseRtp(buf: Buffer): RtpPacket {
  if (buf.length < RTP_HEADER_LENGTH) throw new RtpParseError(`RTP packet too short (${buf.length} bytes)`);
  const b0 = buf[0] ?? 0;
  const b1 = buf[1] ?? 0;
  if (b0 >> 6 !== 2) throw new RtpParseError(`RTP version ${b0 >> 6} is not 2`);
  const cc = b0 & 0x0f;
  let offset = RTP_HEADER_LENGTH + cc * 4;
  if (buf.length < offset) throw new RtpParseError('RTP CSRC list overruns the packet');
  const csrcs: number[] = [];
  for (let i = 0; i < cc; i++) csrcs.push(buf.readUInt32BE(RTP_HEADER_LENGTH + i * 4));
  let extension: RtpHeaderExtension | undefined;
  if ((b0 & 0x10) !== 0) {
    if (buf.length < offset + 4) throw new RtpParseError('RTP header extension overruns the packet');
    const profile = buf.readUInt16BE(offset);
    const words = buf.readUInt16BE(offset + 2);
    const end = offset + 4 + words * 4;
    if (buf.length < end) throw new RtpParseError('RTP header extension overruns the packet');
    extension = { profile, data: buf.subarray(offset + 4, end) };
    offset = end;
  }
  let padding = 0;
  if ((b0 & 0x20) !== 0) {
    padding = buf[buf.length - 1] ?? 0;
    if (padding === 0 || offset + padding > buf.length) throw new RtpParseError('RTP padding count is invalid');
  }
  const packet: RtpPacket = {
    marker: (b1 & 0x80) !== 0,
    payloadType: b1 & 0x7f,
    sequenceNumber: buf.readUInt16BE(2),
    timestamp: buf.readUInt32BE(4),
    ssrc: buf.readUInt32BE(8),
    csrcs,
    payload: buf.subarray(offset, buf.length - padding),
    padding,
  };
  if (extension !== undefined) packet.extension = extension;
  return packet;
}

/** Serializes an RTP packet (RFC 3550 §5.1); validates field ranges. */
export function serializeRtp(p: RtpPacketInit): Buffer {
  const csrcs = p.csrcs ?? [];
  const padding = p.padding ?? 0;
  if (csrcs.length > 15) throw new RtpParseError('at most 15 CSRCs');
  if (!Number.isInteger(p.payloadType) || p.payloadType < 0 || p.payloadType > 127) {
    throw new RtpParseError(`payload type ${p.payloadType} out of range`);
  }
  if (padding < 0 || padding > 255) throw new RtpParseError('padding must be 0-255 octets');
  const ext = p.extension;
  if (ext !== undefined && ext.data.length % 4 !== 0) throw new RtpParseError('extension data must be whole 32-bit words');
  const extLength = ext === undefined ? 0 : 4 + ext.data.length;
  const headerLength = RTP_HEADER_LENGTH + csrcs.length * 4 + extLength;
  const out = Buffer.alloc(headerLength + p.payload.length + padding);
  out[0] = 0x80 | (padding > 0 ? 0x20 : 0) | (ext !== undefined ? 0x10 : 0) | csrcs.length;
  out[1] = (p.marker ? 0x80 : 0) | p.payloadType;
  out.writeUInt16BE(p.sequenceNumber & 0xffff, 2);
  out.writeUInt32BE(p.timestamp >>> 0, 4);
  out.writeUInt32BE(p.ssrc >>> 0, 8);
  csrcs.forEach((c, i) => out.writeUInt32BE(c >>> 0, RTP_HEADER_LENGTH + i * 4));
  let offset = RTP_HEADER_LENGTH + csrcs.length * 4;
  if (ext !== undefined) {
    out.writeUInt16BE(ext.profile & 0xffff, offset);
    out.writeUInt16BE(ext.data.length / 4, offset + 2);
    ext.data.copy(out, offset + 4);
    offset += extLength;
  }
  out.set(p.payload, offset);
  if (padding > 0) out[out.length - 1] = padding;
  return out;
}

/**
 * RFC 5761 §4: with rtcp-mux, a packet whose second octet is 192-223 (RTCP packet types such as
 * SR 200 ... APP 204) is RTCP, not RTP.
 */
export function isRtcp(buf: Uint8Array): boolean {
  const b1 = buf[1] ?? 0;
  return buf.length >= 8 && (buf[0] ?? 0) >> 6 === 2 && b1 >= 192 && b1 <= 223;
}

/** Cheap check for the relay path: long enough for a header and version 2. */
export function looksLikeRtp(buf: Uint8Array): boolean {
  return buf.length >= RTP_HEADER_LENGTH && (buf[0] ?? 0) >> 6 === 2;
}
