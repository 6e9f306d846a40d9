import type { Clock, TimerHandle } from '../../lib/index.ts';
import type { TimerSettings } from '../transaction/index.ts';

/** Options of a {@link Retransmit2xx}. */
export interface Retransmit2xxOptions {
  readonly clock: Clock;
  readonly timers: TimerSettings;
  /** On a reliable transport the 2xx is not resent, but the 64*T1 wait for the ACK still runs. */
  readonly reliable: boolean;
  /** Passes the 2xx to the transport once more. */
  readonly send: () => void;
  /** 64*T1 passed without an ACK: "the dialog is confirmed, but the session SHOULD be terminated". */
  readonly onTimeout: () => void;
}

/**
 * RFC 3261 §13.3.1.4, the UAS core's 2xx retransmission: "The 2xx response is passed to the
 * transport with an interval that starts at T1 seconds and doubles for each retransmission until
 * it reaches T2 seconds ... Response retransmissions cease when an ACK request for the response is
 * received." Started when the 2xx is first sent; {@link stop} it when the ACK arrives.
 */
export class Retransmit2xx {
  readonly #options: Retransmit2xxOptions;
  #resend: TimerHandle | undefined;
  #giveUp: TimerHandle | undefined;
  #active = false;

  constructor(options: Retransmit2xxOptions) {
    this.#options = options;
  }

  /** True between start() and the ACK, the timeout or stop(). */
  get active(): boolean {
    return this.#active;
  }

  start(): void {
    if (this.#active) return;
    this.#active = true;
    const { clock, timers, reliable } = this.#options;
    if (!reliable) this.#schedule(timers.T1);
    this.#giveUp = clock.setTimeout(() => {
      this.#giveUp = undefined;
      this.stop();
      this.#options.onTimeout();
    }, 64 * timers.T1);
  }

  /** Stops retransmitting (ACK received, dialog gone); idempotent. */
  stop(): void {
    this.#active = false;
    const { clock } = this.#options;
    if (this.#resend !== undefined) clock.clearTimeout(this.#resend);
    if (this.#giveUp !== undefined) clock.clearTimeout(this.#giveUp);
    this.#resend = undefined;
    this.#giveUp = undefined;
  }

  #schedule(ms: number): void {
    this.#resend = this.#options.clock.setTimeout(() => {
      this.#resend = undefined;
      if (!this.#active) return;
      this.#options.send();
      this.#schedule(Math.min(2 * ms, this.#options.timers.T2));
    }, ms);
  }
}
