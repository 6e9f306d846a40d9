// The SIPp guard: skips where SIPp cannot run, fails where it is required (CI), never silently passes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SippRequiredError, sippRequiredBy, sippSkip, type SippProbe } from './sipp-skip.ts';

const installed: SippProbe = { unavailable: () => undefined, canPlayPcap: () => true };
const noRawSocket: SippProbe = { unavailable: () => undefined, canPlayPcap: () => false };
const missing: SippProbe = { unavailable: () => 'sipp is not installed (apt-get install sip-tester)', canPlayPcap: () => false };
const repo = fileURLToPath(new URL('../..', import.meta.url));

describe('sippRequiredBy', () => {
  test('CI set to a true-ish value or SWITCHBOARD_REQUIRE_SIPP=1 require SIPp', () => {
    assert.equal(sippRequiredBy({ CI: 'true' }), 'CI=true');
    assert.equal(sippRequiredBy({ CI: '1' }), 'CI=1');
    assert.equal(sippRequiredBy({ SWITCHBOARD_REQUIRE_SIPP: '1' }), 'SWITCHBOARD_REQUIRE_SIPP=1');
    assert.equal(sippRequiredBy({ CI: 'true', SWITCHBOARD_REQUIRE_SIPP: '0' }), 'CI=true', 'SWITCHBOARD_REQUIRE_SIPP=0 does not lift CI');
  });

  test('no CI, CI empty, 0 or false, and SWITCHBOARD_REQUIRE_SIPP=0 do not', () => {
    for (const env of [{}, { CI: '' }, { CI: '0' }, { CI: 'false' }, { CI: 'FALSE' }, { SWITCHBOARD_REQUIRE_SIPP: '0' }, { SWITCHBOARD_REQUIRE_SIPP: '' }]) {
      assert.equal(sippRequiredBy(env), undefined, JSON.stringify(env));
    }
  });

  test('a SWITCHBOARD_REQUIRE_SIPP other than 1 or 0 is an error', () => {
    assert.throws(() => sippRequiredBy({ SWITCHBOARD_REQUIRE_SIPP: 'yes' }), (e: unknown) => e instanceof SippRequiredError && /must be 1 or 0, got 'yes'/.test(e.message));
  });
});

describe('sippSkip', () => {
  test('runs the suite (undefined) where SIPp can run, required or not', () => {
    assert.equal(sippSkip({ env: {}, probe: installed }), undefined);
    assert.equal(sippSkip({ env: { CI: 'true' }, probe: installed }), undefined);
  });

  test('skips with the reason where SIPp is missing and not required', () => {
    assert.equal(sippSkip({ env: {}, probe: missing }), 'sipp is not installed (apt-get install sip-tester)');
    assert.equal(sippSkip({ env: {}, probe: noRawSocket }), 'SIPp cannot play pcaps here (needs root or CAP_NET_RAW)');
  });

  test('a suite without media needs no raw socket', () => {
    assert.equal(sippSkip({ media: false, env: { CI: 'true' }, probe: noRawSocket }), undefined);
    assert.equal(sippSkip({ media: false, env: {}, probe: missing }), 'sipp is not installed (apt-get install sip-tester)');
  });

  test('throws, naming the cause and the apt-get line, where SIPp is required but missing or cannot play pcaps', () => {
    for (const [env, probe, cause] of [
      [{ CI: 'true' }, missing, /\(CI=true\) but cannot: sipp is not installed/],
      [{ SWITCHBOARD_REQUIRE_SIPP: '1' }, missing, /\(SWITCHBOARD_REQUIRE_SIPP=1\) but cannot: sipp is not installed/],
      [{ CI: 'true' }, noRawSocket, /cannot: SIPp cannot play pcaps here/],
    ] as const) {
      assert.throws(
        () => sippSkip({ env, probe }),
        (e: unknown) => e instanceof SippRequiredError && cause.test(e.message) && e.message.includes('apt-get install -y sip-tester'),
      );
    }
  });

  test('with no sipp on the PATH, a fresh process skips without CI and fails with CI=true', () => {
    const probe = (env: Record<string, string>) =>
      spawnSync(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', "const { sippSkip } = await import('./test/support/sipp-skip.ts'); console.log(`skip: ${sippSkip()}`);"],
        { cwd: repo, encoding: 'utf8', env: { PATH: '/nonexistent', ...env } },
      );
    const relaxed = probe({});
    assert.equal(relaxed.status, 0, relaxed.stderr);
    assert.match(relaxed.stdout, /^skip: sipp is not installed/);
    const ci = probe({ CI: 'true' });
    assert.notEqual(ci.status, 0, ci.stdout);
    assert.match(ci.stderr, /SippRequiredError: SIPp end-to-end tests must run \(CI=true\) but cannot: sipp is not installed.*apt-get install -y sip-tester/);
  });
});
