import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock, TypedEmitter, toGregorian, fromGregorian, newId, isAccountId } from './index.ts';

test('fake clock fires due timers in order and leaves later ones pending', () => {
  const clock = new FakeClock(0);
  const fired: string[] = [];
  clock.setTimeout(() => fired.push('b'), 200);
  clock.setTimeout(() => fired.push('a'), 100);
  const c = clock.setTimeout(() => fired.push('c'), 300);
  clock.advance(250);
  assert.deepEqual(fired, ['a', 'b']);
  clock.clearTimeout(c);
  clock.advance(1000);
  assert.deepEqual(fired, ['a', 'b']);
  assert.equal(clock.pending, 0);
});

test('a timer started by a firing timer fires within the same advance when due', () => {
  const clock = new FakeClock(0);
  const at: number[] = [];
  clock.setTimeout(() => {
    at.push(clock.now());
    clock.setTimeout(() => at.push(clock.now()), 50);
  }, 100);
  clock.advance(200);
  assert.deepEqual(at, [100, 150]);
});

test('gregorian seconds round-trip unix time', () => {
  assert.equal(toGregorian(0), 62167219200);
  assert.equal(fromGregorian(toGregorian(1_700_000_000_000)), 1_700_000_000_000);
});

test('ids are 32 lower-case hex and look like account ids', () => {
  const id = newId();
  assert.match(id, /^[0-9a-f]{32}$/);
  assert.ok(isAccountId(id));
  assert.ok(!isAccountId('not-an-id'));
});

test('a throwing listener does not stop the other listeners', () => {
  const e = new TypedEmitter<{ x: [number] }>();
  const errors: unknown[] = [];
  e.onListenerError = (err) => errors.push(err);
  const got: number[] = [];
  e.on('x', () => {
    throw new Error('boom');
  });
  e.on('x', (n) => got.push(n));
  e.emit('x', 7);
  assert.deepEqual(got, [7]);
  assert.equal(errors.length, 1);
});
