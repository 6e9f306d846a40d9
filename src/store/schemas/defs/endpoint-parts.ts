// Property groups shared by the account, user and device schemas (not schemas of their own).
import { bool, choice, obj, str, type JsonSchema } from '../json-schema.ts';

/** `call_forward`: forwarding of calls for a user or device. */
export const callForward: JsonSchema = obj('Call forwarding', {
  direct_calls_only: bool('Forward only calls made directly to this endpoint (not group calls)', false),
  enabled: bool('Forward calls', false),
  failover: bool('Forward only when the endpoint cannot be reached', false),
  ignore_early_media: bool('Ignore early media from the forward destination', true),
  keep_caller_id: bool('Present the original caller id to the forward destination', true),
  number: str('Number to forward to', { maxLength: 35 }),
  require_keypress: bool('The forward destination must press a key to accept', true),
  substitute: bool('Ring the forward number instead of the endpoint (not as well as)', true),
});

/** `call_restriction`: per call classifier (`international`, `tollfree_us`...), whether calls are refused. */
export const callRestriction: JsonSchema = obj('Call restrictions by number classifier', {}, {
  default: {},
  additionalProperties: obj('Restriction of one classifier', {
    action: choice('`deny` refuses these calls; `inherit` defers to the next level', ['inherit', 'deny']),
  }),
});

/** `caller_id_options`: privacy of outbound calls (accounts add `show_rate`). */
export function callerIdOptions(withShowRate: boolean): JsonSchema {
  const outboundPrivacy = choice('What to hide on outbound calls', ['full', 'name', 'number', 'none']);
  return obj(
    'Caller id behaviour',
    withShowRate ? { outbound_privacy: outboundPrivacy, show_rate: bool('Show the per-minute rate to the caller') } : { outbound_privacy: outboundPrivacy },
  );
}

/** `contact_list`: whether the endpoint appears in the account contact list. */
export const contactList: JsonSchema = obj('Contact list options', { exclude: bool('Leave this endpoint out of the contact list') }, { default: {} });

/** `do_not_disturb`: refuse all calls while enabled. */
export const doNotDisturb: JsonSchema = obj('Do not disturb', { enabled: bool('Refuse incoming calls') });

/** `music_on_hold`: media played to callers on hold. */
export function musicOnHold(maxLength: number): JsonSchema {
  return obj('Music on hold', { media_id: str('Media id or URL of the hold music', { maxLength }) }, { default: {} });
}

/** `ringtones`: alert-info values for internal and external calls. */
export const ringtones: JsonSchema = obj(
  'Distinctive ringing',
  {
    external: str('Alert-Info for calls from outside', { maxLength: 256 }),
    internal: str('Alert-Info for calls from inside', { maxLength: 256 }),
  },
  { default: {} },
);

/** `voicemail.notify.callback`: call-out notifications for new voicemail. */
export const voicemailNotify: JsonSchema = obj('Voicemail options', {
  notify: obj('How new voicemail is announced', { callback: { $ref: 'notify.callback', description: 'Call-out notification' } }),
});
