import type { Dialog, InviteServerTransaction, SipStack } from '../sip/index.ts';
import type { ChannelSignalling } from './channel.ts';
import { statusOfCause, type HangupCause } from './hangup-cause.ts';

const SDP = 'application/sdp';

/**
 * The UAS side of an inbound channel (RFC 3261 §13.3): provisional responses, the 2xx that
 * creates the dialog, and the way to end it (a final failure before answer, BYE after).
 */
export class InboundLeg implements ChannelSignalling {
  readonly transaction: InviteServerTransaction;
  readonly #stack: SipStack;
  readonly #localContact: string;
  readonly #onDialog: (dialog: Dialog) => void;
  #dialog: Dialog | undefined;
  #ringingSent = false;
  #earlySent = false;

  constructor(stack: SipStack, transaction: InviteServerTransaction, localContact: string, onDialog: (dialog: Dialog) => void) {
    this.#stack = stack;
    this.transaction = transaction;
    this.#localContact = localContact;
    this.#onDialog = onDialog;
  }

  get dialog(): Dialog | undefined {
    return this.#dialog;
  }

  get finalSent(): boolean {
    return this.transaction.finalResponse !== undefined;
  }

  /** 180 Ringing, once, and only before any early media or final response. */
  ring(): void {
    if (this.#ringingSent || this.#earlySent || this.finalSent) return;
    this.#ringingSent = true;
    this.#respond(180);
  }

  /** 183 Session Progress with our SDP answer (RFC 3261 §13.3.1.1 early media), once. */
  earlyMedia(sdp: string): void {
    if (this.#earlySent || this.finalSent) return;
    this.#earlySent = true;
    this.#respond(183, undefined, sdp);
  }

  /** 200 OK with our answer: the dialog is created and its 2xx retransmitted until the ACK. */
  answer(sdp: string): Dialog | undefined {
    if (this.finalSent) return undefined;
    this.#respond(200, undefined, sdp);
    return this.#dialog;
  }

  /** Answers with an explicit failure status (the best of a fork, §16.7). */
  fail(status: number): void {
    if (!this.finalSent) this.#respond(status);
  }

  end(cause: HangupCause): void {
    if (!this.finalSent) {
      this.#respond(statusOfCause(cause));
      return;
    }
    const dialog = this.#dialog;
    if (dialog !== undefined && !dialog.terminated) this.#stack.request(dialog, 'BYE', { headers: reasonHeader(cause) });
  }

  #respond(status: number, reason?: string, sdp?: string): void {
    const { dialog } = this.#stack.respond(this.transaction, status, reason, {
      localContact: this.#localContact,
      headers: [['Allow', ALLOW], ['User-Agent', USER_AGENT]],
      ...(sdp !== undefined ? { body: Buffer.from(sdp), contentType: SDP } : {}),
    });
    if (dialog !== undefined && dialog !== this.#dialog) {
      this.#dialog = dialog;
      this.#onDialog(dialog);
    }
  }
}

/** Methods the switch accepts in and out of dialogs. */
export const ALLOW = 'INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, UPDATE, REFER, NOTIFY';
export const USER_AGENT = 'Switchboard';

/** RFC 3326 Reason header for a hangup cause. */
export function reasonHeader(cause: HangupCause): [string, string][] {
  if (cause === 'LOSE_RACE') return [['Reason', 'SIP;cause=200;text="Call completed elsewhere"']];
  if (cause === 'ORIGINATOR_CANCEL') return [['Reason', 'SIP;cause=487;text="ORIGINATOR_CANCEL"']];
  return [['Reason', `Q.850;cause=${Q850[cause] ?? 16};text="${cause}"`]];
}

const Q850: Partial<Record<HangupCause, number>> = {
  NORMAL_CLEARING: 16,
  USER_BUSY: 17,
  NO_USER_RESPONSE: 18,
  NO_ANSWER: 19,
  CALL_REJECTED: 21,
  INCOMPATIBLE_DESTINATION: 88,
  UNALLOCATED_NUMBER: 1,
  NORMAL_TEMPORARY_FAILURE: 41,
  SYSTEM_SHUTDOWN: 41,
  ALLOTTED_TIMEOUT: 102,
};
