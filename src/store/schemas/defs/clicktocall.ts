// `clicktocall`: a stored click-to-call endpoint (kazoo-reference §4.1).
import { bool, bypassMedia, choice, customSipHeaders, int, named, obj, str, type JsonSchema } from '../json-schema.ts';

/** Click-to-call document schema (KAZOO `clicktocall`). */
export const clicktocall = named(
  'clicktocall',
  'Calls a fixed extension, then connects it to the contact given when invoked',
  {
    auth_required: bool('Invoking it needs an auth token', true),
    bypass_media: bypassMedia('Let RTP flow directly between the parties'),
    caller_id_number: str('Caller id number presented to the contact'),
    custom_application_vars: obj('Variables set on the call (name → value)', {}, {
      default: {},
      patternProperties: { '[a-zA-Z0-9\\-_]+': str('Variable value') },
    }),
    custom_sip_headers: customSipHeaders('Extra headers on the call legs'),
    dial_first: choice('Which party is called first', ['extension', 'contact']),
    extension: str('Extension (or number) called first'),
    media: obj('Media options', { ignore_early_media: bool('Ignore early media from the called party') }),
    music_on_hold: obj('Hold music', { media_id: str('Media id or URL of the hold music', { maxLength: 2048 }) }),
    name: str('Display name', { minLength: 1, maxLength: 128 }),
    outbound_callee_id_name: str('Callee name shown to the extension'),
    outbound_callee_id_number: str('Callee number shown to the extension'),
    presence_id: str('Presence id of the call'),
    ringback: str('Media played while the second party rings'),
    throttle: int('Largest number of invocations per minute (accepted; see compatibility notes)'),
    timeout: int('Seconds to ring each party'),
    whitelist: { type: 'array', description: 'Regular expressions a contact must match', items: { type: 'string', minLength: 1 } } satisfies JsonSchema,
  },
  { required: ['extension', 'name'] },
);
