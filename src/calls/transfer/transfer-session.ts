import { AnsweredSession } from '../answered-session.ts';
import type { Bridge } from '../bridge.ts';
import type { CallContext } from '../call-context.ts';
import type { CallerSession } from '../caller-session.ts';
import type { Channel } from '../channel.ts';
import type { Dial } from '../dialer.ts';
import type { HangupCause } from '../hangup-cause.ts';
import type { TransferLegs } from './transfer-legs.ts';

/**
 * The transferee as the target's callflow sees it (the transfer runs the target number's callflow
 * for the transferee, as if it had dialed it): a bridging module's answer goes to the transfer
 * machine, which gives it to the transferor (attended) or the transferee; a module that takes the
 * call itself (park, play...) ends the transfer and keeps the transferee, as an answered session.
 * Once the transfer ended otherwise (taken back, failed), the session is inert.
 */
export class TransferSession implements CallerSession {
  readonly channel: Channel;
  readonly #legs: TransferLegs;
  readonly #after: AnsweredSession;

  constructor(context: CallContext, legs: TransferLegs) {
    this.channel = legs.transferee;
    this.#legs = legs;
    this.#after = new AnsweredSession(context, legs.transferee);
  }

  /** Who answers the flow's calls: the transfer, the flow itself (after a hand-over), or nobody. */
  get #owner(): 'transfer' | 'flow' | 'nobody' {
    if (!this.#legs.machine.done) return 'transfer';
    return this.#legs.handedOver ? 'flow' : 'nobody';
  }

  answer(): boolean {
    if (this.channel.closed) return false;
    if (this.#owner === 'transfer') this.#legs.machine.targetTook();
    return this.#owner === 'flow' && !this.channel.closed;
  }

  follow(dial: Dial): void {
    switch (this.#owner) {
      case 'transfer':
        this.#legs.dialing(dial);
        return;
      case 'flow':
        this.#after.follow(dial);
        return;
      default:
        dial.cancel('ORIGINATOR_CANCEL');
    }
  }

  bridge(callee: Channel): Bridge | undefined {
    switch (this.#owner) {
      case 'transfer':
        return this.#legs.answered(callee);
      case 'flow':
        return this.#after.bridge(callee);
      default:
        callee.hangup('LOSE_RACE');
        return undefined;
    }
  }

  fail(status: number, cause: HangupCause): void {
    switch (this.#owner) {
      case 'transfer':
        this.#legs.machine.targetFailed(status, cause);
        return;
      case 'flow':
        this.#after.fail(status, cause);
        return;
      default:
    }
  }
}
