import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backends } from '../support/backends.ts';
import { startHarness } from '../support/api-harness.ts';

for (const makeBackend of backends()) {
  const backend = makeBackend();
  describe(`persistence on ${backend.name}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-persist-'));
    after(async () => {
      rmSync(dir, { recursive: true, force: true });
      await backend.cleanup();
    });

    test('documents and tokens survive a restart', async () => {
      const dataDir = backend.name === 'pglite' ? join(dir, 'data') : undefined;
      const first = await startHarness(backend, dataDir !== undefined ? { dataDir } : {});
      const a = await first.account('PersistCo');
      const created = await a.client.put(`/v2/accounts/${a.accountId}/devices`, { name: 'kept', sip: { username: 'kept', password: 'xsecret' } });
      assert.equal(created.status, 201, created.text);
      const id = String((created.body['data'] as Record<string, unknown>)['id']);
      await first.close();

      const second = await startHarness(backend, dataDir !== undefined ? { dataDir } : {});
      try {
        const again = second.client.as(a.token);
        const read = await again.get(`/v2/accounts/${a.accountId}/devices/${id}`);
        assert.equal(read.status, 200, 'the token issued before the restart still works');
        assert.equal((read.body['data'] as Record<string, unknown>)['name'], 'kept');
        const dup = await again.put(`/v2/accounts/${a.accountId}/devices`, { name: 'dup', sip: { username: 'kept', password: 'ysecret' } });
        assert.equal(dup.status, 400, 'unique claims survive too');
      } finally {
        await second.close();
      }
    });
  });
}
