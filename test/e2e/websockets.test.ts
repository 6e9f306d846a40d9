// The Blackhole WebSocket server with real `ws` clients against a whole Switchboard (issue 5):
// KAZOO's own blackhole cases (kazoo-reference §7), monster-ui's client behaviour (CLIENTS.md),
// tenancy, bindings[], unsubscribe-all, replay with sequence numbers, and the protections.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { WebSocket, type ClientOptions } from 'ws';
import { pglite } from '../support/backends.ts';
import { ApiClient, startHarness, type Harness, type TestAccount } from '../support/api-harness.ts';
import { eventually } from '../support/wait.ts';
import { refusedStatus, WsClient, type Json } from '../support/ws-client.ts';
import { BlackholeServer, type BlackholeLimits } from '../../src/blackhole/index.ts';
import { encodeRoutingWord, type MemoryBus } from '../../src/bus/index.ts';
import { callRoutingKey } from '../../src/calls/index.ts';
import { buildHttpServer } from '../../src/api/http-server.ts';
import { websocketRoutes } from '../../src/api/resources/websockets.ts';
import { FakeClock, silentLogger, type Clock } from '../../src/lib/index.ts';

describe('Blackhole websockets', () => {
  let h: Harness;
  let bh: BlackholeServer;
  let rest: FastifyInstance;
  let api: ApiClient;
  let root: TestAccount;
  let a: TestAccount;
  let b: TestAccount;
  let busBindings: number;
  const clients: WsClient[] = [];
  const servers: BlackholeServer[] = [];

  const connect = async (options: ClientOptions = {}, server: BlackholeServer = bh): Promise<WsClient> => {
    const c = await WsClient.connect(server.port, options);
    clients.push(c);
    return c;
  };
  const serverWith = async (limits: Partial<BlackholeLimits>, clock?: Clock): Promise<BlackholeServer> => {
    const app = h.app;
    const s = await BlackholeServer.start({ port: 0, host: '127.0.0.1', bus: app.bus, tokens: app.tokens, accounts: app.accounts, store: app.store, limits, ...(clock !== undefined ? { clock } : {}) });
    servers.push(s);
    return s;
  };
  const publishCall = (accountId: string, event: 'CHANNEL_CREATE' | 'CHANNEL_ANSWER' | 'CHANNEL_DESTROY', callId: string, extra: Json = {}): void => {
    h.app.bus.publish(callRoutingKey(accountId, event, callId), { event_name: event, call_id: callId, custom_channel_vars: { account_id: accountId }, ...extra });
  };

  before(async () => {
    h = await startHarness(pglite());
    busBindings = (h.app.bus as MemoryBus).size;
    root = await h.account('Root');
    a = await h.account('Acme');
    b = await h.account('Beta');
    bh = await serverWith({});
    rest = await buildHttpServer({
      routes: websocketRoutes(bh),
      auth: { tokens: h.app.tokens, accounts: h.app.accounts, store: h.app.store },
      clock: h.app.clock,
      logger: silentLogger,
      version: 'test',
      buckets: { capacity: 1_000_000, refillPerSecond: 1_000_000 },
    });
    await rest.listen({ port: 0, host: '127.0.0.1' });
    const address = rest.server.address();
    api = new ApiClient(`http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`);
  });

  after(async () => {
    for (const c of clients) c.ws.terminate();
    for (const s of servers) await s.close();
    await rest?.close();
    await h?.close();
  });

  test('KAZOO ping: a ping with a token is answered pong with its request_id, again later on the same socket', async () => {
    const c = await connect();
    const first = await c.request({ action: 'ping', auth_token: a.token, request_id: 'ping-1' });
    assert.deepEqual(first, { action: 'reply', request_id: 'ping-1', status: 'success', data: { response: 'pong' } });
    await sleep(50);
    const second = await c.request({ action: 'ping', auth_token: a.token });
    assert.equal(second['status'], 'success');
  });

  test('the first message needs a token; a forged or malformed one gets KAZOO texts', async () => {
    const c = await connect();
    assert.deepEqual((await c.request({ action: 'ping' }))['data'], { errors: ['authentication token required'] });
    assert.deepEqual((await c.request({ action: 'ping', auth_token: 'undefined' }))['data'], { errors: ['authentication token required'] });
    assert.deepEqual((await c.request({ action: 'ping', auth_token: 'not a jwt' }))['data'], { errors: ['invalid authentication token format'] });
    const forged = `${a.token.slice(0, -4)}AAAA`;
    assert.deepEqual((await c.request({ action: 'ping', auth_token: forged }))['data'], { errors: [`failed to authenticate token ${forged}`] });
    assert.equal((await c.request({ action: 'whatever', auth_token: a.token }))['status'], 'success', 'any action succeeds once authenticated');
  });

  test('KAZOO max_conn: with max 1 per IP a second upgrade is refused with 429, tracked before authentication', async () => {
    const s = await serverWith({ maxConnectionsPerIp: 1 });
    const first = await connect({}, s);
    assert.equal(await refusedStatus(s.port), 429);
    assert.equal((await first.request({ action: 'ping', auth_token: a.token }))['status'], 'success');
    await first.close();
    await eventually(() => s.connections === 0);
    const again = await connect({}, s);
    assert.equal(again.ws.readyState, WebSocket.OPEN);
  });

  test('a sub-protocol is refused with 400 like KAZOO; any path is accepted', async () => {
    assert.equal(await refusedStatus(bh.port, {}, 'kazoo'), 400);
    const c = await WsClient.connect(bh.port, {}, '/any/path?x=1');
    clients.push(c);
    assert.equal((await c.request({ action: 'ping', auth_token: a.token }))['status'], 'success');
  });

  test('KAZOO api: the REST listing follows a socket from connect to close', async () => {
    const advertised = await api.get('/v2/websockets');
    assert.equal(advertised.status, 200);
    const bindings = advertised.body['data'] as Record<string, string[]>;
    assert.ok(bindings['call']?.includes('call.CHANNEL_CREATE.{CALL_ID}'));
    assert.ok(bindings['object']?.includes('object.doc_created.user'));

    const listing = api.as(a.token);
    const summary = `/v2/accounts/${a.accountId}/websockets`;
    for (const c of clients) c.ws.terminate();
    await eventually(async () => ((await listing.get(summary)).body['data'] as unknown[]).length === 0);

    const c = await connect();
    assert.deepEqual((await listing.get(summary)).body['data'], [], 'listed only after authenticating');
    await c.request({ action: 'ping', auth_token: a.token, name: 'panel', metadata: { v: 1 } });
    const items = (await listing.get(summary)).body['data'] as Json[];
    assert.equal(items.length, 1);
    const id = String(items[0]?.['websocket_session_id']);
    assert.match(id, /^127\.0\.0\.1:\d+$/);
    assert.deepEqual(items[0]?.['bindings'], []);
    assert.equal(items[0]?.['name'], 'panel');
    assert.deepEqual(items[0]?.['metadata'], { v: 1 });
    assert.equal(typeof items[0]?.['timestamp'], 'number');
    assert.ok(Number(items[0]?.['timestamp']) > 63_000_000_000, 'Gregorian seconds');

    const binding = 'object.doc_created.user';
    const sub = await c.request({ action: 'subscribe', auth_token: a.token, request_id: 'sub-1', data: { account_id: a.accountId, binding } });
    assert.equal(sub['action'], 'reply');
    assert.equal(sub['request_id'], 'sub-1');
    assert.equal(sub['status'], 'success');
    assert.deepEqual((sub['data'] as Json)['subscribed'], [binding]);

    const detail = await listing.get(`${summary}/${id}`);
    assert.equal(detail.status, 200);
    assert.equal(detail.headers.get('content-type'), 'application/json');
    const d = detail.body['data'] as Json;
    assert.deepEqual(d['bindings'], [binding]);
    assert.equal(d['source'], '127.0.0.1');
    assert.equal(d['websocket_session_id'], id);
    assert.equal(d['name'], undefined, 'name and metadata are re-read from every message');

    const unsub = await c.request({ action: 'unsubscribe', auth_token: a.token, data: { account_id: a.accountId, binding } });
    assert.deepEqual(unsub['data'], { unsubscribed: [binding], subscribed: [] });
    assert.deepEqual(((await listing.get(`${summary}/${id}`)).body['data'] as Json)['bindings'], []);

    const other = await api.as(b.token).get(`/v2/accounts/${b.accountId}/websockets/${id}`);
    assert.equal(other.status, 404, "another account's socket is not found");
    assert.equal(other.body['message'], 'bad_identifier');
    assert.equal((await api.as(b.token).get(summary)).status, 403, 'nor listed to another account');

    await c.close();
    await eventually(async () => ((await listing.get(summary)).body['data'] as unknown[]).length === 0);
  });

  test('subscribe validation answers with KAZOO texts and leaves the socket usable', async () => {
    const c = await connect();
    const errorsOf = async (data: unknown): Promise<unknown> => ((await c.request({ action: 'subscribe', auth_token: a.token, data }))['data'] as Json)['errors'];
    assert.deepEqual(await errorsOf({}), ['missing required keys in data object']);
    assert.deepEqual(await errorsOf({ foo: 1 }), ['missing required keys : account_id, binding']);
    assert.deepEqual(await errorsOf({ account_id: a.accountId }), ['missing required keys : binding']);
    assert.deepEqual(await errorsOf({ account_id: a.accountId, binding: 'call.FOO.*' }), ['event FOO not supported']);
    assert.deepEqual(await errorsOf({ account_id: a.accountId, binding: 'call.CHANNEL_CREATE' }), ['invalid format for call subscription : CHANNEL_CREATE']);
    assert.deepEqual(await errorsOf({ account_id: a.accountId, binding: 'doc_created.*.user.*' }), ['no available subscriptions to requested binding']);
    assert.deepEqual(await errorsOf({ account_id: '*', binding: 'call.*.*' }), ['unauthorized wildcard account id']);
    assert.deepEqual(await errorsOf({ account_id: b.accountId, binding: 'call.*.*' }), ['unauthorized account id']);
    assert.deepEqual(await errorsOf({ account_id: a.accountId, bindings: ['call.*.*', 'call.NOPE.*', 'object.x.y'] }), ['event NOPE not supported', 'event x.y not supported']);
    c.ws.send('{not json');
    const bad = await c.waitFor((m) => m['status'] === 'error' && JSON.stringify(m['data']).includes('invalid JSON'));
    assert.equal(typeof bad['request_id'], 'string');
    const ok = await c.request({ action: 'subscribe', auth_token: a.token, data: { account_id: a.accountId, bindings: ['call.CHANNEL_CREATE.*', 'object.*.device'] } });
    assert.deepEqual((ok['data'] as Json)['subscribed'], ['call.CHANNEL_CREATE.*', 'object.*.device'], 'bindings[] subscribes all of them');
  });

  test('object events arrive after the reply with the exact subscribed_key, KAZOO fields and a sequence', async () => {
    const c = await connect();
    const reply = await c.subscribe(a.token, a.accountId, 'object.doc_created.user');
    const created = await a.client.put(`/v2/accounts/${a.accountId}/users`, { first_name: 'Ada', last_name: 'Lovelace' });
    assert.equal(created.status, 201, created.text);
    const userId = String((created.body['data'] as Json)['id']);
    await a.client.put(`/v2/accounts/${a.accountId}/devices`, { name: 'not a user' });
    const event = await c.waitFor((m) => m['action'] === 'event');
    assert.ok(c.messages.indexOf(reply) < c.messages.indexOf(event), 'the reply comes first');
    assert.equal(event['subscribed_key'], 'object.doc_created.user');
    assert.equal(event['name'], 'doc_created');
    assert.equal(event['account_id'], a.accountId);
    assert.match(String(event['routing_key']), new RegExp(`^doc_created\\..+\\.user\\.${userId}$`));
    assert.match(String(event['subscription_key']), /^doc_created\..+\.user\.\*$/);
    assert.equal(event['sequence'], Number((reply['data'] as Json)['sequence']) + 1);
    const data = event['data'] as Json;
    assert.equal(data['id'], userId);
    assert.equal(data['account_id'], a.accountId);
    assert.equal(data['type'], 'user');
    assert.equal(data['event_name'], 'doc_created');
    await sleep(50);
    assert.equal(c.events().length, 1, 'the device creation is not a user event');
  });

  test('call events match by event and call id; every event is sent once per matching binding string', async () => {
    const c = await connect();
    await c.subscribe(a.token, a.accountId, 'call.CHANNEL_CREATE.*');
    await c.subscribe(a.token, a.accountId, 'call.CHANNEL_CREATE.*');
    await c.subscribe(a.token, a.accountId, 'call.*.*');
    await c.subscribe(a.token, a.accountId, 'call.CHANNEL_ANSWER.call-1@10.0.0.1');
    const dup = await c.subscribe(a.token, a.accountId, 'call.CHANNEL_CREATE.*');
    assert.deepEqual((dup['data'] as Json)['subscribed'], ['call.CHANNEL_CREATE.*', 'call.*.*', 'call.CHANNEL_ANSWER.call-1@10.0.0.1'], 'duplicates are not added');
    publishCall(a.accountId, 'CHANNEL_CREATE', 'call-1@10.0.0.1');
    publishCall(a.accountId, 'CHANNEL_ANSWER', 'call-1@10.0.0.1');
    publishCall(a.accountId, 'CHANNEL_ANSWER', 'call-2');
    await c.waitFor((m) => m['action'] === 'event' && (m['data'] as Json)['call_id'] === 'call-2');
    await sleep(30);
    const seen = c.events().map((e) => `${e['subscribed_key']} ${e['name']} ${(e['data'] as Json)['call_id']}`);
    assert.deepEqual(seen, [
      'call.CHANNEL_CREATE.* CHANNEL_CREATE call-1@10.0.0.1',
      'call.*.* CHANNEL_CREATE call-1@10.0.0.1',
      'call.*.* CHANNEL_ANSWER call-1@10.0.0.1',
      'call.CHANNEL_ANSWER.call-1@10.0.0.1 CHANNEL_ANSWER call-1@10.0.0.1',
      'call.*.* CHANNEL_ANSWER call-2',
    ]);
    const first = c.events()[0] as Json;
    assert.deepEqual(Object.keys(first).sort(), ['account_id', 'action', 'data', 'name', 'routing_key', 'sequence', 'subscribed_key', 'subscription_key']);
    assert.equal(first['subscription_key'], `call.${a.accountId}.CHANNEL_CREATE.*`);
    assert.equal(first['routing_key'], `call.${a.accountId}.CHANNEL_CREATE.${encodeRoutingWord('call-1@10.0.0.1')}`);
    const wildcard = c.events().find((e) => e['subscribed_key'] === 'call.*.*');
    assert.equal(wildcard?.['subscription_key'], `call.${a.accountId}.CHANNEL_CREATE.*`, 'a * event is expanded to the event name');
  });

  test('tenancy: another account never sees the events; a parent may watch a child but not the reverse; * is superduper only', async () => {
    const child = await a.client.put(`/v2/accounts/${a.accountId}`, { name: 'Acme Child', realm: 'child.acme.example.test' });
    assert.equal(child.status, 201, child.text);
    const childId = String((child.body['data'] as Json)['id']);
    const childToken = (await h.app.tokens.issue({ accountId: childId, method: 'cb_api_auth' })).token;

    const ca = await connect();
    const cb = await connect();
    const croot = await connect();
    const cchild = await connect();
    await ca.subscribe(a.token, a.accountId, 'call.*.*');
    await cb.subscribe(b.token, b.accountId, 'call.*.*');
    assert.equal((await ca.request({ action: 'subscribe', auth_token: a.token, data: { account_id: childId, binding: 'call.*.*' } }))['status'], 'success');
    const up = await cchild.request({ action: 'subscribe', auth_token: childToken, data: { account_id: a.accountId, binding: 'call.*.*' } });
    assert.deepEqual((up['data'] as Json)['errors'], ['unauthorized account id']);
    const all = await croot.request({ action: 'subscribe', auth_token: root.token, data: { account_id: '*', binding: 'call.CHANNEL_DESTROY.*' } });
    assert.equal(all['status'], 'success');
    assert.equal((all['data'] as Json)['sequence'], undefined, 'no sequence for a wildcard account');

    publishCall(a.accountId, 'CHANNEL_DESTROY', 'tenant-a');
    publishCall(b.accountId, 'CHANNEL_DESTROY', 'tenant-b');
    publishCall(childId, 'CHANNEL_DESTROY', 'tenant-child');
    await croot.waitFor((m) => (m['data'] as Json | undefined)?.['call_id'] === 'tenant-child');
    await sleep(30);
    const ids = (c: WsClient) => c.events().map((e) => (e['data'] as Json)['call_id']);
    assert.deepEqual(ids(ca), ['tenant-a', 'tenant-child']);
    assert.deepEqual(ids(cb), ['tenant-b']);
    assert.deepEqual(ids(croot), ['tenant-a', 'tenant-b', 'tenant-child']);
    assert.equal(croot.events()[0]?.['subscription_key'], 'call.*.CHANNEL_DESTROY.*');
  });

  test('a weaker token sent on a socket drops the subscriptions it may not hold', async () => {
    const c = await connect();
    await c.request({ action: 'subscribe', auth_token: root.token, data: { account_id: '*', binding: 'call.CHANNEL_ANSWER.*' } });
    await c.request({ action: 'subscribe', auth_token: root.token, data: { account_id: a.accountId, binding: 'call.CHANNEL_DESTROY.*' } });
    const switched = await c.request({ action: 'ping', auth_token: b.token });
    assert.equal(switched['status'], 'success');
    const left = await c.request({ action: 'unsubscribe', auth_token: b.token, data: { bindings: ['call.CHANNEL_CREATE.*'] } });
    assert.deepEqual((left['data'] as Json)['subscribed'], [], 'neither * nor another account survives');
    publishCall(a.accountId, 'CHANNEL_ANSWER', 'reauth');
    publishCall(a.accountId, 'CHANNEL_DESTROY', 'reauth');
    await sleep(30);
    assert.deepEqual(c.events(), []);
  });

  test('unsubscribe with no binding removes everything; with bindings[] only those', async () => {
    const c = await connect();
    await c.request({ action: 'subscribe', auth_token: a.token, data: { account_id: a.accountId, bindings: ['call.CHANNEL_CREATE.*', 'call.CHANNEL_ANSWER.*', 'call.CHANNEL_DESTROY.*'] } });
    const some = await c.request({ action: 'unsubscribe', auth_token: a.token, data: { account_id: a.accountId, bindings: ['call.CHANNEL_ANSWER.*'] } });
    assert.deepEqual(some['data'], { unsubscribed: ['call.CHANNEL_ANSWER.*'], subscribed: ['call.CHANNEL_CREATE.*', 'call.CHANNEL_DESTROY.*'] });
    const all = await c.request({ action: 'unsubscribe', auth_token: a.token });
    assert.deepEqual(all['data'], { unsubscribed: ['call.CHANNEL_CREATE.*', 'call.CHANNEL_DESTROY.*'], subscribed: [] });
    publishCall(a.accountId, 'CHANNEL_CREATE', 'after-unsubscribe');
    await sleep(30);
    assert.deepEqual(c.events(), []);
  });

  test('no event is lost after the reply: events right after it carry consecutive sequences', async () => {
    const c = await connect();
    let n = 0;
    const timer = setInterval(() => publishCall(a.accountId, 'CHANNEL_CREATE', `burst-${n++}`), 1);
    try {
      await sleep(20);
      const reply = await c.subscribe(a.token, a.accountId, 'call.*.*');
      await c.waitFor(() => c.events().length >= 10);
      assert.equal(c.messages[0], reply, 'nothing before the reply');
      const sequences = c.events().map((e) => Number(e['sequence']));
      const start = Number((reply['data'] as Json)['sequence']);
      assert.deepEqual(sequences.slice(0, 10), Array.from({ length: 10 }, (_, i) => start + 1 + i));
    } finally {
      clearInterval(timer);
    }
  });

  test('monster-ui: reconnect and re-subscribe one binding at a time, and replay what was missed with since', async () => {
    const first = await connect();
    await first.subscribe(a.token, a.accountId, 'call.CHANNEL_CREATE.*');
    await first.subscribe(a.token, a.accountId, 'call.CHANNEL_DESTROY.*');
    publishCall(a.accountId, 'CHANNEL_CREATE', 'before-drop');
    const seen = await first.waitFor((m) => m['action'] === 'event');
    const lastSeen = Number(seen['sequence']);
    await first.close();

    publishCall(a.accountId, 'CHANNEL_CREATE', 'missed-1');
    publishCall(a.accountId, 'CHANNEL_ANSWER', 'missed-answer');
    publishCall(a.accountId, 'CHANNEL_DESTROY', 'missed-1');

    const second = await connect();
    const r1 = await second.subscribe(a.token, a.accountId, 'call.CHANNEL_CREATE.*', { since: lastSeen });
    assert.equal((r1['data'] as Json)['gap'], false);
    assert.equal((r1['data'] as Json)['sequence'], lastSeen + 3);
    const r2 = await second.subscribe(a.token, a.accountId, 'call.CHANNEL_DESTROY.*', { since: lastSeen });
    assert.deepEqual((r2['data'] as Json)['subscribed'], ['call.CHANNEL_CREATE.*', 'call.CHANNEL_DESTROY.*']);
    publishCall(a.accountId, 'CHANNEL_CREATE', 'live');
    await second.waitFor((m) => (m['data'] as Json | undefined)?.['call_id'] === 'live');
    const got = second.events().map((e) => `${e['subscribed_key']} ${(e['data'] as Json)['call_id']} ${e['replay'] === true ? 'replay' : 'live'}`);
    assert.deepEqual(got, ['call.CHANNEL_CREATE.* missed-1 replay', 'call.CHANNEL_DESTROY.* missed-1 replay', 'call.CHANNEL_CREATE.* live live']);
    assert.ok(second.messages.indexOf(r1) < second.messages.indexOf(second.events()[0] as Json), 'replayed events follow their reply');
  });

  test('a gap the server can no longer fill is reported and nothing is replayed', async () => {
    const s = await serverWith({ maxEventsPerAccount: 2 });
    const c = await connect({}, s);
    const start = Number(((await c.subscribe(b.token, b.accountId, 'object.*.*'))['data'] as Json)['sequence']);
    for (let i = 0; i < 4; i++) publishCall(b.accountId, 'CHANNEL_CREATE', `gap-${i}`);
    const late = await connect({}, s);
    const reply = await late.subscribe(b.token, b.accountId, 'call.*.*', { since: start });
    assert.equal((reply['data'] as Json)['gap'], true);
    const ok = await late.subscribe(b.token, b.accountId, 'call.CHANNEL_CREATE.*', { since: start + 2 });
    assert.equal((ok['data'] as Json)['gap'], false);
    await late.waitFor(() => late.events().length === 2);
    assert.deepEqual(late.events().map((e) => (e['data'] as Json)['call_id']), ['gap-2', 'gap-3']);
    const before = await late.subscribe(b.token, b.accountId, 'object.*.user', { since: 0 });
    assert.equal((before['data'] as Json)['gap'], true, 'a sequence from before this run is a gap');
    const bad = await late.request({ action: 'subscribe', auth_token: root.token, data: { account_id: '*', binding: 'call.*.*', since: 1 } });
    assert.deepEqual((bad['data'] as Json)['errors'], ['since needs a single account_id, not *']);
  });

  test('the message rate limit answers with KAZOO text', async () => {
    const clock = new FakeClock();
    const s = await serverWith({ messageBucket: { capacity: 5, refillPerSecond: 1 } }, clock);
    const c = await connect({}, s);
    for (let i = 0; i < 5; i++) assert.equal((await c.request({ action: 'ping', auth_token: a.token }))['status'], 'success');
    const limited = await c.request({ action: 'ping', auth_token: a.token });
    const address = s.sessions(a.accountId)[0]?.id;
    assert.deepEqual(limited['data'], { errors: [`rate limiting threshold hit for ${address}!`] });
    clock.advance(1000);
    assert.equal((await c.request({ action: 'ping', auth_token: a.token }))['status'], 'success', 'the bucket refills');
  });

  test('a peer that stops answering pings is cut; a live one stays', async () => {
    const clock = new FakeClock();
    const s = await serverWith({ pingIntervalMs: 1000 }, clock);
    const dead = await connect({ autoPong: false }, s);
    const live = await connect({}, s);
    const pinged = new Promise((r) => live.ws.once('ping', r));
    clock.advance(1000);
    await pinged;
    await sleep(50);
    clock.advance(1000);
    assert.equal(await dead.waitClose(), 1006);
    await sleep(50);
    assert.equal(live.ws.readyState, WebSocket.OPEN);
    assert.equal(s.connections, 1);
  });

  test('a slow consumer has events dropped with a notice, then is closed with 1013', async () => {
    const clock = new FakeClock();
    const s = await serverWith({ highWaterBytes: 64 * 1024, lowWaterBytes: 16 * 1024, overflowGraceMs: 5000 }, clock);
    const c = await connect({}, s);
    await c.subscribe(a.token, a.accountId, 'call.CHANNEL_ANSWER.*');
    c.ws.pause();
    const blob = 'x'.repeat(32 * 1024);
    const published = 600;
    for (let i = 0; i < published; i++) publishCall(a.accountId, 'CHANNEL_ANSWER', `slow-${i}`, { blob });
    clock.advance(5000);
    c.ws.resume();
    assert.equal(await c.waitClose(10_000), 1013);
    const notice = c.messages.find((m) => m['action'] === 'notice');
    assert.deepEqual(notice, { action: 'notice', name: 'overflow', data: { state: 'dropping', dropped: 0 } });
    assert.ok(c.events().length < published, `${c.events().length} of ${published} delivered`);
    assert.ok(c.messages.indexOf(notice as Json) > c.messages.indexOf(c.events().at(-1) as Json), 'the notice follows the last delivered event');
  });

  test('close() closes every socket with 1001, leaves no timer and is idempotent', async () => {
    const clock = new FakeClock();
    const s = await serverWith({}, clock);
    const c = await connect({}, s);
    await c.subscribe(a.token, a.accountId, 'call.*.*');
    const closing = c.waitClose();
    await s.close();
    await s.close();
    assert.equal(await closing, 1001);
    assert.equal(s.closed, true);
    assert.equal(s.connections, 0);
    assert.equal(clock.pending, 0);
    assert.equal(await refusedStatus(s.port).catch(() => 0), 0, 'nothing listens any more');
  });

  test('every server leaves no bus binding behind', async () => {
    for (const s of servers) if (s !== bh) await s.close();
    assert.equal((h.app.bus as MemoryBus).size, busBindings + 4, 'only the main server binds');
    await bh.close();
    assert.equal((h.app.bus as MemoryBus).size, busBindings);
  });
});

describe('Blackhole token expiry (monster-ui logs in again)', () => {
  let h: Harness;
  let bh: BlackholeServer;
  const clock = new FakeClock(Date.now());

  before(async () => {
    h = await startHarness(pglite(), { env: { SWITCHBOARD_TOKEN_EXPIRY: '2' }, clock });
    bh = await BlackholeServer.start({ port: 0, host: '127.0.0.1', bus: h.app.bus, tokens: h.app.tokens, accounts: h.app.accounts, store: h.app.store, clock });
  });

  after(async () => {
    await bh?.close();
    await h?.close();
  });

  test('an expired token gets the text monster-ui reacts to; a new token on the same socket works', async () => {
    const acme = await h.account('Acme');
    const c = await WsClient.connect(bh.port);
    try {
      const ok = await c.request({ action: 'subscribe', auth_token: acme.token, data: { account_id: acme.accountId, binding: 'call.*.*' } });
      assert.equal(ok['status'], 'success');
      clock.advance(3000);
      const expired = await c.request({ action: 'subscribe', auth_token: acme.token, data: { account_id: acme.accountId, binding: 'object.*.*' } });
      assert.equal(expired['status'], 'error');
      const text = String(((expired['data'] as Json)['errors'] as string[])[0]);
      assert.ok(text.startsWith('failed to authenticate token'), text);
      assert.equal((await c.request({ action: 'ping' }))['status'], 'error', 'without a token the expired one is re-checked');

      const fresh = await h.login('Acme', 'admin', 'secret');
      const again = await c.request({ action: 'subscribe', auth_token: fresh, data: { account_id: acme.accountId, binding: 'object.*.*' } });
      assert.deepEqual((again['data'] as Json)['subscribed'], ['call.*.*', 'object.*.*']);
      h.app.bus.publish(callRoutingKey(acme.accountId, 'CHANNEL_CREATE', 'after-relogin'), { call_id: 'after-relogin' });
      const event = await c.waitFor((m) => m['action'] === 'event');
      assert.equal(event['subscribed_key'], 'call.*.*');
    } finally {
      await c.close();
    }
  });
});
