import { makeResponse } from '../message/index.ts';
import type { SipRequest, SipResponse } from '../message/index.ts';
import type { ServerTransactionEvents } from './server-events.ts';
import { timerDuration } from './timer-settings.ts';
import { Transaction } from './transaction.ts';
import type { TransactionContext, TransitionTable } from './transaction.ts';

/** RFC 3261 §17.2.1 Figure 7 states, with RFC 6026 §7.1's Accepted state. */
export type InviteServerState = 'proceeding' | 'completed' | 'accepted' | 'confirmed' | 'terminated';

const TABLE: TransitionTable<InviteServerState> = {
  proceeding: ['completed', 'accepted', 'terminated'],
  completed: ['confirmed', 'terminated'],
  accepted: ['terminated'],
  confirmed: ['terminated'],
  terminated: [],
};

/** Events of the INVITE server transaction. */
export type InviteServerEvents = ServerTransactionEvents<InviteServerState> & {
  /** Timer H fired: no ACK arrived for the 3xx-6xx response (§17.2.1). */
  timeout: [];
  /** A CANCEL matched this transaction while it was Proceeding (§9.2); the TU answers 487. */
  cancel: [cancel: SipRequest];
};

/** The INVITE server transaction (RFC 3261 §17.2.1, amended by RFC 6026 §7.1). */
export class InviteServerTransaction extends Transaction<InviteServerState, InviteServerEvents> {
  readonly kind = 'invite-server' as const;
  #lastProvisional: SipResponse | undefined;
  #final: SipResponse | undefined;
  #started = false;

  constructor(id: string, request: SipRequest, ctx: TransactionContext) {
    super(id, request, ctx, 'proceeding', TABLE);
  }

  /** The final response sent, once there is one. */
  get finalResponse(): SipResponse | undefined {
    return this.#final;
  }

  /** The last provisional response sent, if any. */
  get lastProvisional(): SipResponse | undefined {
    return this.#lastProvisional;
  }

  /**
   * "The server transaction MUST generate a 100 (Trying) response unless it knows that the TU will
   * generate a provisional or final response within 200 ms" (§17.2.1): we always send it at once.
   */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    if (this.state === 'proceeding' && this.#lastProvisional === undefined) this.respond(makeResponse(this.request, 100));
  }

  /** The TU sends a response through the transaction; returns false when the state forbids it. */
  respond(response: SipResponse): boolean {
    const status = response.status;
    if (this.state === 'proceeding') {
      if (status < 200) {
        this.#lastProvisional = response;
        this.send(response);
      } else if (status < 300) {
        // RFC 6026 §7.1: "the server transaction MUST transition to the Accepted state" and
        // "Timer L MUST be set to fire in 64*T1".
        this.#final = response;
        this.transition('accepted');
        this.send(response);
        this.startTimer('L', timerDuration('L', this.ctx.timers, this.ctx.reliable), () => this.transition('terminated'));
      } else {
        // "the state machine MUST enter the Completed state", set Timer G (unreliable) and H.
        this.#final = response;
        this.transition('completed');
        this.send(response);
        if (!this.isIn('completed')) return true;
        if (!this.ctx.reliable) this.#startTimerG(timerDuration('G', this.ctx.timers, false));
        this.startTimer('H', timerDuration('H', this.ctx.timers, this.ctx.reliable), () => {
          // "If timer H fires while in the Completed state, it implies that the ACK was never
          // received. In this case, the server transaction MUST transition to the Terminated
          // state, and MUST indicate to the TU that a transaction failure has occurred."
          this.emit('timeout');
          this.transition('terminated');
        });
      }
      return true;
    }
    if (this.state === 'accepted' && status >= 200 && status < 300) {
      // RFC 6026 §7.1: 2xx retransmissions from the TU are passed to the transport in Accepted.
      this.send(response);
      return true;
    }
    this.log.debug({ status, state: this.state }, 'response discarded by INVITE server transaction');
    return false;
  }

  /**
   * A request matched to this transaction: an INVITE retransmission or an ACK (§17.2.3). Returns
   * false for an ACK the TU must see: RFC 6026 §7.1 passes an ACK received in Accepted up.
   */
  receiveRequest(request: SipRequest): boolean {
    if (request.method === 'ACK') {
      if (this.state === 'completed') {
        // "If an ACK is received while the server transaction is in the Completed state, the
        // server transaction MUST transition to the Confirmed state" and set Timer I.
        this.stopTimer('G');
        this.stopTimer('H');
        this.transition('confirmed');
        this.startTimer('I', timerDuration('I', this.ctx.timers, this.ctx.reliable), () => this.transition('terminated'));
        return true;
      }
      return this.state === 'confirmed';
    }
    // "If a request retransmission is received while in the Proceeding state, the most recent
    // provisional response that was received from the TU MUST be passed to the transport layer
    // for retransmission." In Completed, the final response is retransmitted.
    if (this.state === 'proceeding' && this.#lastProvisional !== undefined) this.send(this.#lastProvisional);
    else if (this.state === 'completed' && this.#final !== undefined) this.send(this.#final);
    // Accepted (RFC 6026 §7.1) and Confirmed absorb the retransmission.
    return true;
  }

  /** §9.2: a CANCEL matched this INVITE; tells the TU while no final response was sent. */
  receiveCancel(cancel: SipRequest): boolean {
    if (this.state !== 'proceeding') return false;
    this.emit('cancel', cancel);
    return true;
  }

  /** §17.2.4: a transport failure while sending a response ends the transaction (Accepted keeps going). */
  transportError(error: Error): void {
    if (this.terminated) return;
    this.emit('transportError', error);
    if (this.state === 'proceeding' || this.state === 'completed') this.transition('terminated');
  }

  /** "If timer G fires, the response is passed to the transport layer once more for retransmission, and timer G is set to fire in MIN(2*T1, T2) seconds." */
  #startTimerG(ms: number): void {
    this.startTimer('G', ms, () => {
      if (this.state !== 'completed' || this.#final === undefined) return;
      this.send(this.#final);
      this.#startTimerG(Math.min(2 * ms, this.ctx.timers.T2));
    });
  }
}
