import type { Logger } from '../lib/index.ts';
import type { MediaDirection } from '../media/index.ts';
import { cseqOf, type ServerTransaction, type SipRequest, type SipStack } from '../sip/index.ts';
import type { Bridge } from './bridge.ts';
import type { Channel } from './channel.ts';
import { applyAckAnswer, offerInAnswer, onAckOf } from './late-offer.ts';
import type { LegMedia } from './leg-media.ts';

/** What {@link answerOfferlessReinvite} needs from the B2BUA. */
export interface OfferlessReinviteDeps {
  readonly stack: SipStack;
  readonly bridges: ReadonlyMap<string, Bridge>;
  readonly logger: Logger;
  /** Our Contact for the 200 (a re-INVITE is a target refresh request, RFC 3261 §12.2). */
  readonly localContact: string;
  /** The phone's answer says it holds its peer, or resumes (RFC 3264 §8.4): follow it. */
  phoneHold(channel: Channel, holding: boolean): Promise<void>;
}

/**
 * A re-INVITE without SDP in an established call (phones refreshing or retrieving a session): RFC
 * 3261 §14.2, "A UAS providing an offer in a 2xx (because the INVITE did not contain an offer)
 * SHOULD construct the offer as if the UAS were making a brand new call, subject to the
 * constraints of sending an offer that updates an existing session". The 200 carries the leg's
 * current codec and telephone-event type only (the relay does not transcode), its o= session id
 * (RFC 3264 §8), `sendonly` while the switch holds this leg for its peer, else `sendrecv`. The
 * answer in the ACK (§13.2.1) moves the leg's media; to a `sendrecv` offer a `sendonly`/`inactive`
 * answer means the phone holds its peer, `sendrecv` that it resumes. An ACK without a usable answer
 * leaves the media as they were.
 */
export function answerOfferlessReinvite(deps: OfferlessReinviteDeps, request: SipRequest, transaction: ServerTransaction, channel: Channel, media: LegMedia): void {
  const bridge = deps.bridges.get(channel.uuid);
  const direction = heldBySwitch(channel, bridge) ? 'sendonly' : 'sendrecv';
  const offer = offerInAnswer(media, channel.media.format, direction);
  const { dialog } = deps.stack.respond(transaction, 200, undefined, {
    body: Buffer.from(offer.sdp),
    contentType: 'application/sdp',
    localContact: deps.localContact,
  });
  const seq = cseqOf(request)?.seq;
  if (dialog === undefined || seq === undefined) return;
  onAckOf(dialog, seq, (ack) => {
    if (channel.closed) return;
    try {
      const answer = applyAckAnswer(channel, offer.local, ack, deps.bridges.get(channel.uuid));
      if (direction === 'sendrecv') {
        deps.phoneHold(channel, answer.remoteHold).catch((error: unknown) => deps.logger.warn({ err: error }, 'hold not applied'));
      }
    } catch (error) {
      deps.logger.warn({ err: error, channel: channel.uuid }, 'no usable answer in the ACK to our re-INVITE offer; media unchanged');
    }
  });
}

/**
 * True when the switch itself holds `channel` for its peer (the hold command re-INVITEd it
 * `sendonly`, and the phone answered `recvonly` or `inactive`): the offer keeps it held. A party
 * held by its peer's own phone was never re-INVITEd and is offered `sendrecv`.
 */
function heldBySwitch(channel: Channel, bridge: Bridge | undefined): boolean {
  if (bridge === undefined || bridge.closed || !bridge.holding || !bridge.peerOf(channel).onHold) return false;
  const phone: MediaDirection = channel.media.remoteDirection;
  return phone === 'recvonly' || phone === 'inactive';
}
