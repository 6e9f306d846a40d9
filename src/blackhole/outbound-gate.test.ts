import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../lib/index.ts';
import type { Flushable, FlushRequester } from './flush-scheduler.ts';
import { CLOSE_TRY_AGAIN_LATER, OutboundGate, type GateLimits, type OutboundSink } from './outbound-gate.ts';
import { frameText, textFrame } from './ws-frame.ts';

class FakeSink implements OutboundSink {
  bufferedAmount = 0;
  readonly sent: string[] = [];
  /** Frames per write call. */
  readonly writes: number[] = [];
  closedWith: number | undefined;
  terminated = false;
  write(frames: readonly Buffer[]): void {
    this.writes.push(frames.length);
    for (const f of frames) this.sent.push(frameText(f));
  }
  close(code: number): void {
    this.closedWith = code;
  }
  terminate(): void {
    this.terminated = true;
  }
  notices(): unknown[] {
    return this.sent.filter((t) => t.includes('"notice"')).map((t) => JSON.parse(t) as unknown);
  }
}

/** Flushes only when the test says so. */
class ManualScheduler implements FlushRequester {
  readonly waiting: Flushable[] = [];
  request(target: Flushable): void {
    this.waiting.push(target);
  }
  run(): void {
    for (const t of this.waiting.splice(0)) t.flush();
  }
}

const LIMITS: GateLimits = { highWaterBytes: 1000, lowWaterBytes: 100, overflowGraceMs: 5000, hardLimitBytes: 10_000 };

function setup(): { sink: FakeSink; gate: OutboundGate; clock: FakeClock; scheduler: ManualScheduler; send: (text: string) => boolean } {
  const sink = new FakeSink();
  const clock = new FakeClock();
  const scheduler = new ManualScheduler();
  const gate = new OutboundGate(sink, LIMITS, clock, scheduler);
  const send = (text: string): boolean => {
    const sent = gate.sendEvent(textFrame(text));
    scheduler.run();
    return sent;
  };
  return { sink, clock, gate, scheduler, send };
}

test('events flow while the buffer is below the high-water mark', () => {
  const { sink, gate, send, scheduler } = setup();
  sink.bufferedAmount = 999;
  assert.equal(send('e1'), true);
  assert.deepEqual(sink.sent, ['e1']);
  assert.equal(gate.overflowing, false);
});

test('a slow consumer has events dropped with one notice, then one notice with the count on recovery', () => {
  const { sink, gate, clock, send, scheduler } = setup();
  sink.bufferedAmount = 5000;
  assert.equal(send('e1'), false);
  assert.equal(send('e2'), false);
  sink.bufferedAmount = 500;
  assert.equal(send('e3'), false, 'still above the low-water mark');
  assert.deepEqual(sink.notices(), [{ action: 'notice', name: 'overflow', data: { state: 'dropping', dropped: 0 } }]);
  sink.bufferedAmount = 50;
  assert.equal(send('e4'), true);
  assert.deepEqual(sink.notices().at(-1), { action: 'notice', name: 'overflow', data: { state: 'resumed', dropped: 3 } });
  assert.equal(sink.sent.at(-1), 'e4');
  assert.equal(gate.dropped, 3);
  assert.equal(clock.pending, 0, 'the grace timer is cleared');
});

test('a consumer still behind when the grace period ends is closed with 1013', () => {
  const { sink, gate, clock, send, scheduler } = setup();
  sink.bufferedAmount = 5000;
  send('e1');
  clock.advance(4999);
  assert.equal(sink.closedWith, undefined);
  clock.advance(1);
  assert.equal(sink.closedWith, CLOSE_TRY_AGAIN_LATER);
  assert.equal(gate.closed, true);
  assert.equal(send('e2'), false);
});

test('a consumer that drained during the grace period resumes when it ends', () => {
  const { sink, gate, clock, send, scheduler } = setup();
  sink.bufferedAmount = 5000;
  send('e1');
  sink.bufferedAmount = 0;
  clock.advance(5000);
  scheduler.run();
  assert.equal(sink.closedWith, undefined);
  assert.equal(gate.overflowing, false);
  assert.deepEqual(sink.notices().at(-1), { action: 'notice', name: 'overflow', data: { state: 'resumed', dropped: 1 } });
});

test('replies are never dropped, but a buffer past the hard limit cuts the socket', () => {
  const { sink, gate, send, scheduler } = setup();
  sink.bufferedAmount = 5000;
  gate.sendControl('r1');
  scheduler.run();
  assert.deepEqual(sink.sent, ['r1']);
  sink.bufferedAmount = 20_000;
  gate.sendControl('r2');
  scheduler.run();
  assert.equal(sink.terminated, true);
  assert.deepEqual(sink.sent, ['r1']);
});

test('close is idempotent and clears the timer', () => {
  const { sink, gate, clock, send, scheduler } = setup();
  sink.bufferedAmount = 5000;
  send('e1');
  gate.close();
  gate.close();
  assert.equal(clock.pending, 0);
  gate.sendControl('r');
  scheduler.run();
  assert.equal(sink.sent.includes('r'), false);
});

test('replies and events leave in the order they were sent, in one write per flush', () => {
  const { sink, gate, scheduler } = setup();
  gate.sendEvent(textFrame('e1'));
  gate.sendControl('r1');
  gate.sendEvent(textFrame('e2'));
  assert.deepEqual(sink.sent, [], 'nothing is written inside the sender\'s call');
  assert.equal(scheduler.waiting.length, 1, 'the gate asks for one flush, however much it queues');
  scheduler.run();
  assert.deepEqual(sink.sent, ['e1', 'r1', 'e2']);
  assert.deepEqual(sink.writes, [3]);
});

test('queued bytes count toward the backlog', () => {
  const { sink, gate } = setup();
  const big = textFrame('x'.repeat(600));
  assert.equal(gate.sendEvent(big), true);
  assert.equal(gate.queuedBytes, big.length);
  assert.equal(gate.sendEvent(big), true, '604 bytes queued: below the high-water mark');
  assert.equal(gate.sendEvent(big), false, 'past 1,000 bytes queued and not yet written: dropped');
  assert.equal(gate.overflowing, true);
  assert.deepEqual(sink.sent, []);
});

test('close sends what is queued first', () => {
  const { sink, gate, clock } = setup();
  gate.sendEvent(textFrame('e1'));
  gate.close();
  assert.deepEqual(sink.sent, ['e1']);
  assert.equal(clock.pending, 0);
});

test('a cut socket gets nothing of its queue', () => {
  const { sink, gate } = setup();
  gate.sendEvent(textFrame('e1'));
  sink.bufferedAmount = 20_000;
  gate.sendControl('r');
  assert.equal(sink.terminated, true);
  assert.deepEqual(sink.sent, []);
});
