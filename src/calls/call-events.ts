import { encodeRoutingWord } from '../bus/index.ts';
import { newId, toGregorian } from '../lib/index.ts';
import type { Channel } from './channel.ts';

/** Call events the switch publishes (kazoo-reference §5.4/§5.5); later features add to this list. */
export const CALL_EVENTS = [
  'CHANNEL_CREATE',
  'CHANNEL_ANSWER',
  'CHANNEL_BRIDGE',
  'CHANNEL_UNBRIDGE',
  'CHANNEL_DESTROY',
  'CHANNEL_HOLD',
  'CHANNEL_UNHOLD',
  'CHANNEL_TRANSFEREE',
  'PARK_PARKED',
  'PARK_RETRIEVED',
  'PARK_ABANDONED',
  'DTMF',
] as const;
export type CallEventName = (typeof CALL_EVENTS)[number];

/** `call.<account>.<EVENT>.<encoded call id>`: the routing key the websocket layer scopes by account. */
export function callRoutingKey(accountId: string, event: CallEventName, callId: string): string {
  return `call.${accountId}.${event}.${encodeRoutingWord(callId)}`;
}

const CALL_STATE: Record<Channel['state'], string> = {
  new: 'DOWN',
  ringing: 'RINGING',
  early: 'EARLY',
  answered: 'ACTIVE',
  hungup: 'HANGUP',
};

/** Everything KAZOO's common call-event block carries, normalised (reference §5.5). */
export function commonEventFields(channel: Channel, event: CallEventName, now: number, appVersion: string): Record<string, unknown> {
  const p = channel.profile;
  const other = channel.otherLeg;
  const ccv = {
    ...p.customChannelVars,
    account_id: p.accountId,
    realm: p.realm,
    ...(p.authorizingId !== undefined ? { authorizing_id: p.authorizingId } : {}),
    ...(p.authorizingType !== undefined ? { authorizing_type: p.authorizingType } : {}),
    ...(p.ownerId !== undefined ? { owner_id: p.ownerId } : {}),
    ...(p.username !== undefined ? { username: p.username } : {}),
    ...(p.callflowId !== undefined ? { callflow_id: p.callflowId } : {}),
    ...(p.presenceId !== undefined ? { presence_id: p.presenceId } : {}),
  };
  return {
    event_category: 'call_event',
    event_name: event,
    call_id: p.uuid,
    msg_id: newId(),
    timestamp: toGregorian(now),
    channel_created_time: channel.createdAt * 1000,
    call_direction: p.direction,
    channel_state: CALL_STATE[channel.state] === 'HANGUP' ? 'CS_DESTROY' : 'CS_EXECUTE',
    channel_call_state: CALL_STATE[channel.state],
    channel_answer_state: channel.state === 'hungup' ? 'hangup' : channel.answered ? 'answered' : channel.state === 'early' ? 'early' : 'ringing',
    caller_id_name: p.callerIdName,
    caller_id_number: p.callerIdNumber,
    callee_id_name: p.calleeIdName,
    callee_id_number: p.calleeIdNumber,
    caller_destination_number: p.destination,
    ...(p.presenceId !== undefined ? { presence_id: p.presenceId } : {}),
    ...(p.fromTag !== undefined ? { from_tag: p.fromTag } : {}),
    ...(channel.toTag !== undefined ? { to_tag: channel.toTag } : {}),
    ...(p.userAgent !== undefined ? { user_agent: p.userAgent } : {}),
    ...(other !== undefined
      ? {
          other_leg_call_id: other.uuid,
          other_leg_direction: other.profile.direction,
          other_leg_caller_id_name: other.profile.callerIdName,
          other_leg_caller_id_number: other.profile.callerIdNumber,
          other_leg_destination_number: other.profile.destination,
        }
      : {}),
    custom_channel_vars: ccv,
    ...(p.customApplicationVars !== undefined ? { custom_application_vars: p.customApplicationVars } : {}),
    app_name: 'switchboard',
    app_version: appVersion,
  };
}

/** The fields an event adds to the common block. */
export function eventExtras(channel: Channel, event: CallEventName, now: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const p = channel.profile;
  const addressing = { to: p.toUri.replace(/^sips?:/, ''), to_uri: p.toUri, from: p.fromUri.replace(/^sips?:/, ''), from_uri: p.fromUri };
  switch (event) {
    case 'CHANNEL_CREATE':
      return { ...addressing, request: p.requestUri.replace(/^sips?:/, ''), destination_number: p.destination };
    case 'CHANNEL_ANSWER':
      return addressing;
    case 'CHANNEL_DESTROY': {
      const answeredAt = channel.answeredAt;
      const durationMs = now - channel.createdAt;
      const billingMs = answeredAt === undefined ? 0 : now - answeredAt;
      return {
        ...addressing,
        hangup_cause: channel.hangupCause ?? 'NORMAL_CLEARING',
        hangup_code: `sip:${channel.hangupCode ?? 200}`,
        duration_seconds: Math.round(durationMs / 1000),
        billing_seconds: Math.round(billingMs / 1000),
        billing_milli_seconds: billingMs,
        ringing_seconds: Math.round(((answeredAt ?? now) - channel.createdAt) / 1000),
        disposition: answeredAt === undefined ? 'NO_ANSWER' : 'ANSWER',
        ...extra,
      };
    }
    default:
      return extra;
  }
}
