import type { Logger } from '../../lib/index.ts';
import { reasonPhrase, type Dialog, type SipStack } from '../../sip/index.ts';

/** How long the implicit subscription of a REFER lasts before we end it (RFC 3515 §2.4.4). */
const SUBSCRIPTION_SECONDS = 60;

/**
 * The implicit subscription a REFER creates (RFC 3515 §2.4.4): NOTIFYs with `Event: refer` whose
 * `message/sipfrag` bodies report the referred call's progress; the final one terminates it.
 * RFC 4488 `Refer-Sub: false` turns it off: then nothing is sent.
 */
export class ReferSubscription {
  readonly #stack: SipStack;
  readonly #dialog: Dialog;
  readonly #event: string;
  readonly #log: Logger;
  readonly #enabled: boolean;
  #terminated = false;
  #lastStatus: number | undefined;

  /** `referCSeq` identifies the subscription (§2.4.6: `id` = the REFER's CSeq number). */
  constructor(stack: SipStack, dialog: Dialog, referCSeq: number, logger: Logger, enabled = true) {
    this.#stack = stack;
    this.#dialog = dialog;
    this.#event = `refer;id=${referCSeq}`;
    this.#log = logger;
    this.#enabled = enabled;
  }

  get terminated(): boolean {
    return this.#terminated;
  }

  /** The last status reported (100, then the final one). */
  get lastStatus(): number | undefined {
    return this.#lastStatus;
  }

  /**
   * Reports `status` as `SIP/2.0 <status> <reason>` (RFC 3515 §2.4.5). A final status (≥ 200)
   * terminates the subscription; nothing is sent after that, or once the dialog ended.
   */
  notify(status: number): void {
    if (this.#terminated) return;
    const final = status >= 200;
    if (final) this.#terminated = true;
    this.#lastStatus = status;
    if (!this.#enabled || this.#dialog.state !== 'confirmed') return;
    // §2.4.5: "the body of a NOTIFY MUST begin with a SIP Response Status-Line".
    const body = `SIP/2.0 ${status} ${reasonPhrase(status)}\r\n`;
    const state = final ? 'terminated;reason=noresource' : `active;expires=${SUBSCRIPTION_SECONDS}`;
    try {
      this.#stack.request(this.#dialog, 'NOTIFY', {
        headers: [
          ['Event', this.#event],
          ['Subscription-State', state],
        ],
        body: Buffer.from(body),
        contentType: 'message/sipfrag;version=2.0',
      });
    } catch (error) {
      this.#log.warn({ err: error, status }, 'refer NOTIFY not sent');
    }
  }
}
