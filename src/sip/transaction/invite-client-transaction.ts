import type { SipRequest, SipResponse } from '../message/index.ts';
import type { ClientTransactionEvents } from './client-events.ts';
import { buildNon2xxAck } from './non-2xx-ack.ts';
import { timerDuration } from './timer-settings.ts';
import { Transaction } from './transaction.ts';
import type { TransactionContext, TransitionTable } from './transaction.ts';

/** RFC 3261 §17.1.1.2 Figure 5 states, with RFC 6026 §8.4's Accepted state. */
export type InviteClientState = 'calling' | 'proceeding' | 'accepted' | 'completed' | 'terminated';

const TABLE: TransitionTable<InviteClientState> = {
  calling: ['proceeding', 'accepted', 'completed', 'terminated'],
  proceeding: ['accepted', 'completed'],
  accepted: ['terminated'],
  completed: ['terminated'],
  terminated: [],
};

/** Events of the INVITE client transaction. */
export type InviteClientEvents = ClientTransactionEvents<InviteClientState> & {
  /**
   * RFC 6026 §8.4: a 2xx received in the Accepted state (a retransmission, or another fork's 2xx)
   * is passed to the TU, which acknowledges each one (§13.2.2.4).
   */
  additional2xx: [response: SipResponse];
};

/** The INVITE client transaction (RFC 3261 §17.1.1, amended by RFC 6026 §8.4). */
export class InviteClientTransaction extends Transaction<InviteClientState, InviteClientEvents> {
  readonly kind = 'invite-client' as const;
  #started = false;
  #ack: SipRequest | undefined;

  constructor(id: string, request: SipRequest, ctx: TransactionContext) {
    super(id, request, ctx, 'calling', TABLE);
  }

  /** The ACK sent for a non-2xx final response, once there is one (§17.1.1.3). */
  get ack(): SipRequest | undefined {
    return this.#ack;
  }

  /**
   * Sends the INVITE. "the client transaction MUST start timer A with a value of T1" (unreliable
   * transports only) and "MUST set timer B with a value of 64*T1" (§17.1.1.2).
   */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.send(this.request);
    if (this.terminated) return;
    if (!this.ctx.reliable) this.#startTimerA(timerDuration('A', this.ctx.timers, false));
    this.startTimer('B', timerDuration('B', this.ctx.timers, this.ctx.reliable), () => {
      // "If the client transaction is still in the Calling state when timer B fires, the client
      // transaction SHOULD inform the TU that a timeout has occurred."
      this.emit('timeout');
      this.transition('terminated');
    });
  }

  /** A response matched to this transaction (§17.1.3). */
  receiveResponse(response: SipResponse): void {
    const status = response.status;
    switch (this.state) {
      case 'calling':
      case 'proceeding':
        if (status < 200) {
          if (this.state === 'calling') {
            this.stopTimer('A');
            this.stopTimer('B');
            this.transition('proceeding');
          }
          this.emit('provisional', response);
        } else if (status < 300) {
          this.stopTimer('A');
          this.stopTimer('B');
          // RFC 6026 §8.4: "the client transaction MUST transition to the Accepted state, and
          // Timer M MUST be started with a value of 64*T1."
          this.transition('accepted');
          this.startTimer('M', timerDuration('M', this.ctx.timers, this.ctx.reliable), () => this.transition('terminated'));
          this.emit('final', response);
        } else {
          this.stopTimer('A');
          this.stopTimer('B');
          this.transition('completed');
          // "the client transaction MUST ... generate an ACK request ... and pass it to the
          // transport layer" and "MUST set Timer D" (32 s unreliable, 0 reliable).
          this.#ack = buildNon2xxAck(this.request, response);
          this.send(this.#ack);
          this.emit('final', response);
          if (this.isIn('completed')) {
            this.startTimer('D', timerDuration('D', this.ctx.timers, this.ctx.reliable), () => this.transition('terminated'));
          }
        }
        return;
      case 'accepted':
        // RFC 6026 §8.4: "Any 2xx responses that match this client transaction and that are
        // received while in the Accepted state MUST be passed up to the TU."
        if (status >= 200 && status < 300) this.emit('additional2xx', response);
        return;
      case 'completed':
        // "Any retransmissions of the final response that are received while in the Completed
        // state MUST cause the ACK to be re-passed to the transport layer for retransmission,
        // but the newly received response MUST NOT be passed up to the TU."
        if (status >= 300 && this.#ack !== undefined) this.send(this.#ack);
        return;
      case 'terminated':
        return;
    }
  }

  /** §17.1.4: in Calling or Completed a transport failure ends the transaction and tells the TU. */
  transportError(error: Error): void {
    if (this.state !== 'calling' && this.state !== 'completed') return;
    if (this.state === 'calling') this.emit('transportError', error);
    this.transition('terminated');
  }

  /** "When timer A fires, the client transaction MUST retransmit the request ... and MUST reset the timer with a value of 2*T1." */
  #startTimerA(ms: number): void {
    this.startTimer('A', ms, () => {
      if (this.state !== 'calling') return;
      this.send(this.request);
      this.#startTimerA(ms * 2);
    });
  }
}
