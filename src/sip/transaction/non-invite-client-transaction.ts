import type { SipRequest, SipResponse } from '../message/index.ts';
import type { ClientTransactionEvents } from './client-events.ts';
import { timerDuration } from './timer-settings.ts';
import { Transaction } from './transaction.ts';
import type { TransactionContext, TransitionTable } from './transaction.ts';

/** RFC 3261 §17.1.2.2 Figure 6 states. */
export type NonInviteClientState = 'trying' | 'proceeding' | 'completed' | 'terminated';

const TABLE: TransitionTable<NonInviteClientState> = {
  trying: ['proceeding', 'completed', 'terminated'],
  proceeding: ['completed', 'terminated'],
  completed: ['terminated'],
  terminated: [],
};

/** Events of the non-INVITE client transaction. */
export type NonInviteClientEvents = ClientTransactionEvents<NonInviteClientState>;

/** The non-INVITE client transaction (RFC 3261 §17.1.2). */
export class NonInviteClientTransaction extends Transaction<NonInviteClientState, NonInviteClientEvents> {
  readonly kind = 'non-invite-client' as const;
  #started = false;

  constructor(id: string, request: SipRequest, ctx: TransactionContext) {
    super(id, request, ctx, 'trying', TABLE);
  }

  /** Sends the request; "timer F MUST be set to fire in 64*T1" and, unreliable, "timer E MUST be set to fire in T1". */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.send(this.request);
    if (this.terminated) return;
    if (!this.ctx.reliable) this.#startTimerE(timerDuration('E', this.ctx.timers, false));
    this.startTimer('F', timerDuration('F', this.ctx.timers, this.ctx.reliable), () => {
      // "If Timer F fires while the client transaction is still in the Trying state, the client
      // transaction SHOULD inform the TU about the timeout, and then it SHOULD enter the
      // Terminated state." (The same holds in Proceeding.)
      this.emit('timeout');
      this.transition('terminated');
    });
  }

  /** A response matched to this transaction (§17.1.3). */
  receiveResponse(response: SipResponse): void {
    if (this.state !== 'trying' && this.state !== 'proceeding') return; // Completed absorbs retransmissions
    if (response.status < 200) {
      if (this.state === 'trying') this.transition('proceeding');
      this.emit('provisional', response);
      return;
    }
    this.stopTimer('E');
    this.stopTimer('F');
    this.transition('completed');
    this.emit('final', response);
    // "Once the client transaction enters the Completed state, it MUST set Timer K to fire in T4
    // seconds for unreliable transports, and zero seconds for reliable transports."
    if (this.isIn('completed')) {
      this.startTimer('K', timerDuration('K', this.ctx.timers, this.ctx.reliable), () => this.transition('terminated'));
    }
  }

  /** §17.1.4: a transport failure in Trying or Proceeding ends the transaction and tells the TU. */
  transportError(error: Error): void {
    if (this.state !== 'trying' && this.state !== 'proceeding') return;
    this.emit('transportError', error);
    this.transition('terminated');
  }

  /**
   * "If timer E fires while still in this state, the timer is reset, but this time with a value of
   * MIN(2*T1, T2)" ... "If Timer E fires while in the Proceeding state, the request MUST be passed
   * to the transport layer for retransmission, and Timer E MUST be reset with a value of T2."
   */
  #startTimerE(ms: number): void {
    this.startTimer('E', ms, () => {
      if (this.state !== 'trying' && this.state !== 'proceeding') return;
      this.send(this.request);
      const T2 = this.ctx.timers.T2;
      this.#startTimerE(this.state === 'proceeding' ? T2 : Math.min(2 * ms, T2));
    });
  }
}
