import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RtpParseError, isRtcp, parseRtp, serializeRtp } from './index.ts';

test('a packet with CSRCs, extension and padding survives serialize then parse', () => {
  const buf = serializeRtp({
    marker: true,
    payloadType: 8,
    sequenceNumber: 65535,
    timestamp: 0xfffffff0,
    ssrc: 0xdeadbeef,
    csrcs: [1, 0xffffffff],
    extension: { profile: 0xbede, data: Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]) },
    payload: Buffer.from('hello'),
    padding: 3,
  });
  assert.equal(buf.length, 12 + 8 + 4 + 8 + 5 + 3);
  assert.equal(buf[0], 0x80 | 0x20 | 0x10 | 2);
  const p = parseRtp(buf);
  assert.equal(p.marker, true);
  assert.equal(p.payloadType, 8);
  assert.equal(p.sequenceNumber, 65535);
  assert.equal(p.timestamp, 0xfffffff0);
  assert.equal(p.ssrc, 0xdeadbeef);
  assert.deepEqual(p.csrcs, [1, 0xffffffff]);
  assert.equal(p.extension?.profile, 0xbede);
  assert.deepEqual([...(p.extension?.data ?? [])], [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(p.payload.toString(), 'hello');
  assert.equal(p.padding, 3);
  assert.deepEqual(serializeRtp(p), buf);
});

test('a minimal packet parses with an empty CSRC list and no extension', () => {
  const raw = Buffer.from('80000001000000a0000000010102', 'hex');
  const p = parseRtp(raw);
  assert.deepEqual(
    { ...p, payload: [...p.payload] },
    { marker: false, payloadType: 0, sequenceNumber: 1, timestamp: 160, ssrc: 1, csrcs: [], payload: [1, 2], padding: 0 },
  );
});

test('invalid packets are RtpParseErrors', () => {
  const ok = serializeRtp({ marker: false, payloadType: 0, sequenceNumber: 1, timestamp: 1, ssrc: 1, payload: Buffer.alloc(4) });
  const bad = (mutate: (b: Buffer) => Buffer): Buffer => mutate(Buffer.from(ok));
  assert.throws(() => parseRtp(Buffer.alloc(11)), RtpParseError);
  assert.throws(() => parseRtp(bad((b) => ((b[0] = 0x40), b))), RtpParseError, 'version 1');
  assert.throws(() => parseRtp(bad((b) => ((b[0] = 0x8f), b))), RtpParseError, 'CSRC count overruns');
  assert.throws(() => parseRtp(bad((b) => ((b[0] = 0x90), (b[15] = 5), b))), RtpParseError, 'extension overruns');
  assert.throws(() => parseRtp(bad((b) => ((b[0] = 0xa0), (b[b.length - 1] = 0), b))), RtpParseError, 'zero padding');
  assert.throws(() => parseRtp(bad((b) => ((b[0] = 0xa0), (b[b.length - 1] = 200), b))), RtpParseError, 'padding too long');
  assert.throws(() => serializeRtp({ marker: false, payloadType: 128, sequenceNumber: 0, timestamp: 0, ssrc: 0, payload: Buffer.alloc(0) }), RtpParseError);
});

test('RTCP is told apart from RTP by packet type 200-204 (RFC 5761 §4)', () => {
  const sr = Buffer.from('80c8000600000001', 'hex');
  const rr = Buffer.from('80c9000100000001', 'hex');
  assert.equal(isRtcp(sr), true);
  assert.equal(isRtcp(rr), true);
  const rtpMarked = serializeRtp({ marker: true, payloadType: 72, sequenceNumber: 1, timestamp: 1, ssrc: 1, payload: Buffer.alloc(1) });
  assert.equal(isRtcp(rtpMarked), true, 'PT 72 with marker collides, which is why RFC 5761 forbids 64-95');
  const pcmu = serializeRtp({ marker: true, payloadType: 0, sequenceNumber: 1, timestamp: 1, ssrc: 1, payload: Buffer.alloc(1) });
  assert.equal(isRtcp(pcmu), false);
});
