import { parseCSeq, type ServerTransaction, type SipRequest } from '../../sip/index.ts';
import type { CallContext } from '../call-context.ts';
import { CallCommandError } from '../call-control.ts';
import type { Channel } from '../channel.ts';
import { connect, release, sameCodec } from './leg-moves.ts';
import { findReplacedLeg } from './replaced-leg.ts';
import { BadTransferHeader, parseReferTo, type ReferTarget, type ReplacesTarget } from './refer-to.ts';
import { ReferSubscription } from './refer-subscription.ts';
import type { TransferLegs } from './transfer-legs.ts';
import type { TransferMode } from './transfer-machine.ts';
import { publishTransferee, type TransferSource } from './transferee-event.ts';
import { UnknownTransferTarget } from './unknown-transfer-target.ts';

/** What the REFER handler needs from the transfers (kept narrow: no import cycle with transfers.ts). */
export interface ReferHost {
  readonly dismissMs: number;
  /** True while the channel takes part in a transfer. */
  busy(channel: Channel): boolean;
  begin(
    transferor: Channel,
    transferee: Channel,
    target: string,
    how: { mode: TransferMode; source: TransferSource; takebackDtmf: string; subscription?: ReferSubscription },
  ): Promise<TransferLegs>;
}

/**
 * An in-dialog REFER from a phone (RFC 3515): the leg it came on is the transferor, its peer the
 * transferee. Accepted with 202, progress reported by NOTIFY (100, then the outcome). A Refer-To
 * with Replaces (RFC 3891 §3, RFC 5589 §7) joins the transferee with the peer of the replaced leg
 * at once; otherwise the Refer-To user is routed through the callflows like a dialed number.
 */
export function handleRefer(context: CallContext, host: ReferHost, request: SipRequest, transaction: ServerTransaction, transferor: Channel): void {
  const { stack } = context;
  const log = context.logger.child({ category: 'transfer', transferor: transferor.uuid });
  // RFC 3515 §2.4.1: "A REFER request MUST contain exactly one Refer-To header field value."
  const values = request.headers.getAll('Refer-To');
  if (values.length !== 1) {
    stack.respond(transaction, 400, 'Exactly One Refer-To Required');
    return;
  }
  let target: ReferTarget;
  try {
    target = parseReferTo(values[0] ?? '');
  } catch (error) {
    stack.respond(transaction, 400, error instanceof BadTransferHeader ? 'Bad Refer-To' : undefined);
    return;
  }
  const dialog = transferor.dialog;
  const bridge = context.bridges.get(transferor.uuid);
  if (dialog === undefined || dialog.state !== 'confirmed' || bridge === undefined || bridge.closed) {
    stack.respond(transaction, 403, 'Call Not Bridged');
    return;
  }
  const transferee = bridge.peerOf(transferor);
  if (host.busy(transferor) || host.busy(transferee)) {
    stack.respond(transaction, 491);
    return;
  }
  if (target.replaces === undefined && target.user === '') {
    stack.respond(transaction, 400, 'Refer-To Without Number');
    return;
  }
  // RFC 4488: `Refer-Sub: false` asks for no implicit subscription (no NOTIFY).
  const subscribe = (request.headers.get('Refer-Sub') ?? '').trim().toLowerCase() !== 'false';
  stack.respond(transaction, 202, undefined, { headers: subscribe ? [] : [['Refer-Sub', 'false']] });
  const cseq = referCSeq(request);
  const subscription = new ReferSubscription(stack, dialog, cseq, log, subscribe);
  subscription.notify(100);
  log.info({ referTo: target.uri, attended: target.replaces !== undefined }, 'REFER accepted');

  if (target.replaces !== undefined) {
    attended(context, host, transferor, transferee, target.uri, target.replaces, subscription);
    return;
  }
  host.begin(transferor, transferee, target.user, { mode: 'refer', source: 'refer', takebackDtmf: '', subscription }).catch((error: unknown) => {
    // The call stays as it was; the phone learns why from the final NOTIFY.
    if (!(error instanceof CallCommandError)) log.error({ err: error }, 'REFER transfer failed');
    subscription.notify(error instanceof UnknownTransferTarget ? 404 : error instanceof CallCommandError ? 488 : 500);
  });
}

/**
 * Attended transfer by REFER with Replaces: the transferor A holds call 1 with the transferee B
 * and call 2 (the replaced dialog) with the target C. B and C are bridged, both of A's legs end
 * (we BYE A's call-2 leg as the target of RFC 5589 §7.1 would; A BYEs call 1 after the NOTIFY).
 */
function attended(context: CallContext, host: ReferHost, transferor: Channel, transferee: Channel, referTo: string, replaces: ReplacesTarget, subscription: ReferSubscription): void {
  const replaced = findReplacedLeg(context, replaces)?.channel;
  const bridge = replaced === undefined ? undefined : context.bridges.get(replaced.uuid);
  const target = bridge === undefined || bridge.closed || replaced === undefined ? undefined : bridge.peerOf(replaced);
  if (
    replaced === undefined ||
    target === undefined ||
    replaced === transferor ||
    target === transferee ||
    !replaced.answered ||
    replaced.profile.accountId !== transferor.profile.accountId ||
    host.busy(replaced) ||
    host.busy(target)
  ) {
    subscription.notify(481);
    return;
  }
  if (!sameCodec(transferee, target)) {
    subscription.notify(488);
    return;
  }
  release(context, transferor);
  release(context, replaced);
  if (connect(context, transferee, target) === undefined) {
    subscription.notify(487);
    return;
  }
  publishTransferee(context, { transferee, transferor, target, transferTo: referTo, type: 'attended', source: 'refer' });
  subscription.notify(200);
  replaced.hangup('NORMAL_CLEARING');
  if (!transferor.closed) transferor.after(host.dismissMs, () => transferor.hangup('NORMAL_CLEARING'));
}

/** The REFER's CSeq number: the `id` of its subscription's `Event: refer` (RFC 3515 §2.4.6). */
function referCSeq(request: SipRequest): number {
  try {
    return parseCSeq(request.headers.get('CSeq') ?? '').seq;
  } catch {
    return 1;
  }
}
