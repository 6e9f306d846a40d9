// The Channels API over live SIPp calls (issue 5): listings, detail, actions, tenancy.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pglite } from '../support/backends.ts';
import { startHarness, type Harness, type TestAccount } from '../support/api-harness.ts';
import { explainSipp, stopAllSipp, type RunningSipp } from '../support/sipp.ts';
import { sippSkip } from '../support/sipp-skip.ts';
import { legOf as legOfPhone } from '../support/live-channels.ts';
import { call, eventually, phone, provision, type Phones } from '../support/switch-fixture.ts';
import type { SippResult } from '../support/sipp.ts';

const skip = sippSkip();

type Item = Record<string, unknown>;

describe('Channels API on live calls', { skip }, () => {
  let h: Harness;
  let p: Phones;
  let other: TestAccount;

  before(async () => {
    h = await startHarness(pglite());
    p = await provision(h, 'ChanCo', {
      users: ['bobuser'],
      devices: [{ username: 'alice' }, { username: 'bob', owner: 'bobuser' }, { username: 'carol' }, { username: 'dave' }],
      callflows: [{ number: '2001', device: 'bob' }, { number: '2002', device: 'carol' }, { number: '2004', device: 'dave' }],
    });
    other = await h.account('Elsewhere');
  });
  after(async () => {
    await stopAllSipp();
    await h?.close();
  });

  /** Starts alice → bob and waits until both legs are bridged; alice waits for a BYE. */
  async function liveCall(): Promise<{ bob: RunningSipp; alice: Promise<SippResult> }> {
    const bob = await phone(p, 'bob', 'uas-answer.xml', { timeoutSec: 30 });
    const alice = call(p, 'alice', '2001', 'uac-call-wait-bye.xml', { timeoutSec: 30 });
    await eventually(() => h.app.switch.channels.all().filter((c) => c.otherLeg !== undefined).length === 2, 8000);
    return { bob, alice };
  }

  test('listings show both legs with KAZOO fields at account, user and device level; detail uses detail keys', async () => {
    const { bob, alice } = await liveCall();
    const c = p.account.client;
    const A = p.account.accountId;
    const res = await c.get(`/v2/accounts/${A}/channels?paginate=false`);
    assert.equal(res.status, 200, res.text);
    const legs = res.body['data'] as Item[];
    assert.equal(legs.length, 2);
    const inbound = legs.find((l) => l['direction'] === 'inbound');
    const outbound = legs.find((l) => l['direction'] === 'outbound');
    assert.ok(inbound !== undefined && outbound !== undefined);
    for (const leg of legs) {
      for (const key of ['uuid', 'answered', 'authorizing_id', 'authorizing_type', 'destination', 'direction', 'other_leg', 'presence_id', 'timestamp', 'username', 'bridge_id']) {
        assert.ok(key in leg, `${key} in ${JSON.stringify(leg)}`);
      }
      assert.equal(leg['answered'], true);
      assert.ok(Number(leg['timestamp']) > 63_000_000_000, 'Gregorian seconds');
    }
    assert.equal(inbound['other_leg'], outbound['uuid']);
    assert.equal(inbound['bridge_id'], outbound['bridge_id'], 'SmartPBX counts calls by bridge_id');
    assert.equal(outbound['username'], 'bob');

    const userId = (await c.get(`/v2/accounts/${A}/users`)).body['data'] as Item[];
    const bobUser = userId.find((u) => u['username'] === 'bobuser');
    assert.equal(outbound['owner_id'], bobUser?.['id'], "the callee leg carries its device's owner");
    const byUser = await c.get(`/v2/accounts/${A}/users/${String(bobUser?.['id'])}/channels`);
    assert.deepEqual((byUser.body['data'] as Item[]).map((l) => l['username']), ['bob']);
    const byDevice = await c.get(`/v2/accounts/${A}/devices/${p.devices.get('alice') ?? ''}/channels`);
    assert.deepEqual((byDevice.body['data'] as Item[]).map((l) => l['direction']), ['inbound']);

    const detail = await c.get(`/v2/accounts/${A}/channels/${String(inbound['uuid'])}`);
    assert.equal(detail.status, 200);
    const d = detail.body['data'] as Item;
    assert.equal(d['call_id'], inbound['uuid']);
    assert.equal(d['call_direction'], 'inbound');
    assert.equal(d['other_leg_call_id'], outbound['uuid']);
    assert.equal(d['caller_id_number'], 'alice');

    // Another account sees nothing and can do nothing.
    const foreign = other.client;
    assert.deepEqual((await foreign.get(`/v2/accounts/${other.accountId}/channels`)).body['data'], []);
    const peek = await foreign.get(`/v2/accounts/${other.accountId}/channels/${String(inbound['uuid'])}`);
    assert.equal(peek.status, 404);
    assert.deepEqual(peek.body['data'], [inbound['uuid']]);
    const kill = await foreign.post(`/v2/accounts/${other.accountId}/channels/${String(inbound['uuid'])}`, { action: 'hangup' });
    assert.equal(kill.status, 404);
    assert.equal((await foreign.get(`/v2/accounts/${A}/channels`)).status, 403);

    // The hangup action ends the call: SIPp receives the BYE.
    const hang = await c.post(`/v2/accounts/${A}/channels/${String(outbound['uuid'])}`, { action: 'hangup' });
    assert.equal(hang.status, 200, hang.text);
    assert.equal(hang.body['data'], 'hangup initiated');
    const a = await alice;
    assert.equal(a.exitCode, 0, explainSipp(a));
    await bob.done;
    await eventually(() => h.app.switch.channels.size === 0);
  });

  test('bad requests: unknown channel 404 at once, unknown action 400, bad metaflow 400; a hangup metaflow runs', async () => {
    const c = p.account.client;
    const A = p.account.accountId;
    const unknown = await c.get(`/v2/accounts/${A}/channels/no-such-call`);
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.body['data'], ['no-such-call']);
    const { bob, alice } = await liveCall();
    const uuid = h.app.switch.channels.all().find((ch) => ch.profile.direction === 'inbound')?.uuid ?? '';
    const bad = await c.post(`/v2/accounts/${A}/channels/${uuid}`, { action: 'dance' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body['message'], 'invalid data');
    const noModule = await c.request('PUT', `/v2/accounts/${A}/channels/${uuid}`, { action: 'metaflow', data: { data: {} } });
    assert.equal(noModule.status, 400);
    assert.ok((noModule.body['data'] as Item)['module']);
    const unknownModule = await c.request('PUT', `/v2/accounts/${A}/channels/${uuid}`, { action: 'metaflow', data: { module: 'juggle' } });
    assert.equal(unknownModule.status, 400, unknownModule.text);
    // A metaflow that runs: hangup through the executor (KAZOO's corrected body form).
    const mf = await c.request('PUT', `/v2/accounts/${A}/channels/${uuid}`, { action: 'metaflow', data: { module: 'hangup', data: {} } });
    assert.equal(mf.status, 201, mf.text);
    assert.equal(mf.body['data'], 'metaflow sent');
    assert.equal((await alice).exitCode, 0);
    await bob.done;
    await eventually(() => h.app.switch.channels.size === 0);
  });

  test('the callflow action sends an answered caller to another callflow; its old peer is released', async () => {
    const c = p.account.client;
    const A = p.account.accountId;
    const { bob, alice } = await liveCall();
    const dave = await phone(p, 'dave', 'uas-answer-send-bye.xml', { vars: { hangup_ms: 1500 } });
    const callflows = (await c.get(`/v2/accounts/${A}/callflows?paginate=false`)).body['data'] as Item[];
    const toDave = callflows.find((cf) => (cf['numbers'] as string[]).includes('2004'));
    const aliceLeg = h.app.switch.channels.all().find((ch) => ch.profile.direction === 'inbound');
    const noId = await c.post(`/v2/accounts/${A}/channels/${aliceLeg?.uuid ?? ''}`, { action: 'callflow' });
    assert.equal(noId.status, 400);
    const res = await c.post(`/v2/accounts/${A}/channels/${aliceLeg?.uuid ?? ''}`, { action: 'callflow', id: toDave?.['id'] });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body['data'], 'callflow initiated');
    const b = await bob.done;
    assert.equal(b.exitCode, 0, `bob is released with a BYE: ${explainSipp(b)}`);
    const d = await dave.done;
    assert.equal(d.exitCode, 0, explainSipp(d));
    const a = await alice;
    assert.equal(a.exitCode, 0, `alice talked to dave, then got dave's BYE: ${explainSipp(a)}`);
    await eventually(() => h.app.switch.channels.size === 0);
  });

  const legOf = (username: string, direction: 'inbound' | 'outbound', peer?: string) => legOfPhone(h, username, { direction, peer });

  test('hold and unhold actions reach the peer SIPp phone as re-INVITEs (sendonly, then sendrecv)', async () => {
    const c = p.account.client;
    const A = p.account.accountId;
    const bob = await phone(p, 'bob', 'hold-uas-reinvite.xml', { timeoutSec: 30 });
    const alice = call(p, 'alice', '2001', 'uac-call.xml', { vars: { hold_ms: 5000 } });
    await eventually(() => legOf('alice', 'inbound', 'bob') !== undefined, 8000);
    const uuid = legOf('alice', 'inbound', 'bob')?.uuid ?? '';
    // The listing serves cached JSON per leg: each answer must follow the hold state.
    const listed = async (): Promise<unknown> => ((await c.get(`/v2/accounts/${A}/channels`)).body['data'] as Item[]).find((l) => l['uuid'] === uuid)?.['is_onhold'];
    await new Promise((r) => setTimeout(r, 800));
    assert.equal(await listed(), false);
    const hold = await c.post(`/v2/accounts/${A}/channels/${uuid}`, { action: 'hold' });
    assert.equal(hold.status, 200, hold.text);
    assert.equal(((await c.get(`/v2/accounts/${A}/channels/${uuid}`)).body['data'] as Item)['is_on_hold'], true);
    assert.equal(await listed(), true, 'the listing shows the hold');
    await new Promise((r) => setTimeout(r, 1500));
    const unhold = await c.post(`/v2/accounts/${A}/channels/${uuid}`, { action: 'unhold' });
    assert.equal(unhold.status, 200, unhold.text);
    assert.equal(await listed(), false, 'the listing shows the resume');
    const [a, b] = await Promise.all([alice, bob.done]);
    assert.equal(a.exitCode, 0, explainSipp(a));
    assert.equal(b.exitCode, 0, explainSipp(b));
    assert.match(b.logs, /hold offer sendonly/);
    assert.match(b.logs, /resume offer sendrecv/);
    await eventually(() => h.app.switch.channels.size === 0);
  });

  test('a blind transfer action moves the call to a third SIPp phone; the transferor leaves', async () => {
    const c = p.account.client;
    const A = p.account.accountId;
    const { bob, alice } = await liveCall();
    const dave = await phone(p, 'dave', 'uas-answer-send-bye.xml', { vars: { answer_ms: 500, hangup_ms: 2000 } });
    const bobLeg = legOf('bob', 'outbound', 'alice');
    const aliceLeg = legOf('alice', 'inbound', 'bob');
    const otherLegOfAlice = async (): Promise<unknown> =>
      ((await c.get(`/v2/accounts/${A}/channels`)).body['data'] as Item[]).find((l) => l['uuid'] === aliceLeg?.uuid)?.['other_leg'];
    assert.equal(await otherLegOfAlice(), bobLeg?.uuid);
    const unbridgedTarget = await c.post(`/v2/accounts/${A}/channels/${bobLeg?.uuid ?? ''}`, { action: 'transfer' });
    assert.equal(unbridgedTarget.status, 400);
    assert.ok((unbridgedTarget.body['data'] as Item)['target'], unbridgedTarget.text);
    const res = await c.post(`/v2/accounts/${A}/channels/${bobLeg?.uuid ?? ''}`, { action: 'transfer', target: '2004', 'transfer-type': 'blind' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body['data'], 'transfer initiated');
    await eventually(() => legOf('alice', 'inbound', 'dave') !== undefined, 8000);
    const daveLeg = legOf('dave', 'outbound', 'alice');
    assert.equal(await otherLegOfAlice(), daveLeg?.uuid, 'the listing shows the new bridge');
    const [a, b, d] = await Promise.all([alice, bob.done, dave.done]);
    assert.equal(b.exitCode, 0, `bob (the transferor) is released: ${explainSipp(b)}`);
    assert.equal(d.exitCode, 0, explainSipp(d));
    assert.equal(a.exitCode, 0, `alice talked to dave until his BYE: ${explainSipp(a)}`);
    await eventually(() => h.app.switch.channels.size === 0);
  });

  test('an attended transfer action with takeback: *1 from the transferor returns it to the transferee', async () => {
    const c = p.account.client;
    const A = p.account.accountId;
    const bob = await phone(p, 'bob', 'uas-answer.xml', { timeoutSec: 30 });
    const carol = await phone(p, 'carol', 'uas-answer.xml', { timeoutSec: 30 });
    const alice = call(p, 'alice', '2001', 'uac-rfc2833-dtmf.xml', { vars: { digits: '*1', lead_ms: 3500, gap_ms: 300, hold_ms: 2000 }, timeoutSec: 30 });
    await eventually(() => legOf('alice', 'inbound', 'bob') !== undefined, 8000);
    const aliceLeg = legOf('alice', 'inbound', 'bob');
    const res = await c.post(`/v2/accounts/${A}/channels/${aliceLeg?.uuid ?? ''}`, { action: 'transfer', target: '2002', transfer_type: 'attended', takeback_dtmf: '*1' });
    assert.equal(res.status, 200, res.text);
    await eventually(() => legOf('alice', 'inbound', 'carol') !== undefined, 8000);
    await eventually(() => legOf('alice', 'inbound', 'bob') !== undefined, 10_000);
    const [a, b, cr] = await Promise.all([alice, bob.done, carol.done]);
    assert.equal(a.exitCode, 0, explainSipp(a));
    assert.equal(b.exitCode, 0, explainSipp(b));
    assert.equal(cr.exitCode, 0, explainSipp(cr));
    await eventually(() => h.app.switch.channels.size === 0);
  });

  test('the park action puts the channel in a slot with music and releases its peer; parked_calls lists it', async () => {
    const c = p.account.client;
    const A = p.account.accountId;
    const { bob, alice } = await liveCall();
    const aliceLeg = legOf('alice', 'inbound', 'bob');
    const res = await c.post(`/v2/accounts/${A}/channels/${aliceLeg?.uuid ?? ''}`, { action: 'park', slot: '7' });
    assert.equal(res.status, 200, res.text);
    assert.match(String(res.body['data']), /park initiated/);
    const b = await bob.done;
    assert.equal(b.exitCode, 0, `bob is released: ${explainSipp(b)}`);
    const parked = await c.get(`/v2/accounts/${A}/parked_calls`);
    assert.equal(parked.status, 200, parked.text);
    assert.ok(JSON.stringify(parked.body['data']).includes(aliceLeg?.uuid ?? 'x'), parked.text);
    const again = await c.post(`/v2/accounts/${A}/channels/${aliceLeg?.uuid ?? ''}`, { action: 'hangup' });
    assert.equal(again.status, 200);
    assert.equal((await alice).exitCode, 0);
    await eventually(() => h.app.switch.channels.size === 0);
  });

  test('the system-wide list is for the superduper admin only', async () => {
    const admin = await h.client.as(p.account.token).get('/v2/channels');
    // ChanCo is the first account of this harness: superduper admin.
    assert.equal(admin.status, 200);
    assert.equal((await other.client.get('/v2/channels')).status, 403);
  });
});
