// `callflows`: numbers/patterns → a tree of flow nodes (`callflows.action`), and the data schemas of
// the callflow modules Switchboard routes (`callflows.<module>`).
import { MODULE_SCHEMAS_KEYWORD, arr, bool, choice, customSipHeaders, DTMF_TERMINATORS, int, named, obj, ref, str, strings, type JsonSchema } from '../json-schema.ts';

/** `callflows.action`: one node of a callflow tree; its `data` is checked against `callflows.<module>` when we have that schema. */
export const callflowAction = named(
  'callflows.action',
  'A callflow node: the module to run, its arguments and the branches that may follow',
  {
    children: obj('Branches keyed by the outcome that selects them (`_` is the default branch)', {}, { patternProperties: { '.+': ref('callflows.action') } }),
    data: obj('Arguments of the module', {}, { default: {} }),
    module: str('Name of the callflow module to run', { minLength: 1, maxLength: 64 }),
  },
  { required: ['data', 'module'], [MODULE_SCHEMAS_KEYWORD]: { prefix: 'callflows', kind: 'callflow', unknown: 'accept' } },
);

/** Callflow document schema (KAZOO `callflows`). */
export const callflows = named('callflows', 'Which numbers and patterns a call can dial, and what then happens to it', {
  featurecode: obj('Feature-code bookkeeping when this callflow implements one', {
    name: str('Name of the feature', { minLength: 1, maxLength: 128 }),
    number: str('Digits of the feature code', { minLength: 1, maxLength: 30 }),
  }),
  flags: strings('Flags set by other applications'),
  flow: ref('callflows.action', 'Root node of the flow'),
  metaflow: ref('metaflows', 'DTMF feature codes active on calls through this callflow'),
  name: str('Display name of the callflow'),
  numbers: arr('Exact numbers that select this callflow', { type: 'string', minLength: 1, maxLength: 36 }, { default: [], uniqueItems: true }),
  patterns: arr('Regular expressions that select this callflow (captures become the flow input)', { type: 'string', minLength: 1 }, { default: [] }),
  ringback: obj('Ringback media', { early: str('Media id played as early media'), transfer: str('Media id played during transfers') }),
});

const skipModule = bool('Skip this node and continue with its default child');

/** Shared by `callflows.device` and `callflows.user`. */
const endpointCommon = {
  can_call_self: bool('The endpoint may ring itself'),
  can_text_self: bool('The endpoint may message itself'),
  custom_sip_headers: obj('Extra SIP headers on the outbound leg'),
  delay: int('Seconds to wait before ringing', { default: 0 }),
  id: str('Id of the endpoint to ring'),
  skip_module: skipModule,
  static_invite: str('Fixed Request-URI user part'),
  suppress_clid: bool('Hide the caller id'),
} as const satisfies Record<string, JsonSchema>;

/** `callflows.device`: ring one device. */
export const callflowDevice = named('callflows.device', 'Ring one device', {
  ...endpointCommon,
  dial_strategy: choice('How to ring several registrations of the device', ['simultaneous', 'single'], 'simultaneous'),
  timeout: int('Seconds to ring', { default: 0 }),
});

/** `callflows.user`: ring every device of a user. */
export const callflowUser = named('callflows.user', 'Ring the devices of a user', {
  ...endpointCommon,
  fail_on_single_reject: bool('Stop when any one device rejects the call'),
  strategy: choice('How to ring the devices', ['simultaneous', 'single'], 'simultaneous'),
  timeout: int('Seconds to ring', { default: 20 }),
});

/** `callflows.ring_group`: ring a list of devices, users and groups. */
export const callflowRingGroup = named(
  'callflows.ring_group',
  'Ring several endpoints',
  {
    endpoints: arr(
      'Endpoints to ring',
      obj(
        'One member',
        {
          delay: int('Seconds to wait before ringing this member', { default: 0 }),
          endpoint_type: choice('Kind of member', ['device', 'user', 'group']),
          id: str('Id of the member', { minLength: 1, maxLength: 128 }),
          timeout: int('Seconds to ring this member', { default: 20 }),
          weight: int('Weight for weighted_random', { minimum: 1, maximum: 100 }),
        },
        { required: ['endpoint_type', 'id'] },
      ),
      { minItems: 1 },
    ),
    fail_on_single_reject: bool('Stop when any one member rejects the call'),
    ignore_forward: bool('Do not follow call forwarding of members', true),
    repeats: int('How many times to go through the list', { default: 1, minimum: 1 }),
    ringback: str('Media played to the caller while ringing'),
    ringtones: obj('Distinctive ringing', { external: str('Alert-Info for external calls'), internal: str('Alert-Info for internal calls') }),
    skip_module: skipModule,
    strategy: choice('Ring order', ['simultaneous', 'single', 'weighted_random'], 'simultaneous'),
    timeout: int('Seconds to ring the group', { default: 20 }),
  },
  { required: ['endpoints'] },
);

/** `callflows.park`: park or retrieve a call in a slot. */
export const callflowPark = named('callflows.park', 'Park or retrieve calls', {
  action: choice('What to do', ['direct_park', 'park', 'retrieve', 'auto'], 'park'),
  custom_presence_id: bool('Use presence_id for slot presence', false),
  default_callback_timeout: int('Milliseconds to ring the parker back once ring-back starts'),
  default_presence_type: choice('Presence state shown for an occupied slot', ['early', 'terminated', 'confirmed']),
  default_ringback_timeout: int('Milliseconds a parked call waits before ringing back the parker'),
  max_slot_number: int('Highest slot number'),
  presence_id: str('Presence id of the slot'),
  skip_module: skipModule,
  slot: str('Fixed slot number'),
  slots: obj('Per-slot settings', {}, { default: {} }),
});

/** `callflows.play`: play a media file. */
export const callflowPlay = named('callflows.play', 'Play media to the caller', {
  answer: bool('Answer the call before playing'),
  endless_playback: bool('Repeat until the caller hangs up', false),
  id: str('Media id or URL to play'),
  loop_count: int('How many times to play', { minimum: 1 }),
  skip_module: skipModule,
  terminators: arr('DTMF keys that stop playback', { type: 'string' }, { default: [...DTMF_TERMINATORS] }),
});

/** Shared by `callflows.offnet` and `callflows.resources`: send the call to a carrier. */
function carrierRoute(id: string, description: string): JsonSchema {
  return named(id, description, {
    bypass_e164: bool('Send the dialed number as is, not normalised to E.164'),
    caller_id_type: str('Which caller id (internal, external, emergency) to present', { default: 'external' }),
    custom_sip_headers: customSipHeaders('Extra headers on the carrier leg'),
    do_not_normalize: bool('Do not normalise the dialed number'),
    dynamic_flags: strings('Call variables whose values become carrier flags'),
    emit_account_id: bool('Send the account id to the carrier'),
    format_from_uri: bool('Build the From URI from the caller id'),
    from_uri_realm: str('Realm of the From URI'),
    hunt_account_id: str('Account whose carriers are used'),
    ignore_early_media: bool('Ignore early media from the carrier', false),
    outbound_flags: strings('Flags the carrier must have', { default: [] }),
    resource_type: str('Kind of resource (audio, video, sms...)'),
    ringback: str('Media played while the carrier rings'),
    skip_module: skipModule,
    timeout: int('Seconds to wait for an answer'),
    to_did: str('Number to dial instead of the one captured'),
    use_local_resources: bool('Use the account’s own carriers rather than the global ones', true),
  });
}

/** `callflows.offnet`: send the call to a carrier. */
export const callflowOffnet = carrierRoute('callflows.offnet', 'Send the call to a carrier');

/** `callflows.resources`: send the call to the account’s carriers. */
export const callflowResources = carrierRoute('callflows.resources', 'Send the call to the account’s carriers');

/** `callflows.record_call`: start or stop recording. */
export const callflowRecordCall = named(
  'callflows.record_call',
  'Start or stop recording the call',
  {
    action: choice('Start or stop', ['start', 'stop'], 'start'),
    format: choice('File format', ['mp3', 'wav']),
    label: str('Label stored with the recording'),
    media_name: str('File name of the recording'),
    method: choice('HTTP method for uploading', ['put', 'post'], 'put'),
    origin: str('What started the recording'),
    record_min_sec: int('Recordings shorter than this many seconds are discarded'),
    record_on_answer: bool('Start when answered', false),
    record_on_bridge: bool('Start when bridged', false),
    record_sample_rate: int('Sample rate in Hz'),
    should_follow_transfer: bool('Keep recording after a transfer', true),
    skip_module: skipModule,
    time_limit: int('Longest recording, in seconds', { default: 3600, minimum: 5, maximum: 10800 }),
    url: str('Where the finished recording is sent', { format: 'uri' }),
  },
  { required: ['action'] },
);

/** `callflows.response`: answer the call with a SIP status. */
export const callflowResponse = named(
  'callflows.response',
  'Answer with a SIP status code',
  {
    code: int('SIP status code', { default: 486 }),
    media: str('Media to play before responding', { maxLength: 2048 }),
    message: str('SIP reason phrase'),
    skip_module: skipModule,
  },
  { required: ['code'] },
);
