import type { Dialog } from '../../sip/index.ts';
import type { CallContext } from '../call-context.ts';
import type { Channel } from '../channel.ts';
import type { ReplacesTarget } from './refer-to.ts';

/** One of our legs that a Replaces names, with its dialog. */
export interface ReplacedLeg {
  readonly channel: Channel;
  readonly dialog: Dialog;
}

/**
 * RFC 3891 §3: "The User Agent Server (UAS) matches the to-tag and from-tag parameters as if they
 * were tags present in an incoming request. In other words, the to-tag parameter is compared to
 * the local tag, and the from-tag parameter is compared to the remote tag." The dialog must be one
 * of our live legs.
 */
export function findReplacedLeg(context: CallContext, replaces: ReplacesTarget): ReplacedLeg | undefined {
  const dialog = context.stack.dialogs.get({ callId: replaces.callId, localTag: replaces.toTag, remoteTag: replaces.fromTag });
  if (dialog === undefined || dialog.terminated) return undefined;
  const channel = context.channels.all().find((c) => !c.closed && c.dialog === dialog);
  return channel === undefined ? undefined : { channel, dialog };
}
