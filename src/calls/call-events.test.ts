import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock, GREGORIAN_OFFSET, silentLogger } from '../lib/index.ts';
import { MediaEngine } from '../media/index.ts';
import { callRoutingKey, commonEventFields, eventExtras } from './call-events.ts';
import { Channel, type ChannelProfile } from './channel.ts';

const T0 = Date.UTC(2026, 2, 1, 9, 30, 0, 250);

const PROFILE: ChannelProfile = {
  uuid: 'call-1@10.0.0.1',
  direction: 'inbound',
  accountId: 'a1b2c3',
  realm: 'acme.test',
  callerIdName: 'Alice',
  callerIdNumber: '1001',
  calleeIdName: '2001',
  calleeIdNumber: '2001',
  destination: '2001',
  username: 'alice',
  authorizingId: 'dev-alice',
  authorizingType: 'device',
  ownerId: 'user-alice',
  presenceId: 'alice@acme.test',
  callflowId: 'cf-1',
  fromUri: 'sip:1001@acme.test',
  toUri: 'sip:2001@acme.test',
  requestUri: 'sips:2001@acme.test;transport=tls',
  fromTag: 'ftag',
  userAgent: 'Phone/1.0',
  customChannelVars: { account_id: 'forged', campaign: 'spring' },
};

describe('call event payloads', { timeout: 20_000 }, () => {
  let engine: MediaEngine;
  let clock: FakeClock;
  const made: Channel[] = [];

  before(() => {
    clock = new FakeClock(T0);
    engine = new MediaEngine({ address: '127.0.0.1', portRange: { min: 0, max: 0 }, clock, logger: silentLogger });
  });

  after(async () => {
    for (const c of made) c.hangup();
    await engine.close();
  });

  const channel = async (profile: Partial<ChannelProfile> = {}): Promise<Channel> => {
    const c = new Channel({ ...PROFILE, ...profile }, await engine.createEndpoint(), clock, silentLogger);
    made.push(c);
    return c;
  };

  test('the common block: ids, Gregorian timestamp, direction, caller and callee, app name and version', async () => {
    const c = await channel();
    const now = T0;
    const f = commonEventFields(c, 'CHANNEL_CREATE', now, '4.5.6');
    assert.equal(f['event_category'], 'call_event');
    assert.equal(f['event_name'], 'CHANNEL_CREATE');
    assert.equal(f['call_id'], 'call-1@10.0.0.1');
    assert.equal(f['timestamp'], Math.floor(now / 1000) + GREGORIAN_OFFSET);
    assert.equal(f['timestamp'], 63_939_576_600, '2026-03-01T09:30:00Z in Gregorian seconds');
    assert.equal(f['channel_created_time'], c.createdAt * 1000, 'microseconds since the Unix epoch');
    assert.equal(f['call_direction'], 'inbound');
    assert.equal(f['caller_id_name'], 'Alice');
    assert.equal(f['caller_id_number'], '1001');
    assert.equal(f['callee_id_name'], '2001');
    assert.equal(f['callee_id_number'], '2001');
    assert.equal(f['caller_destination_number'], '2001');
    assert.equal(f['presence_id'], 'alice@acme.test');
    assert.equal(f['from_tag'], 'ftag');
    assert.equal(f['user_agent'], 'Phone/1.0');
    assert.equal(f['app_name'], 'switchboard');
    assert.equal(f['app_version'], '4.5.6');
    assert.equal(typeof f['msg_id'], 'string');
    assert.notEqual(f['msg_id'], commonEventFields(c, 'CHANNEL_CREATE', now, '4.5.6')['msg_id'], 'a msg_id per event');
    assert.equal(f['other_leg_call_id'], undefined, 'no other leg before a bridge');
    assert.equal(f['to_tag'], undefined);
  });

  test('custom_channel_vars carry the account id (never the profile vars\' forged one) and the authorizing fields', async () => {
    const c = await channel();
    const ccv = commonEventFields(c, 'CHANNEL_CREATE', clock.now(), '1')['custom_channel_vars'] as Record<string, unknown>;
    assert.deepEqual(ccv, {
      account_id: 'a1b2c3',
      campaign: 'spring',
      realm: 'acme.test',
      authorizing_id: 'dev-alice',
      authorizing_type: 'device',
      owner_id: 'user-alice',
      username: 'alice',
      callflow_id: 'cf-1',
      presence_id: 'alice@acme.test',
    });
  });

  test('optional profile fields are left out, not sent as undefined', async () => {
    const bare: ChannelProfile = {
      uuid: 'bare',
      direction: 'outbound',
      accountId: 'acct',
      realm: 'r.test',
      callerIdName: 'A',
      callerIdNumber: '1',
      calleeIdName: 'B',
      calleeIdNumber: '2',
      destination: '2',
      fromUri: 'sip:1@r.test',
      toUri: 'sip:2@r.test',
      requestUri: 'sip:2@r.test',
    };
    const c = new Channel(bare, await engine.createEndpoint(), clock, silentLogger);
    made.push(c);
    const f = commonEventFields(c, 'CHANNEL_CREATE', clock.now(), '1');
    for (const [key, value] of Object.entries(f)) assert.notEqual(value, undefined, key);
    assert.deepEqual(f['custom_channel_vars'], { account_id: 'acct', realm: 'r.test' });
    for (const key of Object.keys(f)) assert.ok(!key.startsWith('_') && !key.startsWith('pvt_'), `private key ${key}`);
  });

  test('channel states read as KAZOO call states', async () => {
    const c = await channel({ uuid: 'states' });
    const read = (): [unknown, unknown, unknown] => {
      const f = commonEventFields(c, 'CHANNEL_CREATE', clock.now(), '1');
      return [f['channel_state'], f['channel_call_state'], f['channel_answer_state']];
    };
    assert.deepEqual(read(), ['CS_EXECUTE', 'DOWN', 'ringing']);
    c.transition('ringing');
    assert.deepEqual(read(), ['CS_EXECUTE', 'RINGING', 'ringing']);
    c.transition('early');
    assert.deepEqual(read(), ['CS_EXECUTE', 'EARLY', 'early']);
    c.transition('answered');
    assert.deepEqual(read(), ['CS_EXECUTE', 'ACTIVE', 'answered']);
    c.hangup();
    assert.deepEqual(read(), ['CS_DESTROY', 'HANGUP', 'hangup']);
  });

  test('a bridged channel names its other leg', async () => {
    const a = await channel({ uuid: 'leg-a' });
    const b = await channel({ uuid: 'leg-b', direction: 'outbound', callerIdName: 'Bob', callerIdNumber: '2001', destination: 'bob' });
    a.bridgedTo(b, 'br');
    const f = commonEventFields(a, 'CHANNEL_BRIDGE', clock.now(), '1');
    assert.equal(f['other_leg_call_id'], 'leg-b');
    assert.equal(f['other_leg_direction'], 'outbound');
    assert.equal(f['other_leg_caller_id_name'], 'Bob');
    assert.equal(f['other_leg_caller_id_number'], '2001');
    assert.equal(f['other_leg_destination_number'], 'bob');
  });

  test('CHANNEL_CREATE adds request, to/from with and without scheme, and destination_number', async () => {
    const c = await channel();
    const x = eventExtras(c, 'CHANNEL_CREATE', clock.now());
    assert.deepEqual(x, {
      to: '2001@acme.test',
      to_uri: 'sip:2001@acme.test',
      from: '1001@acme.test',
      from_uri: 'sip:1001@acme.test',
      request: '2001@acme.test;transport=tls',
      destination_number: '2001',
    });
  });

  test('CHANNEL_DESTROY of an answered call: durations, billing, ringing time, disposition and hangup cause', async () => {
    const c = await channel({ uuid: 'answered-call' });
    const created = clock.now();
    clock.advance(3_000);
    c.transition('answered');
    clock.advance(7_400);
    c.ended('NORMAL_CLEARING');
    const x = eventExtras(c, 'CHANNEL_DESTROY', clock.now());
    assert.equal(clock.now() - created, 10_400);
    assert.equal(x['duration_seconds'], 10);
    assert.equal(x['billing_seconds'], 7);
    assert.equal(x['billing_milli_seconds'], 7_400);
    assert.equal(x['ringing_seconds'], 3);
    assert.equal(x['disposition'], 'ANSWER');
    assert.equal(x['hangup_cause'], 'NORMAL_CLEARING');
    assert.equal(x['hangup_code'], 'sip:200');
    assert.equal(x['to_uri'], 'sip:2001@acme.test');
  });

  test('CHANNEL_DESTROY of an unanswered call: no billing, NO_ANSWER disposition, its own cause and SIP code', async () => {
    const c = await channel({ uuid: 'busy-call' });
    clock.advance(1_600);
    c.ended('USER_BUSY', 486);
    const x = eventExtras(c, 'CHANNEL_DESTROY', clock.now());
    assert.equal(x['duration_seconds'], 2);
    assert.equal(x['billing_seconds'], 0);
    assert.equal(x['billing_milli_seconds'], 0);
    assert.equal(x['ringing_seconds'], 2);
    assert.equal(x['disposition'], 'NO_ANSWER');
    assert.equal(x['hangup_cause'], 'USER_BUSY');
    assert.equal(x['hangup_code'], 'sip:486');
  });

  test('CHANNEL_ANSWER adds the from/to block; other events add only their extras', async () => {
    const c = await channel();
    assert.deepEqual(Object.keys(eventExtras(c, 'CHANNEL_ANSWER', clock.now())).sort(), ['from', 'from_uri', 'to', 'to_uri']);
    assert.deepEqual(eventExtras(c, 'CHANNEL_BRIDGE', clock.now(), { bridge_a_unique_id: 'x' }), { bridge_a_unique_id: 'x' });
    assert.deepEqual(eventExtras(c, 'DTMF', clock.now()), {});
  });

  test('routing keys are call.<account>.<EVENT>.<AMQP-encoded call id>', () => {
    assert.equal(callRoutingKey('acct', 'CHANNEL_CREATE', 'abc-123'), 'call.acct.CHANNEL_CREATE.abc-123');
    assert.equal(callRoutingKey('acct', 'CHANNEL_DESTROY', 'call-1@10.0.0.1'), 'call.acct.CHANNEL_DESTROY.call-1%4010%2E0%2E0%2E1');
    assert.equal(callRoutingKey('acct', 'DTMF', 'a b'), 'call.acct.DTMF.a+b');
  });
});
