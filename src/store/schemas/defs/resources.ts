// `resources`: a carrier (trunk): the gateways calls are sent to, which numbers it carries, its cost.
import { arr, bool, choice, customSipHeaders, int, named, obj, ref, str, strings, type JsonSchema } from '../json-schema.ts';

const CALLER_ID_TYPES = ['internal', 'external', 'emergency'];
const GATEWAY_CODECS = ['G729', 'PCMU', 'PCMA', 'G722_16', 'G722_32', 'CELT_48', 'CELT_64', 'Speex', 'GSM', 'OPUS', 'H261', 'H263', 'H264', 'VP8'];

/** A dynamic invite parameter: a call variable, a custom header, or the zone. */
const dynamicParameterKey: JsonSchema = {
  description: 'Where the parameter value comes from',
  oneOf: [
    { type: 'string', pattern: 'custom_channel_vars\\..*' },
    { type: 'string', pattern: 'custom_sip_headers\\..*' },
    { type: 'string', enum: ['zone'] },
  ],
};

const dynamicParameter: JsonSchema = {
  description: 'One dynamic parameter',
  oneOf: [
    ...(dynamicParameterKey.oneOf ?? []),
    obj(
      'A parameter with its own tag',
      { key: dynamicParameterKey, separator: str('Text between tag and value'), tag: str('Parameter name to use') },
      { additionalProperties: false, required: ['key', 'tag'] },
    ),
  ],
};

/** One SIP gateway of a carrier. */
const gateway = obj(
  'A SIP gateway of the carrier',
  {
    bypass_media: bool('Let RTP flow directly to the gateway'),
    caller_id_type: choice('Which caller id to present', CALLER_ID_TYPES),
    channel_selection: choice('Order for picking channels (FreeTDM)', ['ascending', 'descending'], 'ascending'),
    codecs: arr('Codecs the gateway accepts', { type: 'string', enum: GATEWAY_CODECS }, { uniqueItems: true }),
    custom_sip_headers: customSipHeaders('Extra headers on calls through this gateway'),
    custom_sip_interface: str('Media-server SIP interface to use'),
    enabled: bool('Whether the gateway is used', true),
    endpoint_type: choice('Technology of the gateway', ['sip', 'freetdm', 'skype', 'amqp'], 'sip'),
    force_port: bool('Always use the configured port (no DNS SRV)', false),
    format_from_uri: bool('Build the From URI from the caller id'),
    from_uri_realm: str('Realm of the From URI'),
    invite_format: choice('How the Request-URI is built', ['route', 'username', 'e164', 'npan', '1npan', 'strip_plus'], 'route'),
    invite_parameters: obj(
      'Parameters added to the Request-URI',
      { dynamic: arr('Parameters taken from the call', dynamicParameter), static: strings('Fixed parameters') },
      { additionalProperties: false },
    ),
    media: obj('Media options of the gateway', { fax_option: bool('Enable T.38'), rtcp_mux: bool('Multiplex RTCP on the RTP port') }),
    password: str('Digest password', { maxLength: 32 }),
    port: int('SIP port of the gateway', { default: 5060 }),
    prefix: str('Prepended to the dialed number', { maxLength: 64 }),
    progress_timeout: int('Seconds to wait for ringing before trying the next gateway'),
    realm: str('Digest realm', { maxLength: 64 }),
    route: str('Fixed route (SIP URI) for calls'),
    server: str('Host name or address of the gateway', { minLength: 1, maxLength: 128 }),
    skype_interface: str('Skype interface'),
    skype_rr: bool('Round-robin over Skype interfaces', true),
    span: str('FreeTDM span'),
    suffix: str('Appended to the dialed number', { maxLength: 64 }),
    username: str('Digest username', { maxLength: 32 }),
  },
  { default: {}, required: ['server'] },
);

/** Resource (carrier) document schema (KAZOO `resources`). */
export const resources = named(
  'resources',
  'A carrier: its gateways and the numbers it carries',
  {
    caller_id_options: obj('Caller id presented on calls through this carrier', { type: choice('Which caller id', CALLER_ID_TYPES) }),
    cid_rules: strings('Regular expressions the caller id must match'),
    classifiers: obj('Settings per number classifier', {}, {
      patternProperties: {
        '.+': obj('Settings of one classifier', {
          emergency: bool('Calls of this class are emergency calls', false),
          enabled: bool('Carry calls of this class', true),
          prefix: str('Prepended to the number', { maxLength: 64 }),
          regex: str('Expression the number must match'),
          suffix: str('Appended to the number', { maxLength: 64 }),
          weight_cost: int('Preference (lower is tried first)', { default: 50, minimum: 0, maximum: 100 }),
        }),
      },
    }),
    emergency: bool('The carrier handles emergency calls', false),
    enabled: bool('Whether the carrier is used', true),
    flags: strings('Flags this carrier offers', { default: [] }),
    flat_rate_blacklist: str('Numbers never billed at flat rate'),
    flat_rate_whitelist: str('Numbers billed at flat rate'),
    format_from_uri: bool('Build the From URI from the caller id'),
    formatters: ref('formatters'),
    from_account_realm: bool('Use the account realm in the From URI', false),
    from_uri_realm: str('Realm of the From URI'),
    gateway_strategy: choice('How gateways are tried', ['sequential', 'random']),
    gateways: arr('Gateways of the carrier', gateway),
    grace_period: int('Seconds of a call that are not billed', { default: 5, minimum: 1, maximum: 20 }),
    ignore_flags: bool('Accept calls whatever their flags'),
    media: ref('endpoint.media'),
    name: str('Display name of the carrier', { minLength: 1, maxLength: 128 }),
    require_flags: bool('Only carry calls whose flags this carrier has'),
    rules: strings('Regular expressions of numbers this carrier carries', { default: [] }),
    rules_test: strings('Sample numbers the rules are checked against', { default: [] }),
    weight_cost: int('Preference (lower is tried first)', { default: 50, minimum: 0, maximum: 100 }),
  },
  { required: ['gateways', 'name'] },
);
