import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../lib/index.ts';
import { CLOSE_TRY_AGAIN_LATER, OutboundGate, type GateLimits, type OutboundSink } from './outbound-gate.ts';

class FakeSink implements OutboundSink {
  bufferedAmount = 0;
  readonly sent: string[] = [];
  closedWith: number | undefined;
  terminated = false;
  send(data: string | Buffer): void {
    this.sent.push(String(data));
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

const LIMITS: GateLimits = { highWaterBytes: 1000, lowWaterBytes: 100, overflowGraceMs: 5000, hardLimitBytes: 10_000 };

function setup(): { sink: FakeSink; gate: OutboundGate; clock: FakeClock } {
  const sink = new FakeSink();
  const clock = new FakeClock();
  return { sink, clock, gate: new OutboundGate(sink, LIMITS, clock) };
}

test('events flow while the buffer is below the high-water mark', () => {
  const { sink, gate } = setup();
  sink.bufferedAmount = 999;
  assert.equal(gate.sendEvent('e1'), true);
  assert.deepEqual(sink.sent, ['e1']);
  assert.equal(gate.overflowing, false);
});

test('a slow consumer has events dropped with one notice, then one notice with the count on recovery', () => {
  const { sink, gate, clock } = setup();
  sink.bufferedAmount = 5000;
  assert.equal(gate.sendEvent('e1'), false);
  assert.equal(gate.sendEvent('e2'), false);
  sink.bufferedAmount = 500;
  assert.equal(gate.sendEvent('e3'), false, 'still above the low-water mark');
  assert.deepEqual(sink.notices(), [{ action: 'notice', name: 'overflow', data: { state: 'dropping', dropped: 0 } }]);
  sink.bufferedAmount = 50;
  assert.equal(gate.sendEvent('e4'), true);
  assert.deepEqual(sink.notices().at(-1), { action: 'notice', name: 'overflow', data: { state: 'resumed', dropped: 3 } });
  assert.equal(sink.sent.at(-1), 'e4');
  assert.equal(gate.dropped, 3);
  assert.equal(clock.pending, 0, 'the grace timer is cleared');
});

test('a consumer still behind when the grace period ends is closed with 1013', () => {
  const { sink, gate, clock } = setup();
  sink.bufferedAmount = 5000;
  gate.sendEvent('e1');
  clock.advance(4999);
  assert.equal(sink.closedWith, undefined);
  clock.advance(1);
  assert.equal(sink.closedWith, CLOSE_TRY_AGAIN_LATER);
  assert.equal(gate.closed, true);
  assert.equal(gate.sendEvent('e2'), false);
});

test('a consumer that drained during the grace period resumes when it ends', () => {
  const { sink, gate, clock } = setup();
  sink.bufferedAmount = 5000;
  gate.sendEvent('e1');
  sink.bufferedAmount = 0;
  clock.advance(5000);
  assert.equal(sink.closedWith, undefined);
  assert.equal(gate.overflowing, false);
  assert.deepEqual(sink.notices().at(-1), { action: 'notice', name: 'overflow', data: { state: 'resumed', dropped: 1 } });
});

test('replies are never dropped, but a buffer past the hard limit cuts the socket', () => {
  const { sink, gate } = setup();
  sink.bufferedAmount = 5000;
  gate.sendControl('r1');
  assert.deepEqual(sink.sent, ['r1']);
  sink.bufferedAmount = 20_000;
  gate.sendControl('r2');
  assert.equal(sink.terminated, true);
  assert.deepEqual(sink.sent, ['r1']);
});

test('close is idempotent and clears the timer', () => {
  const { sink, gate, clock } = setup();
  sink.bufferedAmount = 5000;
  gate.sendEvent('e1');
  gate.close();
  gate.close();
  assert.equal(clock.pending, 0);
  gate.sendControl('r');
  assert.equal(sink.sent.includes('r'), false);
});
