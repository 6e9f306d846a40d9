import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PARK_DEFAULTS, timeouts } from './park.ts';

test('ring-back timings come from the slot, then the module data, then KAZOO defaults, all in ms', () => {
  const data = { default_ringback_timeout: 5000, default_callback_timeout: 26000, slots: { '100': { ringback_timeout: 10000 }, '7': { callback_timeout: 4000 } } };
  assert.deepEqual(timeouts(data, '100'), { ringbackMs: 10000, callbackMs: 26000 });
  assert.deepEqual(timeouts(data, '7'), { ringbackMs: 5000, callbackMs: 4000 });
  assert.deepEqual(timeouts({}, '1'), { ringbackMs: PARK_DEFAULTS.ringbackTimeoutMs, callbackMs: PARK_DEFAULTS.callbackTimeoutMs });
  assert.deepEqual(timeouts({ default_ringback_timeout: 0, slots: 'nonsense' }, '1'), { ringbackMs: 120_000, callbackMs: 30_000 });
});
