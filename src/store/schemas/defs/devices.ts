// `devices`: a SIP phone or soft-phone (credentials, owner, media), plus its programmable keys.
import { arr, bool, choice, customSipHeaders, int, named, obj, ref, str, strings, type JsonSchema } from '../json-schema.ts';
import { callerIdOptions, callForward, callRestriction, contactList, doNotDisturb, musicOnHold, ringtones } from './endpoint-parts.ts';

const PARKING_SLOTS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'];

/** `devices.combo_key`: one programmable key of a provisioned phone (or `null` to clear it). */
export const comboKey: JsonSchema = {
  $id: 'devices.combo_key',
  description: 'A programmable phone key',
  type: ['object', 'null'],
  oneOf: [
    {
      description: 'A parking-slot key',
      properties: {
        type: choice('Kind of key', ['parking']),
        value: {
          description: 'Slot number, optionally with a label',
          oneOf: [
            { type: 'integer', minimum: 1, maximum: 10 },
            { type: 'string', enum: PARKING_SLOTS },
            obj('Slot with a label', { label: str('Text shown next to the key'), value: int('Slot number', { minimum: 1, maximum: 10 }) }, { required: ['label', 'value'] }),
          ],
        },
      },
      required: ['type'],
    },
    {
      description: 'A line, presence, personal parking or speed-dial key',
      properties: {
        type: choice('Kind of key', ['line', 'presence', 'personal_parking', 'speed_dial']),
        value: {
          description: 'What the key points at, optionally with a label',
          oneOf: [{ type: 'string' }, obj('Target with a label', { label: str('Text shown next to the key'), value: str('Target of the key') }, { required: ['label', 'value'] })],
        },
      },
      required: ['type'],
    },
  ],
};

const keysByIndex = (description: string): JsonSchema => obj(description, {}, { patternProperties: { '^[0-9]+$': ref('devices.combo_key') } });

/** Device document schema (KAZOO `devices`). */
export const devices = named(
  'devices',
  'A phone or soft-phone: SIP credentials, owner, media and features',
  {
    call_forward: callForward,
    call_recording: ref('call_recording'),
    call_restriction: callRestriction,
    call_waiting: ref('call_waiting'),
    caller_id: ref('caller_id'),
    caller_id_options: callerIdOptions(false),
    contact_list: contactList,
    device_type: str('Kind of device (sip_device, softphone, cellphone...)'),
    dial_plan: ref('dialplans', 'Rewrites applied to numbers dialed from this device'),
    do_not_disturb: doNotDisturb,
    enabled: bool('Whether the device may register and place calls', true),
    exclude_from_queues: bool('Do not ring this device for queue calls', false),
    flags: strings('Feature flags for the device'),
    formatters: ref('formatters'),
    hotdesk: obj('Hot-desk state of the device', {
      users: obj('Users logged in to this device', {}, { patternProperties: { '^[a-zA-Z0-9]{32}$': obj('Settings of one logged-in user') } }),
    }),
    language: str('Language of prompts for this device'),
    mac_address: str('MAC address, for provisioning'),
    media: ref('endpoint.media'),
    metaflows: ref('metaflows', 'Device-level DTMF feature codes'),
    music_on_hold: musicOnHold(2048),
    mwi_unsolicited_updates: bool('Send message-waiting NOTIFYs without a subscription', true),
    name: str('Display name of the device', { minLength: 1, maxLength: 128 }),
    outbound_flags: {
      description: 'Flags a carrier must have to carry this device’s outbound calls',
      oneOf: [strings('Static flags'), obj('Flags split by kind', { dynamic: strings('Flags taken from call variables'), static: strings('Fixed flags') })],
    },
    owner_id: str('Id of the user who owns the device', { minLength: 32, maxLength: 32 }),
    presence_id: str('Fixed presence id (instead of the SIP username)'),
    provision: obj('Phone provisioning data', {
      combo_keys: keysByIndex('Combo keys by index'),
      endpoint_brand: str('Phone brand'),
      endpoint_family: str('Phone family'),
      endpoint_model: { description: 'Phone model', oneOf: [{ type: 'string' }, arr('Several model names', { type: 'string' })] },
      feature_keys: keysByIndex('Feature keys by index'),
      id: str('Provisioning template id'),
    }),
    register_overwrite_notify: bool('Notify when a new registration replaces an existing one', false),
    ringtones,
    sip: obj(
      'SIP settings',
      {
        custom_sip_headers: customSipHeaders('Extra headers on calls to or from this device'),
        custom_sip_interface: str('Media-server SIP interface to use'),
        expire_seconds: int('Registration lifetime granted, in seconds', { default: 300 }),
        forward: str('Forward address for this device'),
        ignore_completed_elsewhere: bool('Show a missed call even when answered elsewhere'),
        invite_format: choice('How the Request-URI of calls to the device is built', ['username', 'npan', '1npan', 'e164', 'route', 'strip_plus', 'contact'], 'contact'),
        ip: str('Address the device is authenticated by (method ip)'),
        method: choice('How the device authenticates', ['password', 'ip'], 'password'),
        number: str('Number used for npan/e164 invite formats'),
        password: str('SIP digest password', { minLength: 5, maxLength: 32 }),
        proxy: str('Outbound proxy for calls to the device'),
        realm: str('SIP realm of the device (defaults to the account realm)', { minLength: 4, maxLength: 253, pattern: '^[.\\w_-]+$' }),
        route: str('Fixed SIP URI to send calls to (invite format route)'),
        static_invite: str('Fixed Request-URI user part'),
        static_route: str('Fixed route for calls to the device'),
        transport: str('Transport to reach the device'),
        username: str('SIP digest username', { minLength: 2, maxLength: 32 }),
      },
      { default: {} },
    ),
    suppress_unregister_notifications: bool('Do not notify when the device unregisters', false),
    timezone: str('Time zone of the device'),
  },
  { required: ['name'] },
);
