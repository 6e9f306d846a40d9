// The data schemas of the metaflow modules (`metaflows.<module>`), kazoo-reference §3.7. KAZOO has
// schemas for these seventeen; any other module name is refused when a metaflow is saved.
import { DTMF_TERMINATORS, arr, bool, choice, int, named, num, ref, str, type JsonSchema } from '../json-schema.ts';

const participant = (description: string): JsonSchema => ({ description, oneOf: [{ type: 'string' }, { type: 'integer' }] });

/** Every `metaflows.<module>` schema. */
export const metaflowModules: readonly JsonSchema[] = [
  named('metaflows.audio_level', 'Change the volume of a leg (or mute it)', {
    action: choice('Begin or end the adjustment', ['start', 'stop']),
    level: int('Volume step', { minimum: -4, maximum: 4 }),
    mode: choice('Adjust what the leg hears (write) or says (read)', ['read', 'write']),
  }),
  named('metaflows.break', 'Stop whatever media is playing to the leg', {}),
  named('metaflows.callflow', 'Run a callflow on the live call', {
    captures: str('Digits handed to the callflow as captures'),
    collected: str('Digits handed to the callflow as collected'),
    flow: ref('callflows.action', 'An inline flow to run instead of a stored callflow'),
    id: str('Id of the callflow to run'),
  }),
  named('metaflows.hangup', 'Hang up the leg', {}),
  named('metaflows.hold', 'Put the other party on hold', {
    moh_aleg: str('Hold music for the first leg'),
    moh_bleg: str('Hold music for the second leg'),
    unhold_key: str('Key that takes the call off hold', { default: '1' }),
  }),
  named('metaflows.hold_control', 'Hold, unhold or toggle hold', {
    action: choice('What to do with hold', ['hold', 'unhold', 'toggle'], 'toggle'),
  }),
  named('metaflows.intercept', 'Pick up a call ringing elsewhere', {
    auto_answer: bool('Answer the new leg automatically', false),
    can_call_self: bool('May intercept devices of the same user', true),
    target_id: str('Id of the device or user to intercept'),
    target_type: choice('Kind of target', ['device', 'user', 'number']),
    unbridged_only: bool('Only intercept a leg that is not yet bridged', true),
  }),
  named('metaflows.move', 'Move the call to another device of the user', {
    auto_answer: bool('Answer the new leg automatically', false),
    can_call_self: bool('May move to devices of the same user', true),
    device_id: str('Device to move the call to'),
    dial_strategy: str('How to ring several devices', { default: 'simultaneous' }),
    owner_id: str('User whose devices are candidates'),
  }),
  named(
    'metaflows.pivot',
    'Ask an HTTP server what to do next',
    {
      cdr_url: str('URL that receives the CDR at the end of the call', { pattern: '^https?://' }),
      debug: bool('Keep debug logs of the exchange', false),
      method: choice('HTTP method of the requests', ['get', 'post', 'GET', 'POST'], 'get'),
      req_format: choice('Dialect the server answers in', ['kazoo', 'twiml'], 'kazoo'),
      voice_url: str('URL asked for the flow', { pattern: '^https?://' }),
    },
    { required: ['voice_url'] },
  ),
  named('metaflows.play', 'Play media during the call', {
    id: str('Media id to play'),
    leg: choice('Who hears it', ['self', 'peer', 'both'], 'both'),
  }),
  named('metaflows.record_call', 'Start, stop or toggle call recording', {
    action: choice('What to do with the recording', ['mask', 'unmask', 'start', 'stop', 'toggle'], 'toggle'),
    format: choice('File format', ['mp3', 'wav']),
    label: str('Label stored with the recording'),
    media_name: str('File name of the recording'),
    method: choice('HTTP method for uploading', ['put', 'post']),
    origin: str('What started the recording'),
    record_min_sec: int('Recordings shorter than this many seconds are discarded'),
    record_on_answer: bool('Start when answered', false),
    record_on_bridge: bool('Start when bridged', false),
    record_sample_rate: int('Sample rate in Hz'),
    time_limit: int('Longest recording, in seconds'),
    url: str('Where the finished recording is sent'),
  }),
  named(
    'metaflows.relate',
    'Relate two conference participants',
    {
      conference_id: str('Conference id'),
      other_participant: participant('The second participant'),
      participant_id: participant('The first participant'),
      relationship: choice('How the first relates to the second', ['deaf', 'clear', 'mute'], 'clear'),
    },
    { required: ['participant_id', 'other_participant', 'conference_id'] },
  ),
  named('metaflows.resume', 'Reconnect the two legs of the call', {}),
  named('metaflows.say', 'Speak a value with the built-in say engine', {
    gender: choice('Voice gender', ['feminine', 'masculine', 'neuter']),
    language: str('Language of the text'),
    method: choice('How the value is read', ['pronounced', 'iterated', 'counted']),
    text: str('Text or value to say'),
    type: choice('What kind of value the text is', [
      'account_number', 'currency', 'current_date', 'current_date_time', 'current_time', 'email_address', 'ip_address',
      'items', 'messages', 'name_phonetic', 'name_spelled', 'number', 'persons', 'postal_address', 'short_date_time',
      'telephone_extension', 'telephone_number', 'time_measurement', 'url',
    ]),
  }),
  named('metaflows.sound_touch', 'Pitch, rate and tempo effects', {
    action: choice('Begin or end the effect', ['start', 'stop']),
    adjust_in_octaves: num('Pitch shift in octaves', { default: 0, minimum: -1, maximum: 1 }),
    adjust_in_semitones: num('Pitch shift in semitones', { default: 0, minimum: -14, maximum: 14 }),
    hook_dtmf: bool('Let DTMF change the effect', false),
    pitch: num('Pitch factor', { default: 1, minimum: 1 }),
    rate: num('Rate factor', { default: 1, minimum: 1 }),
    sending_leg: bool('Apply to the sending leg', false),
    tempo: num('Tempo factor', { default: 1, minimum: 1 }),
  }),
  named('metaflows.transfer', 'Transfer the other party', {
    captures: arr('Captured digits; the first one is the target', { type: 'string' }, { default: ['no_match'] }),
    leg: str('Which leg is transferred'),
    target: str('Extension or number to transfer to'),
    timeout: int('Seconds to wait for the target to answer'),
    transfer_type: choice('Requested kind of transfer', ['attended', 'blind'], 'blind'),
  }),
  named('metaflows.tts', 'Speak text with a text-to-speech engine', {
    engine: str('TTS engine', { default: 'flite' }),
    language: str('Language of the text'),
    leg: str('Who hears it', { default: 'self' }),
    terminators: arr('Keys that stop the speech', { type: 'string', enum: [...DTMF_TERMINATORS] }, { default: [...DTMF_TERMINATORS] }),
    text: str('Text to speak'),
    voice: str('Voice to use', { default: 'female' }),
  }),
];
