import type { G711Codec } from '../../media/index.ts';
import { type InviteServerTransaction, type ServerTransaction, type SipRequest } from '../../sip/index.ts';
import { enlist, type CallContext } from '../call-context.ts';
import { Channel } from '../channel.ts';
import { inboundProfile } from '../inbound-profile.ts';
import { InboundLeg } from '../inbound-leg.ts';
import { answerOffer } from '../answer-offer.ts';
import type { AuthenticatedCaller, CallerAuthenticator } from '../ports.ts';
import { connect, release } from './leg-moves.ts';
import { BadTransferHeader, parseReplaces, type ReplacesTarget } from './refer-to.ts';
import { findReplacedLeg } from './replaced-leg.ts';
import { publishTransferee } from './transferee-event.ts';

/**
 * An INVITE with a Replaces header (RFC 3891 §3): when it names one of our confirmed, bridged legs
 * (in the caller's account), the new caller takes that leg's place — it is answered with the
 * codec of the leg's peer, bridged to that peer, and the replaced leg gets BYE. Nothing matches →
 * 481; a leg in a transfer → 491; `early-only` against a confirmed dialog → 486; a malformed header → 400. Always handles the
 * request (resolves true).
 */
export async function handleReplacesInvite(
  context: CallContext,
  authenticator: CallerAuthenticator,
  /** True for a leg already in a transfer (it cannot be replaced meanwhile). */
  busy: (channel: Channel) => boolean,
  request: SipRequest,
  transaction: ServerTransaction,
): Promise<boolean> {
  const { stack } = context;
  const tx = transaction as InviteServerTransaction;
  const log = context.logger.child({ category: 'transfer', callId: request.callId });
  let replaces: ReplacesTarget;
  try {
    // RFC 3891 §3: a request with more than one Replaces header field "MUST" be rejected with 400.
    const values = request.headers.getAll('Replaces');
    if (values.length !== 1) throw new BadTransferHeader('exactly one Replaces header is allowed');
    replaces = parseReplaces(values[0] ?? '');
  } catch (error) {
    stack.respond(tx, 400, error instanceof BadTransferHeader ? 'Bad Replaces' : undefined);
    return true;
  }
  // RFC 3891 §6: only a caller we authenticated may take over a dialog.
  const caller = await authenticator.authenticate(request, tx, { proxy: true });
  if (caller === undefined) return true;
  const found = findReplacedLeg(context, replaces);
  const replaced = found?.channel;
  if (found === undefined || replaced === undefined || found.dialog.state !== 'confirmed' || replaced.profile.accountId !== caller.account._id) {
    // Early dialogs (call pickup) are not taken over here: the intercept feature does that.
    stack.respond(tx, 481);
    return true;
  }
  if (replaces.earlyOnly) {
    stack.respond(tx, 486);
    return true;
  }
  const peerBridge = context.bridges.get(replaced.uuid);
  if (peerBridge === undefined || peerBridge.closed) {
    stack.respond(tx, 481);
    return true;
  }
  const peer = peerBridge.peerOf(replaced);
  if (busy(replaced) || busy(peer)) {
    stack.respond(tx, 491);
    return true;
  }
  const newcomer = await answerNewcomer(context, request, tx, caller, peer.media.format.codec);
  if (newcomer === undefined) return true;
  // The offer/answer took a moment: the leg to replace may be gone since.
  if (replaced.closed || peer.closed || context.bridges.get(replaced.uuid)?.peerOf(replaced) !== peer) {
    newcomer.hangup('NORMAL_CLEARING');
    return true;
  }
  release(context, replaced);
  connect(context, newcomer, peer);
  publishTransferee(context, { transferee: peer, transferor: replaced, target: newcomer, transferTo: request.uri, type: 'attended', source: 'replaces' });
  // RFC 3891 §3: the replaced dialog is then ended with BYE.
  replaced.hangup('NORMAL_CLEARING');
  log.info({ replaced: replaced.uuid, by: newcomer.uuid, peer: peer.uuid }, 'dialog replaced');
  return true;
}

/** Answers the INVITE as a new inbound channel offering only `codec` (no transcoding). */
async function answerNewcomer(
  context: CallContext,
  request: SipRequest,
  tx: InviteServerTransaction,
  caller: AuthenticatedCaller,
  codec: G711Codec,
): Promise<Channel | undefined> {
  const { stack, engine } = context;
  const offer = await answerOffer({ stack, engine, logger: context.logger }, request, tx, [codec]);
  if (offer === undefined) return undefined;
  const { endpoint, sdp, media } = offer;
  const uuid = context.channels.get(request.callId) === undefined ? request.callId : `${request.callId}-${endpoint.port}`;
  const channel = new Channel(
    inboundProfile(request, caller, { uuid, authorizingType: 'device' }),
    endpoint,
    context.clock,
    context.logger,
  );
  channel.formatChanged();
  channel.localMedia = media;
  const leg = new InboundLeg(stack, tx, context.localContact(request.source?.transport ?? 'udp'), (dialog) => {
    context.registerDialog(dialog, channel, media);
    channel.setToTag(dialog.id.localTag);
  });
  channel.setSignalling(leg);
  enlist(context, channel);
  if (leg.answer(sdp) === undefined) {
    channel.ended('ORIGINATOR_CANCEL');
    return undefined;
  }
  channel.transition('answered');
  if (context.maxCallMs > 0) channel.after(context.maxCallMs, () => channel.hangup('ALLOTTED_TIMEOUT'));
  return channel;
}
