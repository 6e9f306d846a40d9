import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../lib/index.ts';
import { DtmfDetector, DtmfError, DtmfSender, RtpSequencer, parseDtmfInfo, parseRtp, serializeRtp } from './index.ts';
import type { DtmfEvent, MediaFormat } from './index.ts';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** A telephone-event packet: PT 101, SSRC 0x0a0b0c0d. */
function te(seq: number, ts: number, event: number, end: boolean, duration: number, marker = false): Buffer {
  return serializeRtp({
    marker,
    payloadType: 101,
    sequenceNumber: seq,
    timestamp: ts,
    ssrc: 0x0a0b0c0d,
    payload: Buffer.from([event, (end ? 0x80 : 0) | 10, duration >> 8, duration & 0xff]),
  });
}

function collect(detector: DtmfDetector): DtmfEvent[] {
  const got: DtmfEvent[] = [];
  detector.on('dtmf', (e) => got.push(e));
  return got;
}

test('a press with three end packets is one event with its duration', () => {
  const detector = new DtmfDetector({ payloadType: 101 });
  const got = collect(detector);
  const press = [
    '80e5 0001 00001000 0a0b0c0d 050a00a0', // start, marker, 160
    '8065 0002 00001000 0a0b0c0d 050a0140',
    '8065 0003 00001000 0a0b0c0d 050a01e0',
    '8065 0004 00001000 0a0b0c0d 058a0320', // end, 800 = 100 ms
    '8065 0005 00001000 0a0b0c0d 058a0320',
    '8065 0006 00001000 0a0b0c0d 058a0320',
  ];
  for (const p of press) detector.push(hex(p));
  assert.deepEqual(got, [{ digit: '5', durationMs: 100, source: 'rfc4733' }]);
});

test('two presses of the same digit are two events', () => {
  const detector = new DtmfDetector({ payloadType: 101 });
  const got = collect(detector);
  let seq = 1;
  for (const ts of [8000, 9600]) {
    detector.push(te(seq++, ts, 1, false, 160, true));
    for (let i = 0; i < 3; i++) detector.push(te(seq++, ts, 1, true, 640));
  }
  assert.deepEqual(
    got.map((e) => e.digit),
    ['1', '1'],
  );
});

test('an end whose start was lost still counts, and late packets of it are ignored', () => {
  const detector = new DtmfDetector({ payloadType: 101 });
  const got = collect(detector);
  detector.push(te(4, 500, 11, true, 800));
  detector.push(te(1, 500, 11, false, 160, true)); // start arriving after the end
  detector.push(te(6, 500, 11, true, 800));
  detector.push(te(2, 500, 11, false, 320));
  assert.deepEqual(got, [{ digit: '#', durationMs: 100, source: 'rfc4733' }]);
});

test('a press whose end packets were all lost is reported when the next begins, or on timeout', () => {
  const clock = new FakeClock(0);
  const detector = new DtmfDetector({ payloadType: 101, clock, endTimeoutMs: 500 });
  const got = collect(detector);
  detector.push(te(1, 100, 10, false, 160, true));
  detector.push(te(2, 100, 10, false, 320));
  detector.push(te(3, 2000, 12, false, 160, true));
  assert.deepEqual(got.map((e) => [e.digit, e.durationMs]), [['*', 40]]);
  clock.advance(499);
  assert.equal(got.length, 1);
  clock.advance(1);
  assert.deepEqual(got.map((e) => e.digit), ['*', 'A']);
  assert.equal(clock.pending, 0);
  detector.close();
});

test('other payload types and flash are ignored', () => {
  const detector = new DtmfDetector({ payloadType: 101 });
  const got = collect(detector);
  detector.push(serializeRtp({ marker: false, payloadType: 0, sequenceNumber: 1, timestamp: 1, ssrc: 1, payload: Buffer.alloc(160) }));
  detector.push(te(1, 1, 16, true, 800));
  detector.push(Buffer.from([0x80, 101]));
  assert.deepEqual(got, []);
});

test('SIP INFO dtmf-relay and dtmf bodies are read', () => {
  assert.deepEqual(parseDtmfInfo('application/dtmf-relay', 'Signal=5\r\nDuration=160\r\n'), { digit: '5', durationMs: 160 });
  assert.deepEqual(parseDtmfInfo('Application/DTMF-Relay; charset=x', 'signal= *\nDuration= 250'), { digit: '*', durationMs: 250 });
  assert.deepEqual(parseDtmfInfo('application/dtmf-relay', 'Signal=11'), { digit: '#', durationMs: 250 });
  assert.deepEqual(parseDtmfInfo('application/dtmf', '9\r\n'), { digit: '9', durationMs: 250 });
  assert.deepEqual(parseDtmfInfo('application/dtmf', 'b'), { digit: 'B', durationMs: 250 });
  assert.deepEqual(parseDtmfInfo('application/dtmf', '10'), { digit: '*', durationMs: 250 });
  assert.equal(parseDtmfInfo('application/sdp', 'v=0'), undefined);
  assert.throws(() => parseDtmfInfo('application/dtmf-relay', 'Duration=160'), DtmfError);
  assert.throws(() => parseDtmfInfo('application/dtmf', 'x'), DtmfError);
});

test('generated digits round-trip into the detector with RFC 4733 timing', () => {
  const clock = new FakeClock(0);
  const sequencer = new RtpSequencer(clock, { ssrc: 7, sequenceNumber: 65534, timestamp: 2 ** 32 - 500 });
  const format: MediaFormat = { codec: 'PCMU', payloadType: 0, telephoneEventPayloadType: 96 };
  const sent: Buffer[] = [];
  const sender = new DtmfSender('1#9', { clock, durationMs: 100, gapMs: 40 });
  let ended = '';
  sender.on('ended', (reason) => (ended = reason));
  sender.start({ sequencer, format, send: (p) => sent.push(p) });
  clock.advance(2000);
  assert.equal(ended, 'finished');
  assert.equal(clock.pending, 0);
  // per digit: 5 updates + 3 ends
  assert.equal(sent.length, 3 * 8);
  const packets = sent.map((p) => parseRtp(p));
  const first = packets.slice(0, 8);
  assert.deepEqual(first.map((p) => p.marker), [true, false, false, false, false, false, false, false]);
  assert.equal(new Set(first.map((p) => p.timestamp)).size, 1, 'one timestamp per event');
  assert.deepEqual(
    packets.map((p) => p.sequenceNumber).slice(0, 4),
    [65534, 65535, 0, 1],
  );
  assert.deepEqual([...(first[7]?.payload ?? [])], [1, 0x80 | 10, 0x03, 0x20]);
  assert.notEqual(packets[8]?.timestamp, packets[0]?.timestamp);
  assert.equal(((packets[8]?.timestamp ?? 0) - (packets[0]?.timestamp ?? 0)) >>> 0, 160 * (8 + 2));
  const detector = new DtmfDetector({ payloadType: 96 });
  const got = collect(detector);
  for (const p of sent) detector.push(p);
  assert.deepEqual(got, [
    { digit: '1', durationMs: 100, source: 'rfc4733' },
    { digit: '#', durationMs: 100, source: 'rfc4733' },
    { digit: '9', durationMs: 100, source: 'rfc4733' },
  ]);
});

test('the sender refuses bad digits and legs without telephone-event', () => {
  const clock = new FakeClock(0);
  assert.throws(() => new DtmfSender('12x', { clock }), DtmfError);
  const sender = new DtmfSender('1', { clock });
  const output = { sequencer: new RtpSequencer(clock), format: { codec: 'PCMU', payloadType: 0 } as const, send: () => {} };
  assert.throws(() => sender.start(output), DtmfError);
  assert.equal(sender.closed, true);
  assert.equal(clock.pending, 0);
});
