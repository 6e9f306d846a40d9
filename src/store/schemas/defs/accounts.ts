// `accounts`: the account document (the tenant), which also carries account-level metaflows.
import { bool, int, named, num, obj, ref, str, strings } from '../json-schema.ts';
import { callerIdOptions, callRestriction, doNotDisturb, musicOnHold, ringtones, voicemailNotify } from './endpoint-parts.ts';

/** Account document schema (KAZOO `accounts`). */
export const accounts = named(
  'accounts',
  'A tenant: its realm, defaults for its users and devices, and account-wide features',
  {
    call_recording: obj(
      'Recording defaults of the account',
      {
        account: ref('call_recording', 'Recording of calls through the account'),
        endpoint: ref('call_recording', 'Recording defaults for every endpoint of the account'),
      },
      { additionalProperties: false },
    ),
    call_restriction: callRestriction,
    call_waiting: ref('call_waiting'),
    caller_id: ref('caller_id'),
    caller_id_options: callerIdOptions(true),
    dial_plan: ref('dialplans', 'Rewrites applied to numbers dialed from this account'),
    do_not_disturb: doNotDisturb,
    enabled: bool('Whether the account may use the platform', true),
    flags: strings('Feature flags for the account'),
    formatters: ref('formatters'),
    language: str('Default language of prompts (e.g. en-us)'),
    metaflows: ref('metaflows', 'Account-level DTMF feature codes'),
    music_on_hold: musicOnHold(2048),
    name: str('Display name of the account', { minLength: 1, maxLength: 128 }),
    notifications: obj('Notification state of the account', {
      first_occurrence: obj('Firsts that trigger a one-time notice', {
        sent_initial_call: bool('The first call has been reported', false),
        sent_initial_registration: bool('The first registration has been reported', false),
      }),
      low_balance: obj('Low-balance notice', {
        enabled: bool('Check the balance for this notice'),
        last_notification: int('When the last notice was sent (Gregorian seconds)'),
        sent_low_balance: bool('A notice has been sent for the current low balance'),
        threshold: num('Balance below which the notice is sent'),
      }),
    }),
    org: str('Full legal name of the organisation'),
    preflow: obj('Callflow run before every other callflow', { always: str('Id of that callflow') }, { default: {}, additionalProperties: false }),
    realm: str('SIP realm (domain) of the account', { minLength: 4, maxLength: 253, pattern: '^[.\\w-]+$' }),
    ringtones,
    timezone: str('Default time zone (e.g. America/New_York)', { minLength: 5, maxLength: 32 }),
    topup: obj('Automatic credit top-up', { threshold: num('Balance below which credit is added') }),
    voicemail: voicemailNotify,
    zones: obj('Zones the account may use, in priority order'),
  },
  { required: ['name'] },
);
