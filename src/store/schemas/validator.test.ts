import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getSchema, schemaNames, toKazooValidationData, UnknownSchemaError, validate, type ValidationFailure } from './index.ts';

const API_KEY = 'a'.repeat(64);

function failures(schema: string, data: unknown): ValidationFailure[] {
  const result = validate(schema, data);
  assert.equal(result.ok, false, `expected ${schema} to reject ${JSON.stringify(data)}`);
  return result.ok ? [] : result.errors;
}

function only(schema: string, data: unknown): ValidationFailure {
  const errors = failures(schema, data);
  assert.equal(errors.length, 1, JSON.stringify(errors));
  const [first] = errors;
  assert.ok(first);
  return first;
}

function valid(schema: string, data: unknown): Record<string, unknown> {
  const result = validate(schema, data);
  assert.ok(result.ok, `expected ${schema} to accept: ${JSON.stringify(result.ok ? '' : result.errors)}`);
  return result.value;
}

test('a missing required field is reported at its own path with KAZOO’s message', () => {
  assert.deepEqual(only('accounts', {}), { path: 'name', code: 'required', message: 'Field is required but missing', extra: { value: 'name' } });
  assert.deepEqual(only('resources', { name: 'carrier', gateways: [{ server: 'a.example' }, {}] }), {
    path: 'gateways.1.server',
    code: 'required',
    message: 'Field is required but missing',
    extra: { value: 'server' },
  });
});

test('a wrong type names the expected type(s), as in the reference example', () => {
  const errors = failures('devices', { name: 'phone', caller_id: { internal: { number: 12 } } });
  assert.deepEqual(toKazooValidationData(errors), {
    'caller_id.internal.number': { type: { message: 'Value did not match type(s): string', target: 'string', value: 12 } },
  });
  const union = failures('devices', { name: 'phone', provision: { combo_keys: { '1': 5 } } }).find((f) => f.code === 'type');
  assert.deepEqual(union, { path: 'provision.combo_keys.1', code: 'type', message: 'Value did not match type(s): object, null', extra: { target: 'object, null', value: 5 } });
});

test('string length limits give target, cause and value', () => {
  const long = 'u'.repeat(40);
  assert.deepEqual(only('devices', { name: 'phone', sip: { username: long } }), {
    path: 'sip.username',
    code: 'maxLength',
    message: 'String must not be more than 32 characters',
    extra: { target: 32, cause: long, value: long },
  });
  assert.deepEqual(only('devices', { name: 'phone', sip: { password: 'abc' } }), {
    path: 'sip.password',
    code: 'minLength',
    message: 'String must be at least 5 characters',
    extra: { target: 5, cause: 'abc', value: 'abc' },
  });
});

test('numeric limits give target and value', () => {
  const carrier = (extra: object): object => ({ name: 'c', gateways: [{ server: 'gw' }], ...extra });
  assert.deepEqual(only('resources', carrier({ weight_cost: 101 })), { path: 'weight_cost', code: 'maximum', message: 'Value must be at most 100', extra: { target: 100, value: 101 } });
  assert.deepEqual(only('resources', carrier({ grace_period: 0 })), { path: 'grace_period', code: 'minimum', message: 'Value must be at least 1', extra: { target: 1, value: 0 } });
});

test('an enum failure lists the allowed values as target', () => {
  assert.deepEqual(only('metaflows', { binding_digit: 'x' }), {
    path: 'binding_digit',
    code: 'enum',
    message: 'Value not found in enumerated list of values',
    extra: { target: ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '*', '#'], value: 'x' },
  });
});

test('a pattern failure quotes the pattern', () => {
  assert.deepEqual(only('accounts', { name: 'a', realm: 'bad realm!' }), {
    path: 'realm',
    code: 'pattern',
    message: "Failed to match pattern '^[.\\w-]+$'",
    extra: { target: '^[.\\w-]+$', value: 'bad realm!' },
  });
});

test('list rules: minItems and uniqueItems', () => {
  assert.deepEqual(only('callflows.ring_group', { endpoints: [] }), {
    path: 'endpoints',
    code: 'minItems',
    message: 'The list must have at least 1 items',
    extra: { target: 1, value: [] },
  });
  assert.deepEqual(only('callflows', { numbers: ['100', '100'] }), {
    path: 'numbers',
    code: 'uniqueItems',
    message: 'List of items is not unique',
    extra: { value: ['100', '100'] },
  });
});

test('an unknown key under additionalProperties:false is reported at that key', () => {
  assert.deepEqual(only('api_auth', { api_key: API_KEY, extra: 1 }), {
    path: 'extra',
    code: 'additionalProperties',
    message: 'Strict checking of data is enabled; only include schema-defined properties',
    extra: { value: { api_key: API_KEY, extra: 1 } },
  });
});

test('a malformed e-mail is wrong_format with the format name', () => {
  assert.deepEqual(only('users', { first_name: 'A', last_name: 'B', email: 'not an email' }), {
    path: 'email',
    code: 'wrong_format',
    message: 'Field is not in the correct format',
    extra: { value: 'not an email', format: 'email' },
  });
});

test('a value matching no alternative is one not_one_schema_valid failure, without branch noise', () => {
  assert.deepEqual(failures('devices', { name: 'phone', media: { bypass_media: 5 } }), [
    { path: 'media.bypass_media', code: 'not_one_schema_valid', message: 'Value must match exactly one of the allowed forms', extra: { value: 5 } },
  ]);
});

test('paths join array indices and escape dots inside keys', () => {
  assert.equal(only('callflows', { numbers: ['100', 7] }).path, 'numbers.1');
  assert.equal(only('callflows', { flow: { module: 'user', children: { 'a.b': { module: 5 } } } }).path, 'flow.children.a%2Eb.module');
});

test('defaults are inserted into a copy and the input is left alone', () => {
  const input = { name: 'phone' };
  const value = valid('devices', input);
  assert.deepEqual(input, { name: 'phone' });
  assert.deepEqual(value['sip'], { expire_seconds: 300, invite_format: 'contact', method: 'password' });
  assert.equal(value['enabled'], true);
  assert.deepEqual(value['call_restriction'], {});
  const user = valid('users', { first_name: 'A', last_name: 'B' });
  assert.equal(user['priv_level'], 'user');
  assert.deepEqual(user['hotdesk'], { enabled: false, keep_logged_in_elsewhere: false, require_pin: false });
  assert.equal(valid('clicktocall', { name: 'c2c', extension: '2600' })['auth_required'], true);
});

test('ui_metadata is accepted everywhere, even with additionalProperties:false', () => {
  const uiMetadata = { version: '4.3', ui: 'monster-ui', origin: 'voip' };
  assert.deepEqual(valid('api_auth', { api_key: API_KEY, ui_metadata: uiMetadata })['ui_metadata'], uiMetadata);
  valid('call_recording', { any: { any: { enabled: true, ui_metadata: uiMetadata }, ui_metadata: uiMetadata }, ui_metadata: uiMetadata });
  valid('metaflows', { numbers: {}, ui_metadata: uiMetadata });
  for (const name of ['accounts', 'users', 'devices', 'callflows', 'media', 'resources', 'clicktocall', 'user_auth', 'metaflow']) {
    const schema = getSchema(name);
    assert.ok(schema.properties?.['ui_metadata'], `${name} declares ui_metadata`);
  }
});

test('a metaflows numbers key that is not all digits fails with additionalProperties (reference §7)', () => {
  const errors = failures('metaflows', { numbers: { '*9': { module: 'record_call' } } });
  assert.equal(errors.length, 1);
  assert.deepEqual([errors[0]?.path, errors[0]?.code], ['numbers.*9', 'additionalProperties']);
});

test('a saved transfer metaflow gains transfer_type blind and captures no_match (reference §3.1)', () => {
  const value = valid('metaflows', {
    numbers: { '2': { module: 'transfer', data: { target: '1000' } } },
    patterns: { '^\\*3(\\d+)$': { module: 'transfer', children: { _: { module: 'transfer' } } } },
  });
  assert.deepEqual(value, {
    binding_digit: '*',
    numbers: { '2': { module: 'transfer', data: { target: '1000', captures: ['no_match'], transfer_type: 'blind' } } },
    patterns: {
      '^\\*3(\\d+)$': {
        module: 'transfer',
        data: { captures: ['no_match'], transfer_type: 'blind' },
        children: { _: { module: 'transfer', data: { captures: ['no_match'], transfer_type: 'blind' } } },
      },
    },
  });
  const account = valid('accounts', { name: 'acme', metaflows: { numbers: { '9': { module: 'hold' } } } });
  assert.deepEqual(account['metaflows'], { binding_digit: '*', numbers: { '9': { module: 'hold', data: { unhold_key: '1' } } } });
});

test('metaflow module data is checked against metaflows.<module>', () => {
  assert.deepEqual(only('metaflows', { numbers: { '2': { module: 'transfer', data: { transfer_type: 'warm' } } } }), {
    path: 'numbers.2.data.transfer_type',
    code: 'enum',
    message: 'Value not found in enumerated list of values',
    extra: { target: ['attended', 'blind'], value: 'warm' },
  });
  assert.equal(only('metaflows', { numbers: { '1': { module: 'pivot' } } }).path, 'numbers.1.data.voice_url');
  assert.deepEqual(only('metaflows', { numbers: { '2': { module: 'transfer', data: { timeout: 'soon' } } } }), {
    path: 'numbers.2.data.timeout',
    code: 'type',
    message: 'Value did not match type(s): integer',
    extra: { target: 'integer', value: 'soon' },
  });
  const nested = only('metaflows', {
    numbers: { '5': { module: 'callflow', data: { flow: { module: 'ring_group', data: { endpoints: [{ id: 'd1', endpoint_type: 'phone' }] } } } } },
  });
  assert.deepEqual([nested.path, nested.code, nested.extra['value']], ['numbers.5.data.flow.data.endpoints.0.endpoint_type', 'enum', 'phone']);
  const converted = valid('metaflows', { numbers: { '2': { module: 'transfer', data: { timeout: '30' } } } });
  assert.deepEqual(converted['numbers'], { '2': { module: 'transfer', data: { timeout: 30, captures: ['no_match'], transfer_type: 'blind' } } });
});

test('an unknown metaflow module is refused with KAZOO’s external error', () => {
  assert.deepEqual(only('metaflows', { numbers: { '3': { module: 'teleport' } } }), {
    path: 'numbers.3.module',
    code: 'error',
    message: 'unable to find metaflow schema for module teleport',
    extra: { value: 'teleport' },
  });
});

test('a single metaflow node needs module; the documented wrapped body fails (reference §2.5)', () => {
  assert.deepEqual(valid('metaflow', { module: 'hangup' }), { module: 'hangup', data: {} });
  assert.equal(only('metaflow', { data: { module: 'hangup' } }).path, 'module');
});

test('callflow nodes: known module data is checked and defaulted, unknown modules pass unchecked', () => {
  const value = valid('callflows', { numbers: ['100'], flow: { module: 'user', data: { id: 'u1' }, children: { _: { module: 'voicemail', data: { anything: 1 } } } } });
  assert.deepEqual(value['flow'], {
    module: 'user',
    data: { id: 'u1', delay: 0, strategy: 'simultaneous', timeout: 20 },
    children: { _: { module: 'voicemail', data: { anything: 1 } } },
  });
  assert.equal(only('callflows', { flow: { module: 'ring_group', data: {} } }).path, 'flow.data.endpoints');
  assert.deepEqual(valid('callflows', { flow: { module: 'park' } })['flow'], { module: 'park', data: { action: 'park', custom_presence_id: false, slots: {} } });
});

test('strings that convert cleanly to integer, number or boolean are converted unless strict', () => {
  const value = valid('devices', { name: 'phone', enabled: 'false', sip: { expire_seconds: '60' } });
  assert.equal(value['enabled'], false);
  assert.deepEqual(value['sip'], { expire_seconds: 60, invite_format: 'contact', method: 'password' });
  assert.equal(only('devices', { name: 'phone', sip: { expire_seconds: 'soon' } }).path, 'sip.expire_seconds');
  const strict = validate('devices', { name: 'phone', sip: { expire_seconds: '60' } }, { strict: true });
  assert.equal(strict.ok, false);
});

test('an unknown schema name throws UnknownSchemaError', () => {
  assert.throws(() => validate('nope', {}), UnknownSchemaError);
  assert.throws(() => getSchema('nope'), UnknownSchemaError);
});

test('schemaNames lists every document and referenced schema, and getSchema hands out copies', () => {
  const names = schemaNames();
  const expected = ['accounts', 'users', 'devices', 'devices.combo_key', 'callflows', 'callflows.action', 'media', 'resources', 'metaflows', 'metaflow', 'clicktocall', 'user_auth', 'api_auth'];
  const modules = ['audio_level', 'break', 'callflow', 'hangup', 'hold', 'hold_control', 'intercept', 'move', 'pivot', 'play', 'record_call', 'relate', 'resume', 'say', 'sound_touch', 'transfer', 'tts'];
  for (const name of [...expected, ...modules.map((m) => `metaflows.${m}`)]) assert.ok(names.includes(name), name);
  const copy = getSchema('accounts') as { required?: string[] };
  copy.required?.push('realm');
  valid('accounts', { name: 'still fine without realm' });
});

test('a root that is not an object is a type failure at the empty path', () => {
  assert.deepEqual(only('accounts', 'x'), { path: '', code: 'type', message: 'Value did not match type(s): object', extra: { target: 'object', value: 'x' } });
});

test('every schema compiles and validates an empty object without throwing', () => {
  for (const name of schemaNames()) assert.doesNotThrow(() => validate(name, {}), name);
});

test('inserted defaults are fresh values, never shared between results', () => {
  const doc = { numbers: { '2': { module: 'transfer' } } };
  const first = valid('metaflows', doc) as { numbers: Record<string, { data: { captures: string[] } }> };
  first.numbers['2']?.data.captures.push('mutated');
  const second = valid('metaflows', doc) as { numbers: Record<string, { data: { captures: string[] } }> };
  assert.deepEqual(second.numbers['2']?.data.captures, ['no_match']);
});
