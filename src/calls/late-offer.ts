import type { Logger } from '../lib/index.ts';
import {
  createOffer,
  offeredFormat,
  readAnswer,
  SdpNegotiationError,
  type LocalMedia,
  type MediaDirection,
  type MediaFormat,
  type NegotiatedMedia,
  type SdpOrigin,
} from '../media/index.ts';
import { cseqOf, type Dialog, type SipRequest } from '../sip/index.ts';
import type { Bridge } from './bridge.ts';
import type { Channel } from './channel.ts';
import type { LegMedia } from './leg-media.ts';

/** An offer of ours for a 2xx, and the local media it describes (what the answer is read against). */
export interface OfferInAnswer {
  readonly sdp: string;
  readonly local: LocalMedia;
}

/**
 * RFC 3264 §5: our offer on a leg's endpoint for the 2xx to an INVITE that carried none. With
 * `agreed` (the codec and telephone-event type the leg must use: its bridged peer's, or its own in
 * a running session) exactly that codec is offered — the switch relays without transcoding;
 * without it, every codec of `media.local`. The leg's origin keeps the session id and bumps the
 * version only when the SDP changed (RFC 3264 §8).
 */
export function offerInAnswer(media: LegMedia, agreed: MediaFormat | undefined, direction: MediaDirection = 'sendrecv'): OfferInAnswer {
  const local: LocalMedia =
    agreed === undefined
      ? { ...media.local, direction }
      : { ...media.local, codecs: [agreed.codec], dtmfPayloadType: agreed.telephoneEventPayloadType ?? null, direction };
  return { sdp: createOffer(local, media.origin), local };
}

/**
 * Calls `handler` once with the ACK of the 2xx to the INVITE numbered `inviteSeq` (RFC 3261
 * §13.3.1.4: the ACK of a 2xx reaches the UAS core, not a transaction; the dialog reports it once).
 * Nothing happens if the dialog ends first (no ACK within 64*T1 is the dialog's `ackTimeout`).
 */
export function onAckOf(dialog: Dialog, inviteSeq: number, handler: (ack: SipRequest) => void): void {
  const stop = (): void => {
    offAck();
    offEnd();
  };
  const offAck = dialog.on('ack', (ack) => {
    if (cseqOf(ack)?.seq !== inviteSeq) return;
    stop();
    handler(ack);
  });
  const offEnd = dialog.on('terminated', stop);
}

/**
 * RFC 3261 §13.2.1: when the offer was in the 2xx, "the answer MUST be in the ACK". Reads it against
 * `local` (what we offered) and applies it to the channel: codec and payload types (its DTMF
 * detector and its bridge's payload renumbering follow) and where to send. Throws
 * {@link SdpNegotiationError} (no SDP in the ACK, nothing usable, or a codec other than the bridged
 * peer's) or SdpParseError, having changed nothing.
 */
export function applyAckAnswer(channel: Channel, local: LocalMedia, ack: SipRequest, bridge: Bridge | undefined): NegotiatedMedia {
  if (ack.body.length === 0) throw new SdpNegotiationError('no_audio', 'the ACK carries no answer to our offer');
  const negotiated = readAnswer(ack.body.toString('utf8'), local);
  // The relay does not transcode: a peer bridged while we waited for this answer (dialled with
  // every codec, because ours was not known yet) must have picked the same codec.
  const peer = bridge?.peerOf(channel);
  if (peer !== undefined && peer.media.format.codec !== negotiated.format.codec) {
    throw new SdpNegotiationError('no_audio', `the ACK answers ${negotiated.format.codec} but the bridged leg uses ${peer.media.format.codec}`);
  }
  channel.media.setFormat(negotiated.format);
  channel.media.setRemote(negotiated.remote);
  channel.formatChanged();
  bridge?.formatsChanged();
  return negotiated;
}

/** What {@link LateOffer.expectAnswer} needs from the call. */
export interface LateOfferContext {
  readonly bridges: ReadonlyMap<string, Bridge>;
  readonly logger: Logger;
}

/**
 * The caller's leg of an INVITE without SDP (RFC 3261 §13.2.1 "delayed offer", RFC 3264 §5). No
 * offer may go in an unreliable 1xx, so the switch offers in the 2xx and the caller answers in the
 * ACK. Until then {@link awaitingAnswer} is true: the endpoint's format is only the one offered.
 */
export class LateOffer implements LegMedia {
  readonly local: LocalMedia;
  readonly origin: SdpOrigin;
  #awaiting = true;

  /** `local`: the leg's endpoint and every codec the switch can offer, in preference order. */
  constructor(local: LocalMedia, origin: SdpOrigin) {
    this.local = local;
    this.origin = origin;
  }

  get awaitingAnswer(): boolean {
    return this.#awaiting;
  }

  /**
   * Our offer for the 2xx: `agreed` (the callee's codec when the caller is answered to be bridged),
   * else every codec we support. The endpoint takes the offered format meanwhile, so a prompt or a
   * bridge started before the ACK already uses it.
   */
  offer(channel: Channel, agreed: MediaFormat | undefined): OfferInAnswer {
    const offer = offerInAnswer(this, agreed);
    channel.media.setFormat(offeredFormat(offer.local));
    channel.formatChanged();
    return offer;
  }

  /**
   * Takes the answer from the ACK of `dialog`'s 2xx to `invite` and applies it. An ACK without a
   * usable answer leaves no session to keep: the call ends with BYE (§15) and
   * INCOMPATIBLE_DESTINATION, which its bridge passes on to the other leg.
   */
  expectAnswer(ctx: LateOfferContext, channel: Channel, dialog: Dialog, invite: SipRequest, offered: LocalMedia): void {
    const seq = cseqOf(invite)?.seq;
    if (seq === undefined) return;
    onAckOf(dialog, seq, (ack) => {
      if (channel.closed) return;
      try {
        applyAckAnswer(channel, offered, ack, ctx.bridges.get(channel.uuid));
        this.#awaiting = false;
      } catch (error) {
        ctx.logger.warn({ err: error, channel: channel.uuid }, 'no usable answer in the ACK to our offer');
        channel.hangup('INCOMPATIBLE_DESTINATION');
      }
    });
  }
}
