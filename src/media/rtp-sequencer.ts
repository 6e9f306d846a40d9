import { randomInt } from 'node:crypto';
import type { Clock } from '../lib/index.ts';
import { RTP_HEADER_LENGTH } from './rtp-packet.ts';
import { G711_RATE } from './g711.ts';

/** Options of an {@link RtpSequencer}; random SSRC, sequence and timestamp by default. */
export interface RtpSequencerOptions {
  ssrc?: number;
  sequenceNumber?: number;
  timestamp?: number;
  clockRate?: number;
}

/**
 * The SSRC, sequence number and timestamp of the stream we generate toward one leg, shared by every
 * source that plays into it (tone, prompt, music, DTMF) so the far end sees one continuous stream.
 * RFC 3550 §5.1: initial sequence number and timestamp "SHOULD be random"; the timestamp
 * "increments monotonically and linearly in time", so a new source resumes at the wall-clock time
 * elapsed since the last packet, with the marker bit set.
 */
export class RtpSequencer {
  readonly ssrc: number;
  readonly clockRate: number;
  readonly #clock: Clock;
  #seq: number;
  #next: number;
  #lastTimestamp: number | undefined;
  #lastAt = 0;
  #mark = true;

  constructor(clock: Clock, options: RtpSequencerOptions = {}) {
    this.#clock = clock;
    this.ssrc = (options.ssrc ?? randomInt(0, 2 ** 32 - 1)) >>> 0;
    this.#seq = (options.sequenceNumber ?? randomInt(0, 0x10000)) & 0xffff;
    this.#next = (options.timestamp ?? randomInt(0, 2 ** 32 - 1)) >>> 0;
    this.clockRate = options.clockRate ?? G711_RATE;
  }

  /** The sequence number the next packet will carry. */
  get sequenceNumber(): number {
    return this.#seq;
  }

  /** The timestamp the next media frame will carry. */
  get timestamp(): number {
    return this.#next;
  }

  /** Starts a new source: the timestamp jumps to "now" if time passed, and the next packet is marked. */
  resync(): void {
    if (this.#lastTimestamp !== undefined) {
      const elapsed = Math.round(((this.#clock.now() - this.#lastAt) * this.clockRate) / 1000);
      const nominal = (this.#next - this.#lastTimestamp) >>> 0;
      if (elapsed > nominal) this.#next = (this.#lastTimestamp + elapsed) >>> 0;
    }
    this.#mark = true;
  }

  /** Claims the timestamp of a frame of `samples` and moves the media clock past it. */
  claim(samples: number): number {
    const ts = this.#next;
    this.#lastTimestamp = ts;
    this.#lastAt = this.#clock.now();
    this.#next = (ts + samples) >>> 0;
    return ts;
  }

  /** True once after {@link resync} (and at the start): the marker bit for the next packet. */
  takeMarker(): boolean {
    const m = this.#mark;
    this.#mark = false;
    return m;
  }

  /**
   * A new packet buffer with the fixed header written (next sequence number, this SSRC) and
   * `payloadLength` zero bytes of payload at offset 12 for the caller to fill.
   */
  packet(payloadType: number, timestamp: number, marker: boolean, payloadLength: number): Buffer {
    const out = Buffer.allocUnsafe(RTP_HEADER_LENGTH + payloadLength);
    out[0] = 0x80;
    out[1] = (marker ? 0x80 : 0) | (payloadType & 0x7f);
    out.writeUInt16BE(this.#seq, 2);
    out.writeUInt32BE(timestamp >>> 0, 4);
    out.writeUInt32BE(this.ssrc, 8);
    out.fill(0, RTP_HEADER_LENGTH);
    this.#seq = (this.#seq + 1) & 0xffff;
    return out;
  }
}
