import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock, silentLogger } from '../lib/index.ts';
import { openStore, type SqlDocumentStore } from '../store/index.ts';
import { TokenService } from './token-service.ts';

describe('TokenService', () => {
  let store: SqlDocumentStore;
  let clock: FakeClock;
  let tokens: TokenService;

  before(async () => {
    clock = new FakeClock(Date.UTC(2026, 0, 1, 12, 0, 0));
    store = await openStore({ dataDir: 'memory://', clock, logger: silentLogger });
    tokens = await TokenService.open(store, clock, 3600);
  });
  after(async () => {
    await store.close();
  });

  test('a token checks out every time until it expires, to the second, also once it was checked before', async () => {
    const { token, claims } = await tokens.issue({ accountId: 'a'.repeat(32), ownerId: 'o'.repeat(32), method: 'cb_user_auth' });
    for (let i = 0; i < 3; i++) assert.deepEqual(await tokens.verify(token), { ok: true, claims });
    clock.advance(3599_999 - (clock.now() % 1000));
    assert.equal((await tokens.verify(token)).ok, true, 'one second before exp');
    clock.advance(1);
    assert.deepEqual(await tokens.verify(token), { ok: false, reason: 'expired' }, 'at exp, as jose decides');
    assert.deepEqual(await tokens.verify(token), { ok: false, reason: 'expired' });
  });

  test('a revoked token is refused even after it was checked', async () => {
    const { token, claims } = await tokens.issue({ accountId: 'b'.repeat(32), method: 'cb_api_auth' });
    assert.equal((await tokens.verify(token)).ok, true);
    await tokens.revoke(claims);
    assert.deepEqual(await tokens.verify(token), { ok: false, reason: 'revoked' });
    const reopened = await TokenService.open(store, clock, 3600);
    assert.deepEqual(await reopened.verify(token), { ok: false, reason: 'revoked' }, 'revocation survives a restart');
  });

  test('a token with a changed payload or signature is invalid, checked before or not', async () => {
    const { token } = await tokens.issue({ accountId: 'c'.repeat(32), method: 'cb_user_auth' });
    assert.equal((await tokens.verify(token)).ok, true);
    const [h, p, s] = token.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...payload, account_id: 'd'.repeat(32) })).toString('base64url')}.${s}`;
    assert.deepEqual(await tokens.verify(forged), { ok: false, reason: 'invalid' });
    assert.deepEqual(await tokens.verify(`${h}.${p}.${s.startsWith('A') ? 'B' : 'A'}${s.slice(1)}`), { ok: false, reason: 'invalid' });
  });
});
