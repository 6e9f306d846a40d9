import type { SipRequest, SipResponse } from '../message/index.ts';
import type { ServerTransactionEvents } from './server-events.ts';
import { timerDuration } from './timer-settings.ts';
import { Transaction } from './transaction.ts';
import type { TransactionContext, TransitionTable } from './transaction.ts';

/** RFC 3261 §17.2.2 Figure 8 states. */
export type NonInviteServerState = 'trying' | 'proceeding' | 'completed' | 'terminated';

const TABLE: TransitionTable<NonInviteServerState> = {
  trying: ['proceeding', 'completed'],
  proceeding: ['completed', 'terminated'],
  completed: ['terminated'],
  terminated: [],
};

/** Events of the non-INVITE server transaction. */
export type NonInviteServerEvents = ServerTransactionEvents<NonInviteServerState>;

/** The non-INVITE server transaction (RFC 3261 §17.2.2). */
export class NonInviteServerTransaction extends Transaction<NonInviteServerState, NonInviteServerEvents> {
  readonly kind = 'non-invite-server' as const;
  #lastProvisional: SipResponse | undefined;
  #final: SipResponse | undefined;

  constructor(id: string, request: SipRequest, ctx: TransactionContext) {
    super(id, request, ctx, 'trying', TABLE);
  }

  /** The final response sent, once there is one. */
  get finalResponse(): SipResponse | undefined {
    return this.#final;
  }

  /** The TU sends a response through the transaction; returns false when the state forbids it. */
  respond(response: SipResponse): boolean {
    if (this.state !== 'trying' && this.state !== 'proceeding') {
      // "Any other final responses passed by the TU to the server transaction MUST be discarded
      // while in the Completed state."
      this.log.debug({ status: response.status, state: this.state }, 'response discarded by server transaction');
      return false;
    }
    if (response.status < 200) {
      if (this.state === 'trying') this.transition('proceeding');
      this.#lastProvisional = response;
      this.send(response);
      return true;
    }
    this.#final = response;
    this.transition('completed');
    this.send(response);
    // "When the server transaction enters the Completed state, it MUST set Timer J to fire in
    // 64*T1 seconds for unreliable transports, and zero seconds for reliable transports."
    if (this.isIn('completed')) {
      this.startTimer('J', timerDuration('J', this.ctx.timers, this.ctx.reliable), () => this.transition('terminated'));
    }
    return true;
  }

  /** A retransmission of the request (§17.2.2). */
  receiveRequest(_request: SipRequest): void {
    // Trying: "any further request retransmissions are discarded". Proceeding: "the most recent
    // provisional response ... MUST be passed to the transport layer for retransmission".
    // Completed: "the server transaction MUST pass the final response to the transport layer".
    if (this.state === 'proceeding' && this.#lastProvisional !== undefined) this.send(this.#lastProvisional);
    else if (this.state === 'completed' && this.#final !== undefined) this.send(this.#final);
  }

  /** §17.2.4: a transport failure while sending a response ends the transaction. */
  transportError(error: Error): void {
    if (this.state !== 'proceeding' && this.state !== 'completed') return;
    this.emit('transportError', error);
    this.transition('terminated');
  }
}
