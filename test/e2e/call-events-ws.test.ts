// Live call events over the app's Blackhole WebSocket server, from real SIPp calls (issue 5).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pglite } from '../support/backends.ts';
import { startHarness, type Harness, type TestAccount } from '../support/api-harness.ts';
import { explainSipp, stopAllSipp } from '../support/sipp.ts';
import { sippSkip } from '../support/sipp-skip.ts';
import { call, phone, provision, type Phones } from '../support/switch-fixture.ts';
import { eventually } from '../support/wait.ts';
import { WsClient, type Json } from '../support/ws-client.ts';

const skip = sippSkip();

describe('call events over websockets from live SIPp calls', { skip }, () => {
  let h: Harness;
  let p: Phones;
  let other: TestAccount;
  before(async () => {
    h = await startHarness(pglite());
    p = await provision(h, 'WsCo', { devices: [{ username: 'alice' }, { username: 'bob' }], callflows: [{ number: '2001', device: 'bob' }] });
    other = await h.account('Nosy');
  });
  after(async () => {
    await stopAllSipp();
    await h?.close();
  });

  test('subscribers of call.CHANNEL_CREATE.* and call.*.* see both legs in order; another account sees nothing', async () => {
    const [creates, all, nosy] = await Promise.all([WsClient.connect(h.app.wsPort), WsClient.connect(h.app.wsPort), WsClient.connect(h.app.wsPort)]);
    try {
      const r1 = await creates.subscribe(p.account.token, p.account.accountId, 'call.CHANNEL_CREATE.*');
      assert.equal(r1['status'], 'success', JSON.stringify(r1));
      const r2 = await all.subscribe(p.account.token, p.account.accountId, 'call.*.*');
      assert.equal(r2['status'], 'success');
      const r3 = await nosy.subscribe(other.token, other.accountId, 'call.*.*');
      assert.equal(r3['status'], 'success');
      const denied = await nosy.subscribe(other.token, p.account.accountId, 'call.*.*');
      assert.equal(denied['status'], 'error');

      const bob = await phone(p, 'bob', 'uas-answer.xml');
      const alice = await call(p, 'alice', '2001', 'uac-call.xml', { vars: { hold_ms: 1000 } });
      assert.equal(alice.exitCode, 0, explainSipp(alice));
      await bob.done;
      await eventually(() => all.events().filter((e) => e['name'] === 'CHANNEL_DESTROY').length === 2, 5000);

      const createEvents = creates.events();
      assert.equal(createEvents.length, 2);
      for (const e of createEvents) {
        assert.equal(e['subscribed_key'], 'call.CHANNEL_CREATE.*', 'the exact binding string the client sent');
        assert.equal(e['name'], 'CHANNEL_CREATE');
        assert.match(String(e['routing_key']), new RegExp(`^call\\.${p.account.accountId}\\.CHANNEL_CREATE\\.`));
      }
      const byCall = new Map<string, string[]>();
      for (const e of all.events()) {
        const data = e['data'] as Json;
        const id = String(data['call_id']);
        byCall.set(id, [...(byCall.get(id) ?? []), String(e['name'])]);
        assert.equal((data['custom_channel_vars'] as Json)['account_id'], p.account.accountId);
      }
      assert.equal(byCall.size, 2);
      for (const [id, names] of byCall) {
        assert.deepEqual(names, ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_DESTROY'], id);
      }
      assert.deepEqual(nosy.events(), [], 'no event of another account');
    } finally {
      await Promise.all([creates.close(), all.close(), nosy.close()]);
    }
  });

  test('the account websockets listing shows a subscribed socket', async () => {
    const c = await WsClient.connect(h.app.wsPort);
    try {
      await c.subscribe(p.account.token, p.account.accountId, 'object.doc_created.user');
      const res = await p.account.client.get(`/v2/accounts/${p.account.accountId}/websockets`);
      assert.equal(res.status, 200, res.text);
      const sessions = res.body['data'] as Json[];
      assert.ok(sessions.some((s) => (s['bindings'] as string[]).includes('object.doc_created.user')));
      const pub = await h.client.get('/v2/websockets');
      assert.ok(Array.isArray((pub.body['data'] as Json)['call']));
    } finally {
      await c.close();
    }
  });
});
