// Live call events over the app's Blackhole WebSocket server, from real SIPp calls (issue 5).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { backends } from '../support/backends.ts';
import { startHarness, type Harness, type TestAccount } from '../support/api-harness.ts';
import { explainSipp, sippCanPlayPcap, sippSkipReason, stopAllSipp } from '../support/sipp.ts';
import { call, eventually, phone, provision, type Phones } from '../support/switch-fixture.ts';

const skip = sippSkipReason() ?? (sippCanPlayPcap() ? undefined : 'SIPp cannot play pcaps here');
const pglite = backends()[0];

type Frame = Record<string, unknown>;

/** A monster-ui-like client: one binding per subscribe, waits for each reply. */
class Client {
  readonly frames: Frame[] = [];
  readonly ws: WebSocket;
  #n = 0;
  constructor(port: number) {
    this.ws = new WebSocket(`ws://127.0.0.1:${port}/`);
    this.ws.on('message', (raw) => this.frames.push(JSON.parse(String(raw)) as Frame));
  }
  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
  }
  async subscribe(token: string, accountId: string, binding: string): Promise<Frame> {
    const id = `req-${++this.#n}`;
    this.ws.send(JSON.stringify({ action: 'subscribe', auth_token: token, request_id: id, data: { account_id: accountId, binding } }));
    await eventually(() => this.frames.some((f) => f['request_id'] === id), 3000);
    return this.frames.find((f) => f['request_id'] === id) ?? {};
  }
  events(): Frame[] {
    return this.frames.filter((f) => f['action'] === 'event');
  }
  close(): void {
    this.ws.close();
  }
}

describe('call events over websockets from live SIPp calls', { skip }, () => {
  let h: Harness;
  let p: Phones;
  let other: TestAccount;
  before(async () => {
    if (pglite === undefined) throw new Error('no backend');
    h = await startHarness(pglite());
    p = await provision(h, 'WsCo', { devices: [{ username: 'alice' }, { username: 'bob' }], callflows: [{ number: '2001', device: 'bob' }] });
    other = await h.account('Nosy');
  });
  after(async () => {
    await stopAllSipp();
    await h?.close();
  });

  test('subscribers of call.CHANNEL_CREATE.* and call.*.* see both legs in order; another account sees nothing', async () => {
    const creates = new Client(h.app.wsPort);
    const all = new Client(h.app.wsPort);
    const nosy = new Client(h.app.wsPort);
    await Promise.all([creates.opened(), all.opened(), nosy.opened()]);
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
        const data = e['data'] as Frame;
        const id = String(data['call_id']);
        byCall.set(id, [...(byCall.get(id) ?? []), String(e['name'])]);
        assert.equal((data['custom_channel_vars'] as Frame)['account_id'], p.account.accountId);
      }
      assert.equal(byCall.size, 2);
      for (const [id, names] of byCall) {
        assert.deepEqual(names, ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_DESTROY'], id);
      }
      assert.deepEqual(nosy.events(), [], 'no event of another account');
    } finally {
      creates.close();
      all.close();
      nosy.close();
    }
  });

  test('the account websockets listing shows a subscribed socket', async () => {
    const c = new Client(h.app.wsPort);
    await c.opened();
    try {
      await c.subscribe(p.account.token, p.account.accountId, 'object.doc_created.user');
      const res = await p.account.client.get(`/v2/accounts/${p.account.accountId}/websockets`);
      assert.equal(res.status, 200, res.text);
      const sessions = res.body['data'] as Frame[];
      assert.ok(sessions.some((s) => (s['bindings'] as string[]).includes('object.doc_created.user')));
      const pub = await h.client.get('/v2/websockets');
      assert.ok(Array.isArray((pub.body['data'] as Frame)['call']));
    } finally {
      c.close();
    }
  });
});
