import type { Clock, TimerHandle } from '../lib/index.ts';
import type { Flushable, FlushRequester } from './flush-scheduler.ts';
import { textFrame } from './ws-frame.ts';

/** The part of a WebSocket the gate drives. */
export interface OutboundSink {
  /** Bytes queued by the socket and not yet handed to the network. */
  readonly bufferedAmount: number;
  /** Writes complete WebSocket frames in order (one system call where it can); a no-op once closing. */
  write(frames: readonly Buffer[]): void;
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
 * The bounded send queue of one socket and its slow-consumer policy.
 *
 * Replies, notices and events wait in one queue, in the order they were sent, until the flush
 * scheduler hands them to the socket together; so a reply is never overtaken by an event, and an
 * event recorded before a subscription changed is delivered as matched at that moment. The backlog
 * is what the queue holds plus what the socket has buffered.
 *
 * Events are dropped while the backlog is above the high-water mark, with one `overflow` notice when
 * dropping starts and one when delivery resumes (saying how many were lost); a socket that has not
 * drained below the low-water mark within the grace period is closed with 1013. Replies are never
 * dropped, but a backlog past the hard limit terminates the socket.
 */
export class OutboundGate implements Flushable {
  readonly #sink: OutboundSink;
  readonly #limits: GateLimits;
  readonly #clock: Clock;
  readonly #scheduler: FlushRequester;
  #queue: Buffer[] = [];
  #queuedBytes = 0;
  #dropped = 0;
  #totalDropped = 0;
  #timer: TimerHandle | undefined;
  #closed = false;

  constructor(sink: OutboundSink, limits: GateLimits, clock: Clock, scheduler: FlushRequester) {
    this.#sink = sink;
    this.#limits = limits;
    this.#clock = clock;
    this.#scheduler = scheduler;
  }

  /** True while events are being dropped. */
  get overflowing(): boolean {
    return this.#timer !== undefined;
  }

  /** Events dropped over the socket's life. */
  get dropped(): number {
    return this.#totalDropped;
  }

  /** Bytes waiting for the next flush. */
  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Queues a reply or notice (never dropped). */
  sendControl(text: string): void {
    if (this.#closed) return;
    if (this.#backlog() > this.#limits.hardLimitBytes) {
      this.#cut();
      return;
    }
    this.#enqueue(textFrame(text));
  }

  /**
   * Queues an event frame (built by `textFrame`, shared by every socket that gets it) unless the
   * socket is too far behind; false when it was dropped.
   */
  sendEvent(frame: Buffer): boolean {
    if (this.#closed) return false;
    const backlog = this.#backlog();
    if (this.overflowing) {
      if (backlog > this.#limits.lowWaterBytes) return this.#drop();
      this.#resume();
    } else if (backlog > this.#limits.highWaterBytes) {
      this.#timer = this.#clock.setTimeout(() => this.#graceOver(), this.#limits.overflowGraceMs);
      this.#enqueue(textFrame(overflowNotice('dropping', 0)));
      return this.#drop();
    }
    this.#enqueue(frame);
    return true;
  }

  /** Hands the queue to the socket (the scheduler calls this). */
  flush(): void {
    if (this.#queue.length === 0) return;
    const frames = this.#queue;
    this.#queue = [];
    this.#queuedBytes = 0;
    this.#sink.write(frames);
  }

  /** Sends what is queued, stops the timer; later sends are ignored. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.flush();
    this.#closed = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #backlog(): number {
    return this.#sink.bufferedAmount + this.#queuedBytes;
  }

  #enqueue(frame: Buffer): void {
    this.#queue.push(frame);
    this.#queuedBytes += frame.length;
    if (this.#queue.length === 1) this.#scheduler.request(this);
  }

  #drop(): false {
    this.#dropped++;
    this.#totalDropped++;
    return false;
  }

  #resume(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#enqueue(textFrame(overflowNotice('resumed', this.#dropped)));
    this.#dropped = 0;
  }

  #graceOver(): void {
    this.#timer = undefined;
    if (this.#closed) return;
    if (this.#backlog() <= this.#limits.lowWaterBytes) {
      this.#resume();
      return;
    }
    this.close();
    this.#sink.close(CLOSE_TRY_AGAIN_LATER, 'slow consumer');
  }

  #cut(): void {
    this.#queue = [];
    this.#queuedBytes = 0;
    this.close();
    this.#sink.terminate();
  }
}

/** `{"action":"notice","name":"overflow","data":{"state":..., "dropped":n}}` (ours; docs/websockets.md). */
function overflowNotice(state: 'dropping' | 'resumed', dropped: number): string {
  return JSON.stringify({ action: 'notice', name: 'overflow', data: { state, dropped } });
}
