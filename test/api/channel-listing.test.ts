// Channel listings over HTTP (issue 5): the cached, pre-serialised answer is the JSON the summaries
// give, in the same envelope as every other answer, and it follows the legs as they change.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { channelSummary } from '../../src/api/resources/channel-views.ts';
import { Channel, type ChannelProfile } from '../../src/calls/index.ts';
import { FakeClock, silentLogger } from '../../src/lib/index.ts';
import { backends } from '../support/backends.ts';
import { startHarness, type Harness, type TestAccount } from '../support/api-harness.ts';

type Item = Record<string, unknown>;

for (const makeBackend of backends()) {
  const backend = makeBackend();
  describe(`channel listings on ${backend.name}`, () => {
    const clock = new FakeClock(Date.now());
    let h: Harness;
    let a: TestAccount;
    let userId: string;
    let deviceId: string;
    const legs: Channel[] = [];

    const leg = async (i: number, username: string, extra: Partial<ChannelProfile> = {}): Promise<Channel> => {
      const profile: ChannelProfile = {
        uuid: `listing-${i}-${backend.name}@127.0.0.1`,
        direction: i % 2 === 0 ? 'inbound' : 'outbound',
        accountId: a.accountId,
        realm: a.realm,
        callerIdName: `Zoë ${i}`,
        callerIdNumber: String(1000 + i),
        calleeIdName: 'Callee',
        calleeIdNumber: '2000',
        destination: '2000',
        username,
        fromUri: `sip:${username}@${a.realm}`,
        toUri: `sip:2000@${a.realm}`,
        requestUri: `sip:2000@${a.realm}`,
        fromTag: `ft${i}`,
        ...extra,
      };
      const channel = new Channel(profile, await h.app.switch.engine.createEndpoint(), clock, silentLogger);
      h.app.switch.channels.add(channel);
      legs.push(channel);
      return channel;
    };
    /** The summaries of the account's open legs, as the listing showed them before the cache. */
    const summaries = (channels: readonly Channel[]): unknown =>
      JSON.parse(JSON.stringify(channels.filter((c) => !c.closed).map((c) => channelSummary(c, clock.now()))));
    const byUuid = (items: unknown): Item[] => [...(items as Item[])].sort((x, y) => String(x['uuid']).localeCompare(String(y['uuid'])));

    before(async () => {
      h = await startHarness(backend, { clock });
      a = await h.account('ListCo');
      const user = await a.client.put(`/v2/accounts/${a.accountId}/users`, { first_name: 'Zoë', last_name: 'Owner' });
      userId = String((user.body['data'] as Item)['id']);
      const device = await a.client.put(`/v2/accounts/${a.accountId}/devices`, { name: 'zdev', owner_id: userId, sip: { username: 'zdev', password: 'xsecret' } });
      deviceId = String((device.body['data'] as Item)['id']);
      const [x, y, ringing, held] = [await leg(0, 'zdev', { ownerId: userId }), await leg(1, 'other'), await leg(2, 'zdev', { customChannelVars: { elapsed_s: 0, note: 'ü' } }), await leg(3, 'third')];
      x.setToTag('tx');
      y.setToTag('ty');
      x.transition('answered');
      y.transition('answered');
      x.bridgedTo(y, x.uuid);
      y.bridgedTo(x, x.uuid);
      ringing.ringing();
      held.transition('answered');
      held.setOnHold(true);
    });
    after(async () => {
      for (const c of legs) {
        c.hangup();
        h.app.switch.channels.remove(c.uuid);
      }
      await h.close();
      await backend.cleanup();
    });

    test('the account listing is the summaries of its legs, in the usual envelope', async () => {
      clock.advance(7_500);
      const res = await a.client.get(`/v2/accounts/${a.accountId}/channels`);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.headers.get('content-type'), 'application/json');
      assert.deepEqual(byUuid(res.body['data']), byUuid(summaries(legs)));
      assert.deepEqual(Object.keys(res.body), ['auth_token', 'request_id', 'node', 'timestamp', 'version', 'data', 'status']);
      assert.equal(res.body['auth_token'], a.token);
      assert.equal(res.body['status'], 'success');
      assert.equal(res.text, JSON.stringify(res.body), 'compact JSON, nothing but the envelope');
      assert.equal(res.headers.get('x-request-id'), res.body['request_id']);
      const elapsed = (res.body['data'] as Item[]).map((l) => l['elapsed_s']);
      assert.ok(elapsed.every((e) => e === 7), `elapsed_s from the clock: ${JSON.stringify(elapsed)}`);
    });

    test('pretty printing gives the same data indented', async () => {
      const res = await a.client.get(`/v2/accounts/${a.accountId}/channels`, { 'x-pretty-print': 'true' });
      assert.equal(res.status, 200);
      assert.equal(res.text, JSON.stringify(res.body, null, 2));
      assert.deepEqual(byUuid(res.body['data']), byUuid(summaries(legs)));
    });

    test('user and device listings give the summaries of their legs', async () => {
      const mine = legs.filter((l) => l.profile.username === 'zdev');
      const user = await a.client.get(`/v2/accounts/${a.accountId}/users/${userId}/channels`);
      assert.equal(user.status, 200, user.text);
      assert.deepEqual(byUuid(user.body['data']), byUuid(summaries(mine)));
      const device = await a.client.get(`/v2/accounts/${a.accountId}/devices/${deviceId}/channels`);
      assert.deepEqual(byUuid(device.body['data']), byUuid(summaries(mine)));
      assert.equal(device.text, JSON.stringify(device.body));
    });

    test('a listing follows changes to the legs and leaves hung-up legs out', async () => {
      const first = await a.client.get(`/v2/accounts/${a.accountId}/channels`);
      const [x, y, ringing, held] = legs as [Channel, Channel, Channel, Channel];
      ringing.setToTag('tr');
      ringing.transition('answered');
      held.setOnHold(false);
      x.setOnHold(true);
      held.bridgedTo(ringing, held.uuid);
      ringing.bridgedTo(held, held.uuid);
      y.hangup();
      clock.advance(2_000);
      const res = await a.client.get(`/v2/accounts/${a.accountId}/channels`);
      assert.notDeepEqual(byUuid(res.body['data']), byUuid(first.body['data']));
      assert.deepEqual(byUuid(res.body['data']), byUuid(summaries(legs)));
      assert.equal((res.body['data'] as Item[]).length, 3);
      const r = (res.body['data'] as Item[]).find((l) => l['uuid'] === ringing.uuid);
      assert.equal(r?.['answered'], true);
      assert.equal(r?.['other_leg'], held.uuid);
      assert.equal(r?.['to_tag'], 'tr');
    });

    test('another account sees none of these legs', async () => {
      const other = await h.account('ListElsewhere');
      const res = await other.client.get(`/v2/accounts/${other.accountId}/channels`);
      assert.equal(res.status, 200);
      assert.deepEqual(res.body['data'], []);
      assert.equal(res.text, JSON.stringify(res.body));
    });
  });
}
