import type { Channel } from '../../calls/index.ts';

// Views may hold undefined values: JSON leaves those keys out, as KAZOO sends only the set keys.
// (Copying to drop them cost three quarters of a 2,000-leg listing: bench:events.)

function ccv(channel: Channel): Record<string, unknown> {
  const p = channel.profile;
  return {
    ...p.customChannelVars,
    account_id: p.accountId,
    authorizing_id: p.authorizingId,
    authorizing_type: p.authorizingType,
    owner_id: p.ownerId,
    realm: p.realm,
    username: p.username,
  };
}

/** Whole seconds since the channel was created (KAZOO `elapsed_s`). */
export function elapsedSeconds(channel: Channel, now: number): number {
  return Math.floor((now - channel.createdAt) / 1000);
}

/**
 * A channel as KAZOO lists it (reference §2.2: ecallmgr's summary keys). `bridge_id` is kept,
 * unlike KAZOO, because SmartPBX counts calls by it (CLIENTS.md).
 */
export function channelSummary(channel: Channel, now: number): Record<string, unknown> {
  const p = channel.profile;
  return {
    answered: channel.answered,
    authorizing_id: p.authorizingId,
    authorizing_type: p.authorizingType,
    bridge_id: channel.bridgeId ?? channel.uuid,
    callflow_id: p.callflowId,
    custom_channel_vars: ccv(channel),
    destination: p.destination,
    direction: p.direction,
    elapsed_s: elapsedSeconds(channel, now),
    // Only scalars from here on: channelSummaryJson finds `elapsed_s` as the last one in the text.
    from_tag: p.fromTag,
    is_loopback: false,
    is_onhold: channel.onHold,
    other_leg: channel.otherLeg?.uuid,
    owner_id: p.ownerId,
    presence_id: p.presenceId,
    timestamp: channel.timestamp,
    to_tag: channel.toTag,
    username: p.username,
    uuid: channel.uuid,
  };
}

const ELAPSED_ZERO = '"elapsed_s":0';

/**
 * {@link channelSummary} as JSON text around the one value that changes with time:
 * `head + elapsed_s + tail` is exactly `JSON.stringify(channelSummary(channel, now))`.
 */
export function channelSummaryJson(channel: Channel): { readonly head: string; readonly tail: string } {
  const text = JSON.stringify(channelSummary(channel, channel.createdAt));
  // A string value cannot hold this text (its quotes would be escaped), and the keys after
  // `elapsed_s` are scalars, so the last occurrence is the top-level key even when a custom
  // channel variable is called `elapsed_s`.
  const at = text.lastIndexOf(ELAPSED_ZERO);
  if (at < 0) throw new Error('channel summary without elapsed_s');
  const value = at + ELAPSED_ZERO.length - 1;
  return { head: text.slice(0, value), tail: text.slice(value + 1) };
}

/** One channel in detail (reference §2.3: the Title-Case keys normalised: `call_id`, `call_direction`...). */
export function channelDetail(channel: Channel, now: number): Record<string, unknown> {
  const p = channel.profile;
  return {
    answered: channel.answered,
    authorizing_id: p.authorizingId,
    authorizing_type: p.authorizingType,
    bridge_id: channel.bridgeId ?? channel.uuid,
    call_direction: p.direction,
    call_id: channel.uuid,
    callee_id_name: p.calleeIdName,
    callee_id_number: p.calleeIdNumber,
    caller_id_name: p.callerIdName,
    caller_id_number: p.callerIdNumber,
    callflow_id: p.callflowId,
    channel_state: channel.state,
    custom_channel_vars: ccv(channel),
    destination: p.destination,
    elapsed_seconds: elapsedSeconds(channel, now),
    from: p.fromUri.replace(/^sips?:/, ''),
    from_tag: p.fromTag,
    is_loopback: false,
    is_on_hold: channel.onHold,
    other_leg_call_id: channel.otherLeg?.uuid,
    owner_id: p.ownerId,
    presence_id: p.presenceId,
    timestamp: channel.timestamp,
    to: p.toUri.replace(/^sips?:/, ''),
    to_tag: channel.toTag,
    username: p.username,
    user_agent: p.userAgent,
  };
}
