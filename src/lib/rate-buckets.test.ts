import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock, RateBuckets } from './index.ts';

test('a client is refused once its bucket is empty and served again as it refills', () => {
  const clock = new FakeClock();
  const buckets = new RateBuckets({ capacity: 3, refillPerSecond: 10 }, clock);
  assert.deepEqual([1, 2, 3, 4].map(() => buckets.consume('a', 1)), [true, true, true, false]);
  assert.equal(buckets.consume('b', 1), true, 'another client has its own bucket');
  clock.advance(100);
  assert.equal(buckets.consume('a', 1), true);
  assert.equal(buckets.consume('a', 1), false);
});

test('memory stays bounded: full buckets are forgotten, and past maxClients the least recently used goes', () => {
  const clock = new FakeClock();
  const buckets = new RateBuckets({ capacity: 2, refillPerSecond: 1 }, clock, { maxClients: 3 });
  buckets.consume('a', 2);
  buckets.consume('b', 1);
  buckets.consume('c', 1);
  buckets.consume('a', 0); // a is now the most recently used
  buckets.consume('d', 1);
  assert.equal(buckets.size, 3);
  assert.equal(buckets.consume('a', 1), false, 'a (recently used) kept its empty bucket');
  assert.equal(buckets.remaining('b'), 2, 'b (least recently used) was forgotten: a new bucket is full');
  clock.advance(2000);
  buckets.consume('e', 1);
  assert.equal(buckets.size, 1, 'every bucket full again was dropped when a new client came');
});
