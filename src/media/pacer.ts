import type { Clock, TimerHandle } from '../lib/index.ts';

/** A pacer that has fallen this many intervals behind (event-loop stall) skips instead of bursting. */
const MAX_LAG_INTERVALS = 5;

/**
 * Calls `tick` every `intervalMs` on the injected clock, the first time at once. Each timer is set
 * against the start time (start + n·interval) rather than chained, so real-clock timer lateness does
 * not accumulate into drift; after a long stall it resynchronizes rather than sending a burst.
 */
export class Pacer {
  readonly #clock: Clock;
  readonly #interval: number;
  readonly #tick: () => void;
  #origin = 0;
  #n = 0;
  #timer: TimerHandle | undefined;
  #running = false;

  constructor(clock: Clock, intervalMs: number, tick: () => void) {
    this.#clock = clock;
    this.#interval = intervalMs;
    this.#tick = tick;
  }

  get running(): boolean {
    return this.#running;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#origin = this.#clock.now();
    this.#n = 0;
    this.#timer = this.#clock.setTimeout(this.#fire, 0);
  }

  stop(): void {
    this.#running = false;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    if (!this.#running) return;
    this.#tick();
    if (!this.#running) return;
    this.#n += 1;
    const now = this.#clock.now();
    let due = this.#origin + this.#n * this.#interval;
    if (now - due > MAX_LAG_INTERVALS * this.#interval) {
      this.#origin = now;
      this.#n = 0;
      due = now;
    }
    this.#timer = this.#clock.setTimeout(this.#fire, Math.max(0, due - now));
  };
}
