/** Something with queued output to hand to the network. */
export interface Flushable {
  flush(): void;
}

/** Where the gates ask to be flushed. */
export interface FlushRequester {
  request(target: Flushable): void;
}

/** Runs a callback after pending I/O (setImmediate); returns a cancel function. */
export type Defer = (fn: () => void) => () => void;

export interface FlushSchedulerOptions {
  /** Default: `setImmediate`, so events queued in one turn of the event loop leave together. */
  readonly defer?: Defer;
  /** A monotonic millisecond clock. Default: `performance.now`. */
  readonly now?: () => number;
  /** Longest stretch of flushing before other work (SIP, RTP, HTTP) gets a turn, ms. */
  readonly sliceMs?: number;
  /**
   * Told when a flush throws. Sinks do not throw today (a closed socket is skipped, socket errors
   * are events); this is the backstop, so one socket cannot take the others, or the process (the
   * pass runs from setImmediate), with it.
   */
  readonly onError?: (error: unknown) => void;
}

const immediate: Defer = (fn) => {
  const handle = setImmediate(fn);
  return () => clearImmediate(handle);
};

/** How many flushes run between two looks at the clock. */
const CHECK_EVERY = 32;

/**
 * Hands the Blackhole's queued frames to the sockets off the publisher's call stack: an event bound
 * for 1,000 sockets would otherwise write to all of them inside the `publish()` of the call that
 * raised it (5–9 ms of SIP and RTP standing still, bench:events). Each socket asks once; all sockets
 * asking in the same turn are flushed in the next, in the order they asked, so a socket that got
 * several events meanwhile writes them in one system call. A flush pass stops after `sliceMs` and
 * goes on in a later turn, letting I/O in between.
 */
export class FlushScheduler implements FlushRequester {
  readonly #defer: Defer;
  readonly #now: () => number;
  readonly #sliceMs: number;
  readonly #onError: (error: unknown) => void;
  readonly #waiting = new Set<Flushable>();
  #cancel: (() => void) | undefined;
  #closed = false;

  constructor(options: FlushSchedulerOptions = {}) {
    this.#defer = options.defer ?? immediate;
    this.#now = options.now ?? (() => performance.now());
    this.#sliceMs = options.sliceMs ?? 4;
    this.#onError = options.onError ?? (() => undefined);
  }

  /** Targets waiting for a flush. */
  get waiting(): number {
    return this.#waiting.size;
  }

  get closed(): boolean {
    return this.#closed;
  }

  request(target: Flushable): void {
    if (this.#closed) return;
    this.#waiting.add(target);
    this.#cancel ??= this.#defer(() => this.#run());
  }

  /** Flushes everything waiting now, in one go (shutdown). */
  drain(): void {
    if (this.#cancel !== undefined) this.#cancel();
    this.#cancel = undefined;
    for (const target of this.#waiting) {
      this.#waiting.delete(target);
      this.#flush(target);
    }
  }

  /** Stops scheduling; what waits is dropped (call {@link drain} first to send it). Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#cancel !== undefined) this.#cancel();
    this.#cancel = undefined;
    this.#waiting.clear();
  }

  #run(): void {
    this.#cancel = undefined;
    const started = this.#now();
    let count = 0;
    for (const target of this.#waiting) {
      this.#waiting.delete(target);
      this.#flush(target);
      if (++count % CHECK_EVERY === 0 && this.#now() - started >= this.#sliceMs) break;
    }
    if (this.#waiting.size > 0 && !this.#closed) this.#cancel = this.#defer(() => this.#run());
  }

  #flush(target: Flushable): void {
    try {
      target.flush();
    } catch (error) {
      this.#onError(error);
    }
  }
}
