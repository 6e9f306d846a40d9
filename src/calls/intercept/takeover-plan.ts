import type { Bridge } from '../bridge.ts';
import type { CallContext, PendingDial } from '../call-context.ts';
import { CallCommandError } from '../call-control.ts';
import type { Channel } from '../channel.ts';

/** Who stays on a call that another device takes, and how the call stands now. */
export type TakeoverPlan =
  /** The call rings (`dial`): the target's answer is handed to the dial's owner, the ringing legs get CANCEL. */
  | { readonly kind: 'ringing'; readonly dial: PendingDial; readonly kept: Channel | undefined }
  /** The call is up: `kept` is bridged to the target's answer and whoever it talks to now is hung up. */
  | { readonly kind: 'bridged'; readonly kept: Channel; readonly leaving: Channel }
  /** An answered channel talking to nobody (parked, listening to a prompt): it is bridged to the target's answer. */
  | { readonly kind: 'alone'; readonly kept: Channel };

/**
 * KAZOO `intercept` on `channel` (reference §3.7): whichever leg is named, the caller stays and the
 * callee's leg loses the call. A ringing call (either leg of it) is taken from the phones that ring;
 * an answered one from the callee, unless `unbridgedOnly` refuses it.
 */
export function planIntercept(context: Pick<CallContext, 'dials' | 'bridges'>, channel: Channel, unbridgedOnly: boolean): TakeoverPlan {
  if (channel.closed) throw new CallCommandError('call_id', 'invalid', 'Channel is gone');
  const dial = context.dials?.get(channel.uuid);
  if (dial !== undefined && !dial.done) return { kind: 'ringing', dial, kept: dial.peer };
  const bridge = context.bridges.get(channel.uuid);
  if (bridge !== undefined && !bridge.closed) {
    if (unbridgedOnly) throw new CallCommandError('unbridged_only', 'invalid', 'The call is already answered and bridged');
    const { caller, callee } = rolesOf(bridge);
    return { kind: 'bridged', kept: caller, leaving: callee };
  }
  if (channel.answered) return { kind: 'alone', kept: channel };
  throw new CallCommandError('call_id', 'invalid', 'Channel is neither ringing nor answered');
}

/**
 * KAZOO `move` (reference §3.7): `channel`'s device gives its call away; the other party stays and
 * is bridged to whichever device of the owner answers.
 */
export function planMove(context: Pick<CallContext, 'bridges'>, channel: Channel): TakeoverPlan {
  const bridge = context.bridges.get(channel.uuid);
  if (channel.closed || bridge === undefined || bridge.closed) throw new CallCommandError('other_leg_call_id', 'required', 'Channel is not bridged');
  return { kind: 'bridged', kept: bridge.peerOf(channel), leaving: channel };
}

/**
 * The caller and the callee of a bridge: the callee is the leg that was dialed for the other (its
 * `other_leg_call_id` channel var names it); otherwise the bridge's A side is the caller.
 */
export function rolesOf(bridge: Pick<Bridge, 'a' | 'b'>): { caller: Channel; callee: Channel } {
  const dialedFor = (leg: Channel, other: Channel): boolean => leg.profile.customChannelVars?.['other_leg_call_id'] === other.uuid;
  if (dialedFor(bridge.a, bridge.b) && !dialedFor(bridge.b, bridge.a)) return { caller: bridge.b, callee: bridge.a };
  return { caller: bridge.a, callee: bridge.b };
}

/** The name and number a party of a call goes by: an inbound leg's caller id, an outbound leg's callee id. */
export function identityOf(channel: Channel): { name: string; number: string } {
  const p = channel.profile;
  return p.direction === 'inbound' ? { name: p.callerIdName, number: p.callerIdNumber } : { name: p.calleeIdName, number: p.calleeIdNumber };
}
