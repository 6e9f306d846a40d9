import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../support/backends.ts';
import { startHarness, type Harness, type TestAccount } from '../support/api-harness.ts';
import type { BusMessage } from '../../src/bus/index.ts';

for (const makeBackend of backends()) {
  const backend = makeBackend();
  describe(`crossbar CRUD on ${backend.name}`, () => {
    let h: Harness;
    let a: TestAccount;
    before(async () => {
      h = await startHarness(backend);
      a = await h.account('CrudCo');
    });
    after(async () => {
      await h.close();
      await backend.cleanup();
    });

    test('users follow KAZOO status codes: list 200, PUT 201, GET/POST/PATCH/DELETE 200', async () => {
      const base = `/v2/accounts/${a.accountId}/users`;
      const list = await a.client.get(base);
      assert.equal(list.status, 200);
      const created = await a.client.put(base, { first_name: 'Ada', last_name: 'Lovelace', username: 'ada', password: 'pw1', email: 'ada@example.test' });
      assert.equal(created.status, 201, created.text);
      assert.equal(created.headers.get('content-type'), 'application/json');
      const data = created.body['data'] as Record<string, unknown>;
      const id = String(data['id']);
      assert.match(id, /^[0-9a-f]{32}$/);
      assert.equal(data['password'], undefined, 'the password is never returned');
      assert.ok(!Object.keys(data).some((k) => k.startsWith('pvt_') || k.startsWith('_')), 'no private keys');
      assert.equal(typeof created.body['revision'], 'string');
      const read = await a.client.get(`${base}/${id}`);
      assert.equal(read.status, 200);
      assert.equal((read.body['data'] as Record<string, unknown>)['first_name'], 'Ada');
      const replaced = await a.client.post(`${base}/${id}`, { first_name: 'Ada', last_name: 'King', username: 'ada' });
      assert.equal(replaced.status, 200, replaced.text);
      const patched = await a.client.patch(`${base}/${id}`, { email: 'countess@example.test' });
      assert.equal(patched.status, 200, patched.text);
      const pd = patched.body['data'] as Record<string, unknown>;
      assert.equal(pd['last_name'], 'King');
      assert.equal(pd['email'], 'countess@example.test');
      const deleted = await a.client.delete(`${base}/${id}`);
      assert.equal(deleted.status, 200);
      assert.deepEqual((deleted.body['data'] as Record<string, unknown>)['_read_only'], { deleted: true });
      const gone = await a.client.get(`${base}/${id}`);
      assert.equal(gone.status, 404);
      assert.equal(gone.body['message'], 'bad_identifier');
      assert.deepEqual(gone.body['data'], { message: 'bad identifier', cause: id });
      const after = await a.client.get(base);
      assert.ok(!(after.body['data'] as { id: string }[]).some((u) => u.id === id), 'deleted docs are not listed');
    });

    test('PATCH merges nested objects and keeps untouched keys', async () => {
      const base = `/v2/accounts/${a.accountId}/devices`;
      const created = await a.client.put(base, { name: 'desk', sip: { username: 'desk1', password: 'old-secret' }, enabled: false });
      assert.equal(created.status, 201, created.text);
      const id = String((created.body['data'] as Record<string, unknown>)['id']);
      const patched = await a.client.patch(`${base}/${id}`, { enabled: true, sip: { username: 'desk2' }, nested: undefined });
      assert.equal(patched.status, 200, patched.text);
      const d = patched.body['data'] as { enabled: boolean; name: string; sip: { username: string; password: string } };
      assert.equal(d.enabled, true);
      assert.equal(d.name, 'desk');
      assert.equal(d.sip.username, 'desk2');
      assert.equal(d.sip.password, 'old-secret');
    });

    test('a stale revision is refused with 409 and nothing changes', async () => {
      const base = `/v2/accounts/${a.accountId}/callflows`;
      const created = await a.client.put(base, { name: 'main', numbers: ['2000'], flow: { module: 'device', data: {} } });
      assert.equal(created.status, 201, created.text);
      const id = String((created.body['data'] as Record<string, unknown>)['id']);
      const rev1 = String(created.body['revision']);
      const first = await a.client.patch(`${base}/${id}`, { name: 'first' }, { 'if-match': `"${rev1}"` });
      assert.equal(first.status, 200, first.text);
      const second = await a.client.patch(`${base}/${id}`, { name: 'second' }, { 'if-match': `"${rev1}"` });
      assert.equal(second.status, 409);
      assert.equal(second.body['message'], 'datastore_conflict');
      const now = await a.client.get(`${base}/${id}`);
      assert.equal((now.body['data'] as Record<string, unknown>)['name'], 'first');
    });

    test('callflow numbers are unique within the account', async () => {
      const base = `/v2/accounts/${a.accountId}/callflows`;
      const one = await a.client.put(base, { numbers: ['3000'], flow: { module: 'user', data: {} } });
      assert.equal(one.status, 201, one.text);
      const two = await a.client.put(base, { numbers: ['3000', '3001'], flow: { module: 'user', data: {} } });
      assert.equal(two.status, 400);
      assert.equal(two.body['message'], 'validation error');
      const err = (two.body['data'] as Record<string, Record<string, Record<string, unknown>>>)['numbers']?.['unique'];
      assert.equal(err?.['cause'], '3000');
    });

    test('device SIP usernames are unique within the realm', async () => {
      const base = `/v2/accounts/${a.accountId}/devices`;
      const one = await a.client.put(base, { name: 'a', sip: { username: 'shared', password: 'xsecret' } });
      assert.equal(one.status, 201, one.text);
      const two = await a.client.put(base, { name: 'b', sip: { username: 'SHARED', password: 'ysecret' } });
      assert.equal(two.status, 400);
      assert.ok((two.body['data'] as Record<string, unknown>)['sip.username']);
    });

    test('resources and media are stored and listed', async () => {
      const res = await a.client.put(`/v2/accounts/${a.accountId}/resources`, {
        name: 'carrier',
        gateways: [{ server: '127.0.0.1', port: 5080, realm: 'carrier.test', username: 'u', password: 'p' }],
        rules: ['^\\+?1\\d{10}$'],
        weight_cost: 10,
      });
      assert.equal(res.status, 201, res.text);
      const media = await a.client.put(`/v2/accounts/${a.accountId}/media`, { name: 'hold music' });
      assert.equal(media.status, 201, media.text);
      const list = await a.client.get(`/v2/accounts/${a.accountId}/media`);
      assert.equal((list.body['data'] as unknown[]).length, 1);
    });

    test('every create, edit and delete publishes an object event with the KAZOO payload', async () => {
      const seen: BusMessage[] = [];
      const sub = h.app.bus.subscribe('#', (m) => seen.push(m));
      try {
        const types = [
          ['users', { first_name: 'E', last_name: 'V', username: 'ev', password: 'xsecret' }, 'user'],
          ['devices', { name: 'ev-phone', sip: { username: 'evphone', password: 'xsecret' } }, 'device'],
          ['callflows', { numbers: ['4000'], flow: { module: 'device', data: {} } }, 'callflow'],
          ['media', { name: 'ev-media' }, 'media'],
          ['resources', { name: 'ev-res', gateways: [{ server: '127.0.0.1' }] }, 'resource'],
        ] as const;
        for (const [noun, body, type] of types) {
          const created = await a.client.put(`/v2/accounts/${a.accountId}/${noun}`, body);
          assert.equal(created.status, 201, created.text);
          const id = String((created.body['data'] as Record<string, unknown>)['id']);
          await a.client.patch(`/v2/accounts/${a.accountId}/${noun}/${id}`, { description: 'x' });
          await a.client.delete(`/v2/accounts/${a.accountId}/${noun}/${id}`);
          const mine = seen.filter((m) => m.payload['id'] === id);
          assert.deepEqual(mine.map((m) => m.payload['event_name']), ['doc_created', 'doc_edited', 'doc_deleted'], noun);
          const [c] = mine;
          assert.ok(c !== undefined);
          assert.equal(c.payload['type'], type);
          assert.equal(c.payload['account_id'], a.accountId);
          assert.equal(c.payload['event_category'], 'configuration');
          assert.ok(c.routingKey.startsWith(`doc_created.account%252F`), c.routingKey);
          assert.ok(c.routingKey.endsWith(`.${type}.${id}`));
          assert.ok(Number(c.payload['date_created']) <= Number(mine[2]?.payload['date_modified']));
          assert.equal(mine[2]?.payload['is_soft_deleted'], true);
        }
      } finally {
        sub.unsubscribe();
      }
    });
  });
}
