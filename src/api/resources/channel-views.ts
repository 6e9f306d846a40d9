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
    elapsed_s: Math.floor((now - channel.createdAt) / 1000),
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
    elapsed_seconds: Math.floor((now - channel.createdAt) / 1000),
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
