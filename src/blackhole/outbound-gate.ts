import type { Clock, TimerHandle } from '../lib/index.ts';

/** The part of a WebSocket the gate drives. */
export interface OutboundSink {
  /** Bytes queued by the socket and not yet handed to the network. */
  readonly bufferedAmount: number;
  /** Sends one text frame (a Buffer holds UTF-8 text). */
  send(data: string | Buffer): void;
  close(code: number, reason: string): void;
  terminate(): void;
}

/** The slow-consumer thresholds (docs/websockets.md). */
export interface GateLimits {
  /** Above this many buffered bytes, events are dropped. */
  readonly highWaterBytes: number;
  /** At or below this, delivery resumes. */
  readonly lowWaterBytes: number;
  /** A socket still dropping after this long is closed with 1013, ms. */
  readonly overflowGraceMs: number;
  /** Above this (replies to a client that sends and never reads), the socket is cut at once. */
  readonly hardLimitBytes: number;
}

/** RFC 6455 §7.4.1 close code 1013 (IANA registry): "Try Again Later". */
export const CLOSE_TRY_AGAIN_LATER = 1013;

/**
 * The bounded send queue of one socket and its slow-consumer policy: events are dropped while the
 * socket's buffer is above the high-water mark, with one `overflow` notice when dropping starts
 * and one when delivery resumes (saying how many were lost); a socket that has not drained below
 * the low-water mark within the grace period is closed with 1013. Replies are never dropped, but a
 * buffer past the hard limit terminates the socket.
 */
export class OutboundGate {
  readonly #sink: OutboundSink;
  readonly #limits: GateLimits;
  readonly #clock: Clock;
  #dropped = 0;
  #totalDropped = 0;
  #timer: TimerHandle | undefined;
  #closed = false;

  constructor(sink: OutboundSink, limits: GateLimits, clock: Clock) {
    this.#sink = sink;
    this.#limits = limits;
    this.#clock = clock;
  }

  /** True while events are being dropped. */
  get overflowing(): boolean {
    return this.#timer !== undefined;
  }

  /** Events dropped over the socket's life. */
  get dropped(): number {
    return this.#totalDropped;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Sends a reply or notice (never dropped). */
  sendControl(text: string): void {
    if (this.#closed) return;
    if (this.#sink.bufferedAmount > this.#limits.hardLimitBytes) {
      this.#cut();
      return;
    }
    this.#sink.send(text);
  }

  /** Sends an event unless the socket is too far behind; false when it was dropped. */
  sendEvent(message: string | Buffer): boolean {
    if (this.#closed) return false;
    const buffered = this.#sink.bufferedAmount;
    if (this.overflowing) {
      if (buffered > this.#limits.lowWaterBytes) return this.#drop();
      this.#resume();
    } else if (buffered > this.#limits.highWaterBytes) {
      this.#timer = this.#clock.setTimeout(() => this.#graceOver(), this.#limits.overflowGraceMs);
      this.#sink.send(overflowNotice('dropping', 0));
      return this.#drop();
    }
    this.#sink.send(message);
    return true;
  }

  /** Stops the timer; later sends are ignored. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #drop(): false {
    this.#dropped++;
    this.#totalDropped++;
    return false;
  }

  #resume(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#sink.send(overflowNotice('resumed', this.#dropped));
    this.#dropped = 0;
  }

  #graceOver(): void {
    this.#timer = undefined;
    if (this.#closed) return;
    if (this.#sink.bufferedAmount <= this.#limits.lowWaterBytes) {
      this.#resume();
      return;
    }
    this.close();
    this.#sink.close(CLOSE_TRY_AGAIN_LATER, 'slow consumer');
  }

  #cut(): void {
    this.close();
    this.#sink.terminate();
  }
}

/** `{"action":"notice","name":"overflow","data":{"state":..., "dropped":n}}` (ours; docs/websockets.md). */
function overflowNotice(state: 'dropping' | 'resumed', dropped: number): string {
  return JSON.stringify({ action: 'notice', name: 'overflow', data: { state, dropped } });
}
