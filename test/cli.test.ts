import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const BIN = resolve(import.meta.dirname, '../bin/switchboard.js');

test('create-account prints the new ids and makes the first account superduper admin', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-cli-'));
  try {
    const run = (name: string) =>
      spawnSync(process.execPath, [BIN, 'create-account', '--name', name, '--realm', `${name}.example.test`, '--username', 'admin', '--password', 'pw', '--data-dir', dir], {
        encoding: 'utf8',
        env: { ...process.env, DATABASE_URL: '', SWITCHBOARD_LOG_LEVEL: 'error' },
        timeout: 60_000,
      });
    const first = run('first');
    assert.equal(first.status, 0, first.stderr);
    const out = JSON.parse(first.stdout) as Record<string, unknown>;
    assert.match(String(out['account_id']), /^[0-9a-f]{32}$/);
    assert.match(String(out['user_id']), /^[0-9a-f]{32}$/);
    assert.equal(out['superduper_admin'], true);
    const second = run('second');
    assert.equal(second.status, 0, second.stderr);
    assert.equal((JSON.parse(second.stdout) as Record<string, unknown>)['superduper_admin'], false);
    const dup = run('first');
    assert.notEqual(dup.status, 0, 'a realm in use is refused');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a bad setting stops the process with a message naming it', () => {
  const res = spawnSync(process.execPath, [BIN, 'start'], {
    encoding: 'utf8',
    env: { ...process.env, SWITCHBOARD_HTTP_PORT: 'eighty' },
    timeout: 30_000,
  });
  assert.equal(res.status, 1);
  assert.match(res.stderr, /SWITCHBOARD_HTTP_PORT/);
});
