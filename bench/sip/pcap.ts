// Writes the RTP pcaps the benchmark's SIPp scenarios replay (play_pcap_audio): PCMA (payload
// type 8), one 160-byte packet every 20 ms, the ptime most phones use. SIPp rewrites the
// addresses and ports (it sends from the advertised media port to the peer's SDP address), so only
// the payloads and the capture timestamps matter here.
import { writeFileSync } from 'node:fs';

/** RTP packets per second at a 20 ms ptime. */
export const PACKETS_PER_SECOND = 50;
const SAMPLES_PER_PACKET = 160;
/** A-law silence (0xD5 is the A-law code of zero). */
const PCMA_SILENCE = 0xd5;

/** Writes `packets` RTP packets 20 ms apart to `path` (libpcap format, Ethernet link type). */
export function writeRtpPcap(path: string, packets: number, ssrc = 0x5b0a7d01): void {
  const payloadBytes = 12 + SAMPLES_PER_PACKET;
  const frameBytes = 14 + 20 + 8 + payloadBytes;
  const out = Buffer.alloc(24 + packets * (16 + frameBytes));
  // Global header: magic, version 2.4, zone 0, sigfigs 0, snaplen, link type 1 (Ethernet).
  out.writeUInt32LE(0xa1b2c3d4, 0);
  out.writeUInt16LE(2, 4);
  out.writeUInt16LE(4, 6);
  out.writeUInt32LE(65535, 16);
  out.writeUInt32LE(1, 20);
  let at = 24;
  for (let i = 0; i < packets; i++) {
    const usec = i * 20_000;
    out.writeUInt32LE(1_700_000_000 + Math.floor(usec / 1e6), at);
    out.writeUInt32LE(usec % 1e6, at + 4);
    out.writeUInt32LE(frameBytes, at + 8);
    out.writeUInt32LE(frameBytes, at + 12);
    at += 16;
    // Ethernet: zero MACs, IPv4.
    out.writeUInt16BE(0x0800, at + 12);
    const ip = at + 14;
    out[ip] = 0x45;
    out.writeUInt16BE(20 + 8 + payloadBytes, ip + 2);
    out[ip + 8] = 64;
    out[ip + 9] = 17;
    out.writeUInt32BE(0x7f000001, ip + 12);
    out.writeUInt32BE(0x7f000001, ip + 16);
    const udp = ip + 20;
    out.writeUInt16BE(40000, udp);
    out.writeUInt16BE(40002, udp + 2);
    out.writeUInt16BE(8 + payloadBytes, udp + 4);
    // RFC 3550 §5.1 fixed header: V=2, marker on the first packet, PT 8.
    const rtp = udp + 8;
    out[rtp] = 0x80;
    out[rtp + 1] = (i === 0 ? 0x80 : 0) | 8;
    out.writeUInt16BE(i & 0xffff, rtp + 2);
    out.writeUInt32BE((i * SAMPLES_PER_PACKET) >>> 0, rtp + 4);
    out.writeUInt32BE(ssrc, rtp + 8);
    out.fill(PCMA_SILENCE, rtp + 12, rtp + payloadBytes);
    at += frameBytes;
  }
  writeFileSync(path, out);
}
