import type { Dialog, OutgoingInvite, SipStack } from '../sip/index.ts';
import type { ChannelSignalling } from './channel.ts';
import type { HangupCause } from './hangup-cause.ts';
import { reasonHeader } from './inbound-leg.ts';

/** The UAC side of an outbound channel: CANCEL while it rings, BYE once it answered. */
export class OutboundLeg implements ChannelSignalling {
  #invite: OutgoingInvite;
  readonly #stack: SipStack;
  #dialog: Dialog | undefined;

  constructor(stack: SipStack, invite: OutgoingInvite) {
    this.#stack = stack;
    this.#invite = invite;
  }

  /** The INVITE in flight (a new one after an authentication retry). */
  get invite(): OutgoingInvite {
    return this.#invite;
  }

  /** Follows the re-sent INVITE that answers a challenge (§22.2). */
  retry(invite: OutgoingInvite): void {
    this.#invite = invite;
  }

  get dialog(): Dialog | undefined {
    return this.#dialog;
  }

  /** The confirmed dialog of the 2xx. */
  accepted(dialog: Dialog): void {
    this.#dialog = dialog;
  }

  end(cause: HangupCause): void {
    const dialog = this.#dialog;
    if (dialog !== undefined) {
      if (!dialog.terminated) this.#stack.request(dialog, 'BYE', { headers: reasonHeader(cause) });
      return;
    }
    // §9.1: cancel() waits for a provisional response before sending, and reports false once
    // a final response arrived (a 2xx crossing the CANCEL is BYEd by the call when it lands).
    this.#invite.cancel({ headers: reasonHeader(cause) });
  }
}
