import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlushScheduler, type Defer, type Flushable } from './flush-scheduler.ts';

/** A defer that runs only when the test turns the loop, and a clock the targets advance. */
function harness(sliceMs = 4): { scheduler: FlushScheduler; turn: () => boolean; pending: () => number; clock: { ms: number } } {
  const queue: (() => void)[] = [];
  const defer: Defer = (fn) => {
    queue.push(fn);
    return () => {
      const i = queue.indexOf(fn);
      if (i >= 0) queue.splice(i, 1);
    };
  };
  const clock = { ms: 0 };
  const scheduler = new FlushScheduler({ defer, now: () => clock.ms, sliceMs });
  return {
    scheduler,
    clock,
    pending: () => queue.length,
    turn: () => {
      const fn = queue.shift();
      fn?.();
      return fn !== undefined;
    },
  };
}

function target(log: string[], name: string, cost = 0, clock?: { ms: number }): Flushable {
  return {
    flush: () => {
      log.push(name);
      if (clock !== undefined) clock.ms += cost;
    },
  };
}

test('nothing is flushed inside the request; one deferred pass flushes every target once, in request order', () => {
  const { scheduler, turn, pending } = harness();
  const log: string[] = [];
  const a = target(log, 'a');
  const b = target(log, 'b');
  scheduler.request(a);
  scheduler.request(b);
  scheduler.request(a);
  assert.deepEqual(log, []);
  assert.equal(pending(), 1, 'one deferred pass, however many requests');
  turn();
  assert.deepEqual(log, ['a', 'b']);
  assert.equal(scheduler.waiting, 0);
  assert.equal(pending(), 0);
});

test('a pass longer than the slice yields and goes on in a later turn', () => {
  const { scheduler, turn, clock } = harness(4);
  const log: string[] = [];
  for (let i = 0; i < 100; i++) scheduler.request(target(log, `t${i}`, 1, clock));
  turn();
  assert.equal(log.length, 32, 'the clock is read every 32 flushes; 32 ms > 4 ms');
  assert.equal(scheduler.waiting, 68);
  while (turn());
  assert.equal(log.length, 100);
  assert.deepEqual(log.slice(0, 3), ['t0', 't1', 't2']);
  assert.equal(log.at(-1), 't99');
});

test('drain flushes everything at once; close drops what waits and stops scheduling', () => {
  const { scheduler, pending } = harness();
  const log: string[] = [];
  scheduler.request(target(log, 'a'));
  scheduler.drain();
  assert.deepEqual(log, ['a']);
  assert.equal(pending(), 0, 'the deferred pass was cancelled');
  scheduler.request(target(log, 'b'));
  scheduler.close();
  scheduler.close();
  assert.equal(pending(), 0);
  scheduler.request(target(log, 'c'));
  assert.equal(pending(), 0);
  assert.deepEqual(log, ['a']);
  assert.equal(scheduler.closed, true);
});

test('the default defer is setImmediate', async () => {
  const scheduler = new FlushScheduler();
  const log: string[] = [];
  scheduler.request(target(log, 'a'));
  assert.deepEqual(log, []);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(log, ['a']);
  scheduler.close();
});

test('a throwing flush is reported and the others still flush', () => {
  const queue: (() => void)[] = [];
  const errors: unknown[] = [];
  const scheduler = new FlushScheduler({ defer: (fn) => (queue.push(fn), () => undefined), onError: (e) => errors.push(e) });
  const log: string[] = [];
  scheduler.request({ flush: () => { throw new Error('boom'); } });
  scheduler.request(target(log, 'b'));
  queue.shift()?.();
  assert.deepEqual(log, ['b']);
  assert.equal(errors.length, 1);
  scheduler.close();
});
