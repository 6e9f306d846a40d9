import { TypedEmitter } from '../lib/index.ts';
import type { Clock, TimerHandle } from '../lib/index.ts';
import { parseRtp } from './rtp-packet.ts';
import type { RtpPacket } from './rtp-packet.ts';
import { digitOfEvent, readTelephoneEvent } from './telephone-event.ts';
import type { DtmfDigit } from './telephone-event.ts';

/** One key press, however it arrived. */
export interface DtmfEvent {
  digit: DtmfDigit;
  durationMs: number;
  source: 'rfc4733' | 'info';
}

/** Options of a {@link DtmfDetector}. */
export interface DtmfDetectorOptions {
  /** The negotiated telephone-event payload type. */
  payloadType: number;
  clockRate?: number;
  /** With a clock, a press whose end packets were all lost is reported after `endTimeoutMs`. */
  clock?: Clock;
  endTimeoutMs?: number;
}

interface Press {
  ssrc: number;
  timestamp: number;
  event: number;
  duration: number;
}

/** How many finished events are remembered to drop their retransmitted end packets. */
const REMEMBERED = 16;

/**
 * RFC 4733 telephone-event receiver: emits one `dtmf` per key press. All packets of an event carry
 * the event's start timestamp (§2.5.1.3), so presses are keyed by SSRC and timestamp: the three
 * end packets (§2.5.1.4) collapse into one event, two presses of the same key stay two events, an
 * end whose start was lost still counts, and a start whose end was lost is reported when the next
 * event begins (or after `endTimeoutMs` with a clock). Long events split into segments
 * (§2.5.1.3, over 8 s) are reported per segment.
 */
export class DtmfDetector extends TypedEmitter<{ dtmf: [DtmfEvent] }> {
  #payloadType: number;
  readonly #clockRate: number;
  readonly #clock: Clock | undefined;
  readonly #timeoutMs: number;
  readonly #ended: Array<{ ssrc: number; timestamp: number }> = [];
  #current: Press | undefined;
  #timer: TimerHandle | undefined;
  #closed = false;

  constructor(options: DtmfDetectorOptions) {
    super();
    this.#payloadType = options.payloadType;
    this.#clockRate = options.clockRate ?? 8000;
    this.#clock = options.clock;
    this.#timeoutMs = options.endTimeoutMs ?? 1000;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Changes the telephone-event payload type (after a re-INVITE). */
  setPayloadType(payloadType: number): void {
    this.#payloadType = payloadType;
  }

  /** Feeds one received RTP datagram; packets of other payload types are ignored cheaply. */
  push(buf: Buffer): void {
    if (this.#closed || buf.length < 16 || ((buf[1] ?? 0) & 0x7f) !== this.#payloadType) return;
    let packet: RtpPacket;
    try {
      packet = parseRtp(buf);
    } catch {
      return;
    }
    this.pushPacket(packet);
  }

  /** Feeds one parsed RTP packet. */
  pushPacket(packet: RtpPacket): void {
    if (this.#closed || packet.payloadType !== this.#payloadType) return;
    const te = readTelephoneEvent(packet.payload);
    if (te === undefined) return;
    const { ssrc, timestamp } = packet;
    if (this.#ended.some((e) => e.ssrc === ssrc && e.timestamp === timestamp)) return;
    const current = this.#current;
    if (current !== undefined && (current.ssrc !== ssrc || current.timestamp !== timestamp)) this.#flush();
    if (te.end) {
      this.#remember(ssrc, timestamp);
      this.#current = undefined;
      this.#stopTimer();
      this.#report(te.event, te.duration);
      return;
    }
    const press = this.#current;
    if (press === undefined) this.#current = { ssrc, timestamp, event: te.event, duration: te.duration };
    else press.duration = Math.max(press.duration, te.duration);
    this.#armTimer();
  }

  /** Reports a press still waiting for its end packet (call at end of stream). */
  flush(): void {
    this.#flush();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopTimer();
    this.#current = undefined;
    this.removeAllListeners();
  }

  #flush(): void {
    const press = this.#current;
    if (press === undefined) return;
    this.#current = undefined;
    this.#stopTimer();
    this.#remember(press.ssrc, press.timestamp);
    this.#report(press.event, press.duration);
  }

  #remember(ssrc: number, timestamp: number): void {
    this.#ended.push({ ssrc, timestamp });
    if (this.#ended.length > REMEMBERED) this.#ended.shift();
  }

  #report(event: number, duration: number): void {
    const digit = digitOfEvent(event);
    if (digit === undefined) return;
    this.emit('dtmf', { digit, durationMs: Math.round((duration * 1000) / this.#clockRate), source: 'rfc4733' });
  }

  #armTimer(): void {
    const clock = this.#clock;
    if (clock === undefined) return;
    this.#stopTimer();
    this.#timer = clock.setTimeout(() => {
      this.#timer = undefined;
      this.#flush();
    }, this.#timeoutMs);
  }

  #stopTimer(): void {
    if (this.#timer !== undefined) this.#clock?.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
