import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamFramer, SipRequest, type FramedItem } from './index.ts';

function message(n: number, body = ''): string {
  return (
    `OPTIONS sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/TCP h.example.com;branch=z9hG4bK${n}\r\nMax-Forwards: 70\r\n` +
    `To: <sip:bob@example.com>\r\nFrom: <sip:alice@example.com>;tag=${n}\r\nCall-ID: call-${n}\r\nCSeq: ${n} OPTIONS\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

function kinds(items: FramedItem[]): string[] {
  return items.map((i) => (i.kind === 'message' ? `message:${i.message.callId}` : i.kind));
}

test('a message split across many chunks is reported once complete', () => {
  const framer = new StreamFramer();
  const bytes = Buffer.from(message(1, 'hello body'));
  const seen: FramedItem[] = [];
  for (let i = 0; i < bytes.length; i += 3) seen.push(...framer.push(bytes.subarray(i, i + 3)));
  assert.deepEqual(kinds(seen), ['message:call-1']);
  const first = seen[0];
  assert.ok(first?.kind === 'message' && first.message instanceof SipRequest);
  assert.equal(first.message.body.toString(), 'hello body');
  assert.deepEqual(first.raw, bytes);
  assert.equal(framer.buffered, 0);
});

test('several messages in one chunk are all reported in order', () => {
  const framer = new StreamFramer();
  const items = framer.push(Buffer.from(message(1) + message(2, 'x') + message(3)));
  assert.deepEqual(kinds(items), ['message:call-1', 'message:call-2', 'message:call-3']);
});

test('a chunk ending mid-message keeps the rest for the next push', () => {
  const framer = new StreamFramer();
  const two = message(1) + message(2, 'abc');
  assert.deepEqual(kinds(framer.push(Buffer.from(two.slice(0, 240)))), ['message:call-1']);
  assert.deepEqual(kinds(framer.push(Buffer.from(two.slice(240)))), ['message:call-2']);
});

test('a double-CRLF keep-alive is a ping and a single CRLF is a pong (RFC 5626 §3.5.1)', () => {
  const framer = new StreamFramer();
  assert.deepEqual(kinds(framer.push(Buffer.from('\r\n\r\n'))), ['ping']);
  assert.deepEqual(kinds(framer.push(Buffer.from('\r\n'))), ['pong']);
  assert.deepEqual(kinds(framer.push(Buffer.from('\r\n\r\n' + message(1) + '\r\n\r\n'))), ['ping', 'message:call-1', 'ping']);
});

test('a ping split across two pushes is still answered', () => {
  const framer = new StreamFramer();
  assert.deepEqual(kinds(framer.push(Buffer.from('\r'))), []);
  assert.deepEqual(kinds(framer.push(Buffer.from('\n\r'))), []);
  assert.deepEqual(kinds(framer.push(Buffer.from('\n'))), ['ping']);
  const other = new StreamFramer();
  assert.deepEqual(kinds(other.push(Buffer.from('\r\n'))), ['pong']);
  assert.deepEqual(kinds(other.push(Buffer.from('\r\n'))), ['ping']);
});

test('a missing Content-Length on a stream is a framing error and the framer stops', () => {
  const framer = new StreamFramer();
  const items = framer.push(Buffer.from(message(1).replace(/Content-Length: 0\r\n/, '') + message(2)));
  assert.equal(items.length, 1);
  assert.equal(items[0]?.kind, 'error');
  assert.ok(framer.failed);
  assert.deepEqual(framer.push(Buffer.from(message(3))), []);
});

test('an oversized or malformed Content-Length is a framing error', () => {
  const big = new StreamFramer({ maxBodyBytes: 100 });
  assert.equal(big.push(Buffer.from(message(1).replace('Content-Length: 0', 'Content-Length: 101')))[0]?.kind, 'error');
  const neg = new StreamFramer();
  assert.equal(neg.push(Buffer.from(message(1).replace('Content-Length: 0', 'l: -5')))[0]?.kind, 'error');
  const conflict = new StreamFramer();
  assert.equal(conflict.push(Buffer.from(message(1).replace('Content-Length: 0', 'Content-Length: 0\r\nl: 3')))[0]?.kind, 'error');
});

test('an endless header section is a framing error once over the limit', () => {
  const framer = new StreamFramer({ maxHeaderBytes: 1024 });
  assert.deepEqual(framer.push(Buffer.from('INVITE sip:a@b SIP/2.0\r\n')), []);
  const items = framer.push(Buffer.from('X-Junk: ' + 'a'.repeat(2000) + '\r\n'));
  assert.equal(items[0]?.kind, 'error');
});

test('a well-framed but invalid message is reported as invalid and the stream continues', () => {
  const framer = new StreamFramer();
  const bad = message(1).replace('CSeq: 1 OPTIONS', 'CSeq: 1 INVITE');
  const items = framer.push(Buffer.from(bad + message(2)));
  assert.deepEqual(kinds(items), ['invalid', 'message:call-2']);
  const invalid = items[0];
  assert.ok(invalid?.kind === 'invalid');
  assert.equal(invalid.error.status, 400);
  assert.equal(invalid.error.partial?.callId, 'call-1');
  assert.ok(!framer.failed);
});

test('compact l: and folded Content-Length values frame correctly', () => {
  const framer = new StreamFramer();
  const compact = message(1, 'abcd').replace('Content-Length: 4', 'l: 4');
  const folded = message(2, 'xy').replace('Content-Length: 2', 'Content-Length:\r\n  2');
  assert.deepEqual(kinds(framer.push(Buffer.from(compact + folded))), ['message:call-1', 'message:call-2']);
});

test('a large body arriving in many small chunks is framed', () => {
  const framer = new StreamFramer();
  const body = 'z'.repeat(200_000);
  const bytes = Buffer.from(message(1, body));
  const seen: FramedItem[] = [];
  for (let i = 0; i < bytes.length; i += 100) seen.push(...framer.push(bytes.subarray(i, i + 100)));
  assert.deepEqual(kinds(seen), ['message:call-1']);
  assert.equal(seen[0]?.kind === 'message' ? seen[0].message.body.length : 0, 200_000);
});
