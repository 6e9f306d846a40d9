import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../support/backends.ts';
import { startHarness, type Harness, type TestAccount } from '../support/api-harness.ts';
import { md5Credentials } from '../../src/documents/index.ts';
import type { Clock, TimerHandle } from '../../src/lib/index.ts';

/** Real timers, but a wall clock the test can move forward (token expiry). */
class ShiftedClock implements Clock {
  offsetMs = 0;
  now(): number {
    return Date.now() + this.offsetMs;
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    return { id: Number(setTimeout(fn, ms)) };
  }
  clearTimeout(handle: TimerHandle): void {
    clearTimeout(handle.id);
  }
}

for (const makeBackend of backends()) {
  const backend = makeBackend();
  describe(`authentication on ${backend.name}`, () => {
    let h: Harness;
    let a: TestAccount;
    let b: TestAccount;
    const clock = new ShiftedClock();
    before(async () => {
      h = await startHarness(backend, { clock });
      a = await h.account('AuthCo');
      b = await h.account('OtherCo');
    });
    after(async () => {
      await h.close();
      await backend.cleanup();
    });

    test('user_auth answers 201 with a JWT-shaped token and the account and owner ids', async () => {
      const res = await h.client.put('/v2/user_auth', { credentials: md5Credentials('Admin', 'secret'), account_name: 'authco' }, { 'x-auth-token': 'undefined' });
      assert.equal(res.status, 201, res.text);
      const token = String(res.body['auth_token']);
      const parts = token.split('.');
      assert.equal(parts.length, 3);
      const claims = JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
      assert.equal(claims['account_id'], a.accountId);
      const data = res.body['data'] as Record<string, unknown>;
      assert.equal(data['account_id'], a.accountId);
      assert.equal(data['owner_id'], a.userId);
    });

    test('user_auth by realm works too, and bad credentials get the system 401 shape', async () => {
      const ok = await h.client.put('/v2/user_auth', { credentials: md5Credentials('admin', 'secret'), account_realm: a.realm });
      assert.equal(ok.status, 201);
      const bad = await h.client.put('/v2/user_auth', { credentials: md5Credentials('admin', 'wrong'), account_name: 'AuthCo' });
      assert.equal(bad.status, 401);
      assert.equal(bad.body['message'], 'invalid_credentials');
      assert.deepEqual(bad.body['data'], { message: 'invalid credentials' });
      assert.equal(bad.body['error'], '401');
    });

    test('no token → 401 invalid_credentials; unknown or forged token → 401 invalid credentials with {}', async () => {
      const none = await h.client.get(`/v2/accounts/${a.accountId}/users`);
      assert.equal(none.status, 401);
      assert.equal(none.body['message'], 'invalid_credentials');
      const forged = await h.client.as(`${a.token.slice(0, -3)}abc`).get(`/v2/accounts/${a.accountId}/users`);
      assert.equal(forged.status, 401);
      assert.equal(forged.body['message'], 'invalid credentials');
      assert.deepEqual(forged.body['data'], {});
    });

    test('api_auth with the account API key answers 201; an unknown key is 404 with the key', async () => {
      const key = await a.client.get(`/v2/accounts/${a.accountId}/api_key`);
      const apiKey = String((key.body['data'] as Record<string, unknown>)['api_key']);
      assert.equal(apiKey.length, 64);
      const ok = await h.client.put('/v2/api_auth', { api_key: apiKey });
      assert.equal(ok.status, 201, ok.text);
      const users = await h.client.as(String(ok.body['auth_token'])).get(`/v2/accounts/${a.accountId}/users`);
      assert.equal(users.status, 200);
      const unknown = await h.client.put('/v2/api_auth', { api_key: 'f'.repeat(64) });
      assert.equal(unknown.status, 404);
      assert.deepEqual(unknown.body['data'], ['f'.repeat(64)]);
    });

    test('tokeninfo resumes a session; token_auth reads and revokes a token', async () => {
      const token = await h.login('AuthCo', 'admin', 'secret');
      const info = await h.client.request('POST', '/v2/auth/tokeninfo', { data: { token } });
      assert.equal(info.status, 200, info.text);
      assert.equal((info.body['data'] as Record<string, unknown>)['owner_id'], a.userId);
      const me = await h.client.as(token).get('/v2/token_auth');
      assert.equal(me.status, 200);
      const revoked = await h.client.as(token).delete('/v2/token_auth');
      assert.equal(revoked.status, 200);
      const after = await h.client.as(token).get(`/v2/accounts/${a.accountId}`);
      assert.equal(after.status, 401);
    });

    test('an expired token is refused', async () => {
      const token = await h.login('AuthCo', 'admin', 'secret');
      clock.offsetMs = 3601 * 1000;
      try {
        const res = await h.client.as(token).get(`/v2/accounts/${a.accountId}`);
        assert.equal(res.status, 401);
        assert.deepEqual(res.body['data'], {});
      } finally {
        clock.offsetMs = 0;
      }
    });

    test("another account's token sees and changes nothing of account A", async () => {
      const created = await a.client.put(`/v2/accounts/${a.accountId}/devices`, { name: 'secret phone', sip: { username: 'sp', password: 'xsecret' } });
      const deviceId = String((created.body['data'] as Record<string, unknown>)['id']);
      const paths = [
        ['GET', `/v2/accounts/${a.accountId}`],
        ['GET', `/v2/accounts/${a.accountId}/users`],
        ['GET', `/v2/accounts/${a.accountId}/users/${a.userId}`],
        ['GET', `/v2/accounts/${a.accountId}/devices/${deviceId}`],
        ['POST', `/v2/accounts/${a.accountId}/devices/${deviceId}`],
        ['PATCH', `/v2/accounts/${a.accountId}/devices/${deviceId}`],
        ['DELETE', `/v2/accounts/${a.accountId}/devices/${deviceId}`],
        ['PUT', `/v2/accounts/${a.accountId}/callflows`],
        ['GET', `/v2/accounts/${a.accountId}/api_key`],
        ['GET', `/v2/accounts/${a.accountId}/children`],
      ] as const;
      for (const [method, path] of paths) {
        const res = await b.client.request(method, path, { data: { name: 'hacked' } });
        assert.ok(res.status === 403 || res.status === 404, `${method} ${path} → ${res.status}`);
        assert.ok(!res.text.includes('secret phone'), 'nothing leaks');
      }
      // B's own device lookup with A's device id: not found in B.
      const cross = await b.client.get(`/v2/accounts/${b.accountId}/devices/${deviceId}`);
      assert.equal(cross.status, 404);
      const still = await a.client.get(`/v2/accounts/${a.accountId}/devices/${deviceId}`);
      assert.equal((still.body['data'] as Record<string, unknown>)['name'], 'secret phone');
    });

    test('a parent account reaches its sub-accounts, a sub-account not its parent', async () => {
      const child = await b.client.put(`/v2/accounts/${b.accountId}`, { name: 'ChildCo', realm: 'child.example.test' });
      assert.equal(child.status, 201, child.text);
      const childId = String((child.body['data'] as Record<string, unknown>)['id']);
      const read = await b.client.get(`/v2/accounts/${childId}`);
      assert.equal(read.status, 200);
      const children = await b.client.get(`/v2/accounts/${b.accountId}/children`);
      assert.deepEqual((children.body['data'] as { id: string }[]).map((c) => c.id), [childId]);
      const user = await b.client.put(`/v2/accounts/${childId}/users`, { first_name: 'C', last_name: 'U', username: 'cu', password: 'pw', priv_level: 'admin' });
      assert.equal(user.status, 201);
      const childToken = await h.login('ChildCo', 'cu', 'pw');
      const up = await h.client.as(childToken).get(`/v2/accounts/${b.accountId}`);
      assert.equal(up.status, 403);
      const realmTaken = await b.client.put(`/v2/accounts/${b.accountId}`, { name: 'Dup', realm: 'CHILD.example.test' });
      assert.equal(realmTaken.status, 400);
    });

    test('the superduper admin (first account) may act on any account', async () => {
      const res = await a.client.get(`/v2/accounts/${b.accountId}`);
      assert.equal(res.status, 200);
    });

    test('a user below admin may edit only their own user doc', async () => {
      const u = await a.client.put(`/v2/accounts/${a.accountId}/users`, { first_name: 'Plain', last_name: 'User', username: 'plain', password: 'pw' });
      const uid = String((u.body['data'] as Record<string, unknown>)['id']);
      const token = await h.login('AuthCo', 'plain', 'pw');
      const plain = h.client.as(token);
      assert.equal((await plain.get(`/v2/accounts/${a.accountId}/users`)).status, 200);
      assert.equal((await plain.patch(`/v2/accounts/${a.accountId}/users/${uid}`, { email: 'me@example.test' })).status, 200);
      assert.equal((await plain.patch(`/v2/accounts/${a.accountId}/users/${uid}`, { priv_level: 'admin' })).status, 403);
      assert.equal((await plain.patch(`/v2/accounts/${a.accountId}/users/${a.userId}`, { email: 'x@example.test' })).status, 403);
      assert.equal((await plain.put(`/v2/accounts/${a.accountId}/devices`, { name: 'x' })).status, 403);
    });
  });
}
