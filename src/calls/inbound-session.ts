import type { RtpRelay } from '../media/index.ts';
import { Bridge } from './bridge.ts';
import type { CallContext, LegMedia } from './call-context.ts';
import type { CallerSession } from './caller-session.ts';
import type { Channel } from './channel.ts';
import type { Dial } from './dialer.ts';
import type { InboundLeg } from './inbound-leg.ts';
import type { LateOffer } from './late-offer.ts';

/**
 * An inbound channel before and after it is answered: relays a dial's progress (180, or 183 with
 * early media from the first callee that has some), answers with the SDP negotiated at INVITE
 * time — or, for an INVITE without SDP, with our offer, whose answer comes in the ACK — and
 * bridges it to an answered leg.
 */
export class InboundSession implements CallerSession {
  readonly channel: Channel;
  readonly leg: InboundLeg;
  readonly media: LegMedia;
  readonly #ctx: CallContext;
  /** Our answer to the INVITE's offer, or the late offer to make when it had none. */
  readonly #negotiation: string | LateOffer;
  #early: { relay: RtpRelay; from: Channel } | undefined;

  /** `answerSdp`: our answer to the INVITE's offer, or the {@link LateOffer} when it carried none. */
  constructor(context: CallContext, channel: Channel, leg: InboundLeg, answerSdp: string | LateOffer, media: LegMedia) {
    this.#ctx = context;
    this.channel = channel;
    this.leg = leg;
    this.#negotiation = answerSdp;
    this.media = media;
    channel.on('closed', () => this.#closeEarly());
  }

  /** Answers the caller (200 with our SDP); false when it is gone or was already answered otherwise. */
  answer(): boolean {
    return this.#answer(undefined);
  }

  /** `peer`: the callee about to be bridged, whose codec a late offer must carry (no transcoding). */
  #answer(peer: Channel | undefined): boolean {
    const a = this.channel;
    if (a.closed) return false;
    if (a.answered) return true;
    const negotiation = this.#negotiation;
    if (typeof negotiation === 'string') {
      if (this.leg.answer(negotiation) === undefined) return false;
      a.transition('answered');
    } else {
      const offer = negotiation.offer(a, peer?.media.format);
      const dialog = this.leg.answer(offer.sdp);
      if (dialog === undefined) return false;
      a.transition('answered');
      negotiation.expectAnswer(this.#ctx, a, dialog, this.leg.transaction.request, offer.local);
    }
    if (this.#ctx.maxCallMs > 0) a.after(this.#ctx.maxCallMs, () => a.hangup('ALLOTTED_TIMEOUT'));
    return true;
  }

  /** Relays a dial's progress to the unanswered caller. */
  follow(dial: Dial): void {
    dial.on('ringing', () => {
      if (this.channel.answered || this.channel.closed) return;
      this.channel.ringing();
      this.leg.ring();
    });
    dial.on('early', (callee) => {
      if (this.channel.answered || this.channel.closed || this.#early !== undefined) return;
      if (typeof this.#negotiation !== 'string') {
        // RFC 3261 §13.2.1: no offer in an unreliable 1xx (we do not do 100rel): it only rings.
        this.channel.ringing();
        this.leg.ring();
        return;
      }
      // RFC 3960 gateway model: the caller hears the first callee that sends early media.
      this.channel.early();
      this.leg.earlyMedia(this.#negotiation);
      this.#early = { relay: this.#ctx.engine.createRelay(this.channel.media, callee.media), from: callee };
      callee.once('closed', () => {
        if (this.#early?.from === callee) this.#closeEarly();
      });
    });
  }

  /** Answers if needed and bridges the caller to `callee`. */
  bridge(callee: Channel): Bridge | undefined {
    this.#closeEarly();
    if (!this.#answer(callee)) {
      callee.hangup('ORIGINATOR_CANCEL');
      return undefined;
    }
    return new Bridge(this.#ctx.engine, this.channel, callee, this.#ctx.bridges);
  }

  /** Fails the unanswered caller with exactly `status` (a dial's best failure), or hangs up. */
  fail(status: number, cause: Parameters<Channel['ended']>[0]): void {
    if (this.channel.closed) return;
    if (this.channel.answered) {
      this.channel.hangup(cause);
      return;
    }
    this.leg.fail(status);
    this.channel.ended(cause, status);
  }

  #closeEarly(): void {
    this.#early?.relay.close();
    this.#early = undefined;
  }
}
