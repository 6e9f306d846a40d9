// Building blocks that several document schemas reference by `$id`: caller id, recording settings,
// custom SIP headers, endpoint media, number formatters, dial plans, profile, notify callback.
import { arr, bool, bypassMedia, choice, int, named, obj, ref, str, strings, type JsonSchema } from '../json-schema.ts';

const callerIdEntry = (what: string): JsonSchema =>
  obj(`Caller id used for ${what} calls`, {
    name: str('Caller id name', { maxLength: 35 }),
    number: str('Caller id number', { maxLength: 35 }),
  });

/** `caller_id`: the names and numbers presented per call type. */
export const callerId = named('caller_id', 'Caller id names and numbers by call type', {
  asserted: obj('Identity asserted to trusted peers (P-Asserted-Identity)', {
    name: str('Asserted name', { maxLength: 35 }),
    number: str('Asserted number', { maxLength: 35 }),
    realm: str('Asserted realm'),
  }),
  emergency: callerIdEntry('emergency'),
  external: callerIdEntry('off-net'),
  internal: callerIdEntry('on-net'),
});

/** `call_waiting`: whether a busy endpoint may receive a second call. */
export const callWaiting = named('call_waiting', 'Call waiting switch', {
  enabled: bool('Let a second call ring while one is in progress'),
});

/** `custom_sip_headers`: header name → value. No `ui_metadata` here: a key of that name would be a header. */
export const customSipHeaders: JsonSchema = {
  $id: 'custom_sip_headers',
  type: 'object',
  description: 'Extra SIP headers: header name to value',
  patternProperties: { '^[a-zA-z0-9_\\-]+$': str('Header value') },
  additionalProperties: false,
};

/** `call_recording.parameters`: how to record one kind of call. */
export const callRecordingParameters = named(
  'call_recording.parameters',
  'Recording settings for one call category',
  {
    enabled: bool('Record these calls'),
    format: choice('File format of the recording', ['mp3', 'wav']),
    record_min_sec: int('Recordings shorter than this many seconds are discarded'),
    record_on_answer: bool('Start when the call is answered'),
    record_on_bridge: bool('Start when the call is bridged'),
    record_sample_rate: int('Sample rate of the recording, in Hz'),
    time_limit: int('Longest recording, in seconds', { minimum: 5, maximum: 10800 }),
    url: str('Where finished recordings are sent', { format: 'uri' }),
  },
  { additionalProperties: false },
);

/** `call_recording.source`: recording settings split by where the other party is. */
export const callRecordingSource = named(
  'call_recording.source',
  'Recording settings by on-net / off-net peer',
  {
    any: ref('call_recording.parameters', 'Any peer'),
    offnet: ref('call_recording.parameters', 'Calls to or from carriers'),
    onnet: ref('call_recording.parameters', 'Calls inside the platform'),
  },
  { additionalProperties: false },
);

/** `call_recording`: recording settings split by call direction. */
export const callRecording = named(
  'call_recording',
  'Recording settings by call direction',
  {
    any: ref('call_recording.source', 'Either direction'),
    inbound: ref('call_recording.source', 'Calls arriving at the endpoint'),
    outbound: ref('call_recording.source', 'Calls placed by the endpoint'),
  },
  { additionalProperties: false },
);

const AUDIO_CODECS = [
  'OPUS', 'CELT@32000h', 'G7221@32000h', 'G7221@16000h', 'G722', 'speex@32000h', 'speex@16000h', 'PCMU', 'PCMA',
  'G729', 'GSM', 'CELT@48000h', 'CELT@64000h', 'G722_16', 'G722_32', 'CELT_48', 'CELT_64', 'Speex', 'speex',
];

/** `endpoint.media`: codecs, encryption and media handling of a device, user or carrier. */
export const endpointMedia = named('endpoint.media', 'Media options of an endpoint', {
  audio: obj('Audio options', { codecs: arr('Allowed audio codecs, preferred first', { type: 'string', enum: AUDIO_CODECS }, { uniqueItems: true }) }, { default: {} }),
  bypass_media: bypassMedia('Let RTP flow directly between the endpoints'),
  encryption: obj(
    'Media encryption',
    {
      enforce_security: bool('Refuse calls that cannot be encrypted', false),
      methods: arr('Acceptable encryption methods', { type: 'string', enum: ['zrtp', 'srtp'] }, { default: [] }),
    },
    { default: {} },
  ),
  fax_option: bool('Enable T.38 for this endpoint'),
  ignore_early_media: bool('Do not pass early media (183) through'),
  progress_timeout: int('Seconds to wait for ringing before giving up'),
  video: obj(
    'Video options',
    { codecs: arr('Allowed video codecs', { type: 'string', enum: ['H261', 'H263', 'H264', 'VP8'] }, { default: [], uniqueItems: true }) },
    { default: {} },
  ),
});

/** `formatters.format_options`: one rewrite rule for a header or field. */
export const formatOptions = named('formatters.format_options', 'One rewrite rule', {
  direction: choice('Which call direction the rule applies to', ['inbound', 'outbound', 'both']),
  match_invite_format: bool('Follow the endpoint invite format'),
  prefix: str('Text added before the value'),
  regex: str('Expression to match; its first capture is kept', { format: 'regex' }),
  strip: bool('Remove the field entirely'),
  suffix: str('Text added after the value'),
  value: str('Replacement value'),
});

/**
 * `formatters`: field name → one rule or a list of rules. KAZOO writes the key pattern with the
 * POSIX class `[[:alnum:]_]`, which JavaScript regular expressions do not have; ours is the same set.
 * (`ui_metadata` matches the key pattern and, being an object, passes as a rule.)
 */
export const formatters: JsonSchema = {
  $id: 'formatters',
  type: 'object',
  description: 'Rewrite rules keyed by field name',
  patternProperties: {
    '^[A-Za-z0-9_]+$': { oneOf: [{ type: 'array', items: ref('formatters.format_options') }, ref('formatters.format_options')] },
  },
};

/** `dialplans`: regex → rewrite entries, plus the names of system dial plans to use. */
export const dialplans = named(
  'dialplans',
  'Number rewriting applied to dialed digits',
  { system: strings('Names of system-wide dial plans to apply') },
  {
    additionalProperties: obj('A rewrite keyed by its regular expression', {
      description: str('Human name of this rewrite'),
      prefix: str('Prepended to the captured number'),
      suffix: str('Appended to the captured number'),
    }),
  },
);

/** `profile`: vCard-like details of a user. */
export const profile = named('profile', 'Contact card details', {
  addresses: arr(
    'Postal addresses',
    obj('One address', {
      address: str('Address text'),
      types: arr('Kinds of address', { enum: ['dom', 'postal', 'intl', 'parcel', 'home', 'work', 'pref'] }),
    }),
  ),
  assistant: str('Name of an assistant'),
  birthday: str('Date of birth'),
  nicknames: strings('Other names'),
  note: str('Free text'),
  role: str('Job role'),
  'sort-string': str('Key used when sorting by name'),
  title: str('Job title'),
});

/** `notify.callback`: how a voicemail notification call is retried. */
export const notifyCallback = named('notify.callback', 'Call-out notification settings', {
  attempts: int('How many calls to try'),
  disabled: bool('Turn call-out notification off'),
  interval_s: int('Seconds between attempts'),
  number: str('Number to call'),
  schedule: arr('Seconds to wait before each attempt', { type: 'integer' }),
  timeout_s: int('Seconds to ring each attempt'),
});
