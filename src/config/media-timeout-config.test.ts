import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, readConfig } from './index.ts';

test('the media timeouts default to 60 s active and 3600 s on hold', () => {
  const c = readConfig({});
  assert.equal(c.rtpTimeoutSeconds, 60);
  assert.equal(c.rtpHoldTimeoutSeconds, 3600);
});

test('the media timeouts are read from the environment and flags, 0 turning them off', () => {
  const c = readConfig({ SWITCHBOARD_RTP_TIMEOUT_SECONDS: '0', SWITCHBOARD_RTP_HOLD_TIMEOUT_SECONDS: '120' }, { rtpTimeoutSeconds: '15' });
  assert.equal(c.rtpTimeoutSeconds, 15);
  assert.equal(c.rtpHoldTimeoutSeconds, 120);
  assert.equal(readConfig({ SWITCHBOARD_RTP_HOLD_TIMEOUT_SECONDS: '0' }).rtpHoldTimeoutSeconds, 0);
});

test('a media timeout that is not a whole number of seconds names its setting', () => {
  for (const [env, value] of [
    ['SWITCHBOARD_RTP_TIMEOUT_SECONDS', '-1'],
    ['SWITCHBOARD_RTP_TIMEOUT_SECONDS', '1.5'],
    ['SWITCHBOARD_RTP_HOLD_TIMEOUT_SECONDS', 'an hour'],
  ] as const) {
    assert.throws(() => readConfig({ [env]: value }), (e: unknown) => e instanceof ConfigError && e.setting === env && e.message.includes(`'${value}'`));
  }
});
