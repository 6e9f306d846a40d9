// The switch's cached document lookups end to end, on both document backends: a phone registers
// (SIPp, digest), then its device is changed through the document service (REST and in-process);
// the very next REGISTER sees the change. Also the lookups themselves, straight after each write.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../support/backends.ts';
import { startHarness, type Harness } from '../support/api-harness.ts';
import { explainSipp, runSipp, stopAllSipp, type SippResult } from '../support/sipp.ts';
import { sippSkip } from '../support/sipp-skip.ts';
import { PASSWORD, provision, type Phones } from '../support/switch-fixture.ts';
import { deviceKind, sipCredentials } from '../../src/documents/index.ts';

const skip = sippSkip({ media: false });

/** A REGISTER with digest `password`; `expect` says whether the switch must accept or refuse it. */
async function registerAs(p: Phones, user: string, password: string, expect: 'accepted' | 'refused'): Promise<void> {
  const result: SippResult = await runSipp({
    scenario: expect === 'accepted' ? 'register.xml' : 'register-bad-password.xml',
    remote: p.remote,
    timeoutSec: 10,
    vars: { user, domain: p.realm, expires: 300 },
    auth: { username: user, password, uri: p.realm },
  });
  assert.equal(result.exitCode, 0, `${user} should be ${expect}: ${explainSipp(result)}`);
}

for (const makeBackend of backends()) {
  const backend = makeBackend();
  describe(`cached device lookups see every change at once, on ${backend.name}`, { skip }, () => {
    let h: Harness;
    let p: Phones;

    before(async () => {
      h = await startHarness(backend, { env: { SWITCHBOARD_LOG_LEVEL: 'silent' } });
      p = await provision(h, 'Cachey', { devices: [{ username: 'alice' }, { username: 'bob' }, { username: 'carol' }], callflows: [] });
    });

    after(async () => {
      await stopAllSipp();
      await h?.close();
      await backend.cleanup();
    });

    const devicePath = (user: string): string => `/v2/accounts/${p.account.accountId}/devices/${p.devices.get(user) ?? ''}`;

    test('a changed password: the old one is refused and the new one accepted on the next REGISTER', async () => {
      await registerAs(p, 'alice', PASSWORD, 'accepted');
      await registerAs(p, 'alice', PASSWORD, 'accepted');
      assert.ok(h.app.switch.endpoints.cacheStats.hits > 0, 'the second REGISTER was answered from the cache');
      const res = await p.account.client.patch(devicePath('alice'), { sip: { username: 'alice', password: 'new-secret' } });
      assert.equal(res.status, 200, res.text);
      await registerAs(p, 'alice', PASSWORD, 'refused');
      await registerAs(p, 'alice', 'new-secret', 'accepted');
    });

    test('a disabled device is refused at once, and accepted again once enabled', async () => {
      await registerAs(p, 'bob', PASSWORD, 'accepted');
      const disabled = await p.account.client.patch(devicePath('bob'), { enabled: false });
      assert.equal(disabled.status, 200, disabled.text);
      await registerAs(p, 'bob', PASSWORD, 'refused');
      const enabled = await p.account.client.patch(devicePath('bob'), { enabled: true });
      assert.equal(enabled.status, 200, enabled.text);
      await registerAs(p, 'bob', PASSWORD, 'accepted');
    });

    test('a deleted device is refused at once', async () => {
      await registerAs(p, 'carol', PASSWORD, 'accepted');
      const res = await p.account.client.delete(devicePath('carol'));
      assert.equal(res.status, 200, res.text);
      await registerAs(p, 'carol', PASSWORD, 'refused');
    });

    test('a device created right after a refused REGISTER registers at once', async () => {
      await registerAs(p, 'dave', PASSWORD, 'refused');
      const res = await p.account.client.put(`/v2/accounts/${p.account.accountId}/devices`, { name: 'dave phone', sip: { username: 'dave', password: PASSWORD } });
      assert.equal(res.status, 201, res.text);
      await registerAs(p, 'dave', PASSWORD, 'accepted');
    });

    test('lookups through the document service: password, disable, delete seen by the next lookup', async () => {
      const { app } = h;
      const endpoints = app.switch.endpoints;
      const account = await app.accounts.get(p.account.accountId);
      const created = await app.docs.create(deviceKind, account, { name: 'erin phone', sip: { username: 'erin', password: 'first-pass' } });
      const password = async (): Promise<string | undefined> => {
        const device = await endpoints.deviceByUsername(account, 'erin');
        return device === undefined ? undefined : sipCredentials(device)?.password;
      };
      assert.equal(await password(), 'first-pass');
      assert.equal(await password(), 'first-pass');
      await app.docs.patch(deviceKind, account, created._id, { sip: { username: 'erin', password: 'second-pass' } });
      assert.equal(await password(), 'second-pass');
      await app.docs.patch(deviceKind, account, created._id, { enabled: false });
      assert.equal(await password(), undefined);
      assert.equal(await endpoints.device(account._id, created._id), undefined);
      await app.docs.patch(deviceKind, account, created._id, { enabled: true });
      assert.equal(await password(), 'second-pass');
      await app.docs.remove(deviceKind, account._id, created._id);
      assert.equal(await password(), undefined);
      assert.equal(await endpoints.deviceByUniqueUsername('erin'), undefined);
    });
  });
}
