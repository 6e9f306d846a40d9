import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../lib/index.ts';
import { EventHistory, type HistoryLimits } from './event-history.ts';
import type { HubEvent } from './hub-event.ts';

const A = 'a'.repeat(32);
const B = 'b'.repeat(32);

function event(accountId: string, n = 0): HubEvent {
  return { accountId, name: 'CHANNEL_CREATE', routingKey: `call.${accountId}.CHANNEL_CREATE.c${n}`, subject: { kind: 'call', callWord: `c${n}` }, payload: { n } };
}

function history(limits: Partial<HistoryLimits> = {}, clock = new FakeClock()): EventHistory {
  return new EventHistory({ maxEvents: 100, maxEventsPerAccount: 50, maxAgeMs: 60_000, ...limits }, clock);
}

test('sequences go up by one per event of an account, independently per account', () => {
  const h = history();
  const start = h.last(A);
  assert.equal(h.record(event(A)).sequence, start + 1);
  assert.equal(h.record(event(B)).sequence, start + 1);
  assert.equal(h.record(event(A)).sequence, start + 2);
  assert.equal(h.last(A), start + 2);
  assert.equal(h.last(B), start + 1);
});

test('sequences keep increasing across a restart, and an old sequence is a gap after it', () => {
  const clock = new FakeClock();
  const before = history({}, clock);
  for (let i = 0; i < 5; i++) before.record(event(A, i));
  const seen = before.last(A);
  clock.advance(1000);
  const after = history({}, clock);
  assert.ok(after.last(A) > seen, 'the new run starts above everything the old one gave out');
  assert.ok(after.record(event(A)).sequence > seen);
  assert.deepEqual(after.since(A, seen), { gap: true, events: [] });
});

test('since replays the events after a sequence, oldest first, and nothing when up to date', () => {
  const h = history();
  const start = h.last(A);
  for (let i = 1; i <= 4; i++) h.record(event(A, i));
  h.record(event(B, 9));
  const replay = h.since(A, start + 2);
  assert.equal(replay.gap, false);
  assert.deepEqual(replay.events.map((e) => e.payload['n']), [3, 4]);
  assert.deepEqual(h.since(A, start + 4), { gap: false, events: [] });
  assert.equal(h.since(A, start).events.length, 4);
  assert.equal(h.since(A, start + 2).events[0]?.dataJson, '{"n":3}');
});

test('an account with no events has no gap from its starting point, and a future sequence is a gap', () => {
  const h = history();
  assert.deepEqual(h.since(A, h.last(A)), { gap: false, events: [] });
  assert.equal(h.since(A, h.last(A) + 10).gap, true);
});

test('the per-account bound forgets the oldest events and reports the gap', () => {
  const h = history({ maxEventsPerAccount: 3 });
  const start = h.last(A);
  for (let i = 1; i <= 5; i++) h.record(event(A, i));
  assert.equal(h.size, 3);
  assert.equal(h.since(A, start + 1).gap, true, 'event 2 is forgotten');
  assert.deepEqual(h.since(A, start + 2).events.map((e) => e.payload['n']), [3, 4, 5]);
});

test('the global bound evicts the oldest events of any account', () => {
  const h = history({ maxEvents: 3 });
  const start = h.last(A);
  h.record(event(A, 1));
  h.record(event(B, 2));
  h.record(event(A, 3));
  h.record(event(B, 4));
  assert.equal(h.size, 3);
  assert.equal(h.since(A, start).gap, true);
  assert.deepEqual(h.since(A, start + 1).events.map((e) => e.payload['n']), [3]);
  assert.deepEqual(h.since(B, start).events.map((e) => e.payload['n']), [2, 4]);
});

test('events older than the age limit are forgotten', () => {
  const clock = new FakeClock();
  const h = history({ maxAgeMs: 10_000 }, clock);
  const start = h.last(A);
  h.record(event(A, 1));
  clock.advance(6_000);
  h.record(event(A, 2));
  clock.advance(6_000);
  assert.equal(h.since(A, start).gap, true);
  assert.deepEqual(h.since(A, start + 1).events.map((e) => e.payload['n']), [2]);
  clock.advance(6_000);
  assert.deepEqual(h.since(A, start + 2), { gap: false, events: [] }, 'up to date is never a gap');
  assert.equal(h.size, 0);
});

test('a busy account neither grows memory nor pushes out a quiet account', () => {
  const h = history({ maxEvents: 100, maxEventsPerAccount: 10 });
  const start = h.last(B);
  h.record(event(B, 1));
  for (let i = 0; i < 5000; i++) h.record(event(A, i));
  assert.equal(h.size, 11);
  assert.deepEqual(h.since(B, start).events.map((e) => e.payload['n']), [1]);
});
