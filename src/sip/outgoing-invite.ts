import { TypedEmitter } from '../lib/index.ts';
import type { Logger } from '../lib/index.ts';
import { getTag } from './message/index.ts';
import type { Endpoint, SipRequest, SipResponse } from './message/index.ts';
import { createCancel } from './transaction/index.ts';
import type { InviteClientTransaction, TransactionLayer } from './transaction/index.ts';
import type { AckOptions, Dialog, DialogStore } from './dialog/index.ts';

/** Events of an {@link OutgoingInvite}. */
export type OutgoingInviteEvents = {
  /** A 1xx; `dialog` is the early dialog when the response carried a To tag (§12.1.2). */
  provisional: [response: SipResponse, dialog: Dialog | undefined];
  /** A 2xx (the first, or another fork's; not retransmissions): its dialog is confirmed and the ACK already sent. */
  accepted: [response: SipResponse, dialog: Dialog];
  /** The 3xx-6xx final response (the transaction sent the ACK; early dialogs are terminated). */
  rejected: [response: SipResponse];
  /** Timer B fired. */
  timeout: [];
  transportError: [error: Error];
};

/** Options of {@link OutgoingInvite}. */
export interface OutgoingInviteOptions {
  readonly destination?: Endpoint;
  /** Contact for target refresh requests in the resulting dialogs; default the INVITE's. */
  readonly localContact?: string;
  /** Body and headers of the 2xx ACK (a delayed-offer answer), per 2xx. */
  readonly ack?: (response: SipResponse, dialog: Dialog) => Omit<AckOptions, 'invite'>;
}

/**
 * The UAC side of an INVITE (RFC 3261 §13.2): runs the INVITE client transaction, creates the
 * early and confirmed dialogs of every fork (§12.1.2), ACKs each 2xx end to end (§13.2.2.4) and
 * CANCELs on request (§9.1, after a provisional response has arrived).
 */
export class OutgoingInvite extends TypedEmitter<OutgoingInviteEvents> {
  readonly request: SipRequest;
  readonly transaction: InviteClientTransaction;
  readonly #transactions: TransactionLayer;
  readonly #dialogs: DialogStore;
  readonly #options: OutgoingInviteOptions;
  readonly #log: Logger;
  #provisionalSeen = false;
  #cancelWanted = false;
  #cancelSent = false;
  /** Extra CANCEL headers, e.g. RFC 3326 Reason ("Call completed elsewhere" for a fork's losers). */
  #cancelHeaders: readonly (readonly [string, string])[] = [];
  #final: SipResponse | undefined;
  readonly #acceptedDialogs = new Set<string>();

  constructor(transactions: TransactionLayer, dialogs: DialogStore, invite: SipRequest, options: OutgoingInviteOptions, log: Logger) {
    super();
    this.request = invite;
    this.#transactions = transactions;
    this.#dialogs = dialogs;
    this.#options = options;
    this.#log = log;
    const sendOptions = options.destination === undefined ? {} : { destination: options.destination };
    this.transaction = transactions.sendInvite(invite, sendOptions);
    this.transaction.on('provisional', (r) => this.#provisional(r));
    this.transaction.on('final', (r) => this.#finalResponse(r));
    this.transaction.on('additional2xx', (r) => this.#accepted(r));
    this.transaction.on('timeout', () => this.emit('timeout'));
    this.transaction.on('transportError', (e) => this.emit('transportError', e));
    this.transaction.onTerminated(() => this.#endEarlyDialogs());
  }

  /** The final response, once one arrived. */
  get finalResponse(): SipResponse | undefined {
    return this.#final;
  }

  /**
   * Cancels the INVITE (§9.1). "If no provisional response has been received, the CANCEL request
   * MUST NOT be sent; rather, the client MUST wait for the arrival of a provisional response before
   * sending the request." Returns false once a final response arrived (send BYE instead). A 2xx
   * can still cross the CANCEL: it is ACKed and reported as `accepted`, and the caller should BYE it.
   */
  cancel(options: { headers?: readonly (readonly [string, string])[] } = {}): boolean {
    if (this.#final !== undefined || this.transaction.terminated) return false;
    this.#cancelWanted = true;
    this.#cancelHeaders = options.headers ?? [];
    if (this.#provisionalSeen) this.#sendCancel();
    return true;
  }

  #provisional(response: SipResponse): void {
    this.#provisionalSeen = true;
    const dialog = this.#dialogs.uacResponse(this.request, response, this.#dialogOptions());
    this.emit('provisional', response, dialog);
    if (this.#cancelWanted) this.#sendCancel();
  }

  #finalResponse(response: SipResponse): void {
    this.#final = response;
    if (response.status < 300) {
      this.#accepted(response);
      return;
    }
    this.#dialogs.uacResponse(this.request, response);
    this.emit('rejected', response);
  }

  /** §13.2.2.4: "The UAC core MUST generate an ACK request for each 2xx received from the transaction layer." */
  #accepted(response: SipResponse): void {
    let dialog: Dialog | undefined;
    try {
      dialog = this.#dialogs.uacResponse(this.request, response, this.#dialogOptions());
    } catch (error) {
      this.#log.warn({ err: error }, 'cannot build dialog from 2xx');
    }
    if (dialog === undefined) return;
    const first = !this.#acceptedDialogs.has(dialog.key);
    const ack = first || dialog.lastAck === undefined
      ? dialog.createAck({ ...(this.#options.ack?.(response, dialog) ?? {}), invite: this.request })
      : dialog.lastAck;
    this.#transactions.sendAck(ack).catch((error: unknown) => this.#log.warn({ err: error }, 'ACK for 2xx not sent'));
    if (!first) return;
    this.#acceptedDialogs.add(dialog.key);
    this.emit('accepted', response, dialog);
  }

  /**
   * §13.2.2.4: once the INVITE transaction is over (Timer M after the 2xx, or a failure), "all the
   * early dialogs that have not transitioned to established dialogs are terminated".
   */
  #endEarlyDialogs(): void {
    const localTag = getTag(this.request.headers.get('From') ?? '');
    if (localTag === undefined) return;
    for (const dialog of this.#dialogs.forks(this.request.callId, localTag)) {
      if (dialog.state === 'early') dialog.terminate();
    }
  }

  #sendCancel(): void {
    if (this.#cancelSent || this.#final !== undefined) return;
    this.#cancelSent = true;
    const sendOptions = this.#options.destination === undefined ? {} : { destination: this.#options.destination };
    try {
      const cancel = createCancel(this.request);
      for (const [name, value] of this.#cancelHeaders) cancel.headers.append(name, value);
      this.#transactions.sendRequest(cancel, sendOptions);
    } catch (error) {
      this.#log.warn({ err: error }, 'CANCEL not sent');
    }
  }

  #dialogOptions(): { localContact?: string } {
    return this.#options.localContact === undefined ? {} : { localContact: this.#options.localContact };
  }
}
