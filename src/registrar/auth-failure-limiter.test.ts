import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../lib/index.ts';
import { AuthFailureLimiter } from './index.ts';

test('the failure limiter blocks an address and username after five failures for one window', () => {
  const clock = new FakeClock();
  const limiter = new AuthFailureLimiter({ clock });
  for (let i = 0; i < 4; i++) limiter.recordFailure('10.0.0.9', 'alice');
  assert.equal(limiter.isBlocked('10.0.0.9', 'alice'), false);
  limiter.recordFailure('10.0.0.9', 'Alice');
  assert.equal(limiter.isBlocked('10.0.0.9', 'alice'), true);
  assert.equal(limiter.isBlocked('10.0.0.9', 'bob'), false, 'other users behind the same address still pass');
  assert.equal(limiter.isBlocked('10.0.0.8', 'alice'), false);
  clock.advance(59_999);
  assert.equal(limiter.isBlocked('10.0.0.9', 'alice'), true);
  clock.advance(1);
  assert.equal(limiter.isBlocked('10.0.0.9', 'alice'), false);
});

test('the failure limiter forgets failures older than the window and on success', () => {
  const clock = new FakeClock();
  const limiter = new AuthFailureLimiter({ clock });
  for (let i = 0; i < 4; i++) limiter.recordFailure('10.0.0.9', 'alice');
  clock.advance(60_000);
  limiter.recordFailure('10.0.0.9', 'alice');
  assert.equal(limiter.isBlocked('10.0.0.9', 'alice'), false);
  for (let i = 0; i < 3; i++) limiter.recordFailure('10.0.0.9', 'alice');
  limiter.recordSuccess('10.0.0.9', 'alice');
  limiter.recordFailure('10.0.0.9', 'alice');
  assert.equal(limiter.isBlocked('10.0.0.9', 'alice'), false);
});

test('the failure limiter blocks an address sweeping usernames and keeps bounded memory', () => {
  const clock = new FakeClock();
  const limiter = new AuthFailureLimiter({ clock, maxFailuresPerAddress: 10, maxEntries: 100 });
  for (let i = 0; i < 10; i++) limiter.recordFailure('10.0.0.9', `user${i}`);
  assert.equal(limiter.isBlocked('10.0.0.9', 'someone-else'), true);
  for (let i = 0; i < 1000; i++) limiter.recordFailure(`10.1.${i >> 8}.${i & 255}`, 'x');
  assert.ok(limiter.size <= 100);
});
