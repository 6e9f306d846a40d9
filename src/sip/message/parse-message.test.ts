import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Headers, SipParseError, SipRequest, SipResponse, makeResponse, parseMessage, reasonPhrase, serializeMessage } from './index.ts';

const INVITE = [
  'INVITE sip:bob@biloxi.example.com SIP/2.0',
  'Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds',
  'Max-Forwards: 70',
  'To: Bob <sip:bob@biloxi.example.com>',
  'From: Alice <sip:alice@atlanta.example.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710@pc33.atlanta.example.com',
  'CSeq: 314159 INVITE',
  'Contact: <sip:alice@pc33.atlanta.example.com>',
  'Content-Type: application/sdp',
  'Content-Length: 4',
  '',
  'v=0\n',
].join('\r\n');

function parseError(text: string | Buffer): SipParseError {
  try {
    parseMessage(typeof text === 'string' ? Buffer.from(text) : text);
  } catch (err) {
    if (err instanceof SipParseError) return err;
    throw err;
  }
  throw new Error('expected a SipParseError');
}

test('a typical INVITE parses into method, URI, headers and body', () => {
  const m = parseMessage(Buffer.from(INVITE));
  assert.ok(m instanceof SipRequest);
  assert.equal(m.method, 'INVITE');
  assert.equal(m.uri, 'sip:bob@biloxi.example.com');
  assert.equal(m.callId, 'a84b4c76e66710@pc33.atlanta.example.com');
  assert.equal(m.headers.get('cseq'), '314159 INVITE');
  assert.equal(m.body.toString(), 'v=0\n');
});

test('bare LF line endings are accepted like CRLF', () => {
  const m = parseMessage(Buffer.from(INVITE.replace(/\r\n/g, '\n')));
  assert.equal(m.headers.get('Call-ID'), 'a84b4c76e66710@pc33.atlanta.example.com');
  assert.equal(m.body.toString(), 'v=0\n');
});

test('CRLFs before the start line are ignored (RFC 3261 §7.5)', () => {
  const m = parseMessage(Buffer.from('\r\n\r\n' + INVITE));
  assert.ok(m instanceof SipRequest);
});

test('folded header lines are joined with a single space', () => {
  const m = parseMessage(Buffer.from(INVITE.replace('Subject', 'X').replace('Max-Forwards: 70', 'Max-Forwards: 70\r\nSubject: lunch\r\n   \t at noon')));
  assert.equal(m.headers.get('Subject'), 'lunch at noon');
});

test('compact header names are expanded', () => {
  const text = INVITE.replace('Via:', 'v:').replace('To:', 't:').replace('From:', 'f:').replace('Call-ID:', 'i:')
    .replace('Contact:', 'm:').replace('Content-Type:', 'c:').replace('Content-Length:', 'l:');
  const m = parseMessage(Buffer.from(text));
  const names = m.headers.entries().map((e) => e.name);
  assert.deepEqual(names, ['Via', 'Max-Forwards', 'To', 'From', 'Call-ID', 'CSeq', 'Contact', 'Content-Type', 'Content-Length']);
});

test('list headers are split on commas outside quotes and <...>', () => {
  const text = INVITE.replace(
    'Contact: <sip:alice@pc33.atlanta.example.com>',
    'Contact: "Smith, Al" <sip:al,x@a.example.com;x=1>, <sip:b@b.example.com>;q=0.5\r\n' +
      'Allow: INVITE, ACK,BYE\r\nSupported: timer, 100rel\r\n' +
      'Route: <sip:p1.example.com;lr>,<sip:p2.example.com;lr>\r\n' +
      'Via: SIP/2.0/TCP a.example.com;branch=z9hG4bK1, SIP/2.0/UDP b.example.com;branch=z9hG4bK2',
  );
  const m = parseMessage(Buffer.from(text));
  assert.deepEqual(m.headers.getAll('Contact'), ['"Smith, Al" <sip:al,x@a.example.com;x=1>', '<sip:b@b.example.com>;q=0.5']);
  assert.deepEqual(m.headers.getAll('Allow'), ['INVITE', 'ACK', 'BYE']);
  assert.deepEqual(m.headers.getAll('Supported'), ['timer', '100rel']);
  assert.equal(m.headers.getAll('Route').length, 2);
  assert.equal(m.headers.getAll('Via').length, 3);
});

test('single-value headers containing commas are never split', () => {
  const auth = 'Digest username="bob", realm="a, b", nonce="n", uri="sip:x", response="0"';
  const text = INVITE.replace(
    'Max-Forwards: 70',
    `Max-Forwards: 70\r\nAuthorization: ${auth}\r\nWWW-Authenticate: Digest realm="x", qop="auth,auth-int"\r\nDate: Sat, 13 Nov 2010 23:29:00 GMT\r\nSubject: a, b`,
  ).replace('To: Bob', 'To: "Bob, Jr."');
  const m = parseMessage(Buffer.from(text));
  assert.deepEqual(m.headers.getAll('Authorization'), [auth]);
  assert.equal(m.headers.getAll('WWW-Authenticate').length, 1);
  assert.equal(m.headers.get('Date'), 'Sat, 13 Nov 2010 23:29:00 GMT');
  assert.equal(m.headers.get('Subject'), 'a, b');
  assert.equal(m.headers.get('To'), '"Bob, Jr." <sip:bob@biloxi.example.com>');
});

test('a longer datagram body is truncated to Content-Length (RFC 3261 §18.3)', () => {
  const m = parseMessage(Buffer.from(INVITE + 'garbage'));
  assert.equal(m.body.toString(), 'v=0\n');
});

test('a body shorter than Content-Length is an error', () => {
  assert.equal(parseError(INVITE.replace('Content-Length: 4', 'Content-Length: 40')).status, 400);
});

test('without Content-Length a datagram body is the rest of the datagram', () => {
  const m = parseMessage(Buffer.from(INVITE.replace('Content-Length: 4\r\n', '')));
  assert.equal(m.body.toString(), 'v=0\n');
});

test('each mandatory header missing is a 400 with the partial request', () => {
  for (const name of ['Via', 'To', 'From', 'Call-ID', 'CSeq', 'Max-Forwards']) {
    const text = INVITE.split('\r\n').filter((l) => !l.startsWith(`${name}:`)).join('\r\n');
    const err = parseError(text);
    assert.equal(err.status, 400, name);
    assert.match(err.reason, new RegExp(name));
    assert.equal(err.partial?.method, 'INVITE');
  }
});

test('responses need no Max-Forwards', () => {
  const text = 'SIP/2.0 180 Ringing\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKx\r\nTo: <sip:b@h>;tag=2\r\nFrom: <sip:a@h>;tag=1\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n';
  const m = parseMessage(Buffer.from(text));
  assert.ok(m instanceof SipResponse);
  assert.equal(m.status, 180);
  assert.equal(m.reason, 'Ringing');
});

test('an unsupported SIP-Version is reported as 505', () => {
  assert.equal(parseError(INVITE.replace(' SIP/2.0', ' SIP/3.0')).status, 505);
  assert.equal(parseError(INVITE.replace(' SIP/2.0', ' HTTP/1.1')).status, 400);
  assert.ok(parseMessage(Buffer.from(INVITE.replace(' SIP/2.0', ' sip/2.0'))) instanceof SipRequest);
});

test('duplicate single-value headers and bad scalars are rejected', () => {
  assert.match(parseError(INVITE.replace('Content-Length: 4', 'Content-Length: 4\r\nl: 4')).reason, /Content-Length/);
  assert.match(parseError(INVITE.replace('Max-Forwards: 70', 'Max-Forwards: 256')).reason, /Max-Forwards/);
  assert.match(parseError(INVITE.replace('CSeq: 314159 INVITE', 'CSeq: 2147483648 INVITE')).reason, /CSeq/);
  assert.match(parseError(INVITE.replace('Content-Type: application/sdp', 'Content-Type: sdp')).reason, /Content-Type/);
  assert.match(parseError(INVITE.replace('Call-ID: a84b', 'Call-ID: a 84b')).reason, /Call-ID/);
});

test('garbage and empty input throw SipParseError, never another error', () => {
  for (const text of ['', '\r\n\r\n', 'hello', 'SIP/2.0', ':\r\n\r\n', 'INVITE sip:a@b SIP/2.0\r\n: x\r\n\r\n', '\u0000\u0001\u0002']) {
    assert.ok(parseError(text) instanceof SipParseError, JSON.stringify(text));
  }
  for (let i = 0; i < 2000; i++) {
    const bytes = Buffer.from(INVITE);
    for (let k = 0; k < 4; k++) bytes[(i * 31 + k * 97) % bytes.length] = (i * 7 + k * 13) % 256;
    try {
      parseMessage(bytes);
    } catch (err) {
      assert.ok(err instanceof SipParseError, String(err));
    }
  }
});

test('serializing sets Content-Length to the body length and round-trips', () => {
  const m = parseMessage(Buffer.from(INVITE));
  m.body = Buffer.from('v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n');
  const wire = serializeMessage(m);
  assert.match(wire.toString(), /\r\nContent-Length: 31\r\n\r\nv=0/);
  const again = parseMessage(wire);
  assert.deepEqual(again.body, m.body);
  assert.equal(again.headers.getAll('Content-Length').length, 1);
  assert.deepEqual(serializeMessage(again), wire);
});

test('serializing refuses header values with CR or LF', () => {
  const m = new SipRequest('OPTIONS', 'sip:a@b', new Headers([['Subject', 'x\r\nVia: evil']]));
  assert.throws(() => serializeMessage(m), { code: 'sip_invalid_header' });
});

test('makeResponse copies Via, From, To, Call-ID and CSeq and adds the To tag (RFC 3261 §8.2.6)', () => {
  const text = INVITE.replace('Max-Forwards: 70', 'Via: SIP/2.0/UDP second.example.com;branch=z9hG4bK2\r\nMax-Forwards: 70\r\nTimestamp: 54');
  const req = parseMessage(Buffer.from(text));
  assert.ok(req instanceof SipRequest);
  const res = makeResponse(req, 486, undefined, { toTag: 'abc', headers: [['Retry-After', '30']] });
  assert.equal(res.reason, 'Busy Here');
  assert.deepEqual(res.headers.getAll('Via'), req.headers.getAll('Via'));
  assert.equal(res.headers.get('From'), req.headers.get('From'));
  assert.equal(res.headers.get('To'), 'Bob <sip:bob@biloxi.example.com>;tag=abc');
  assert.equal(res.headers.get('Call-ID'), req.callId);
  assert.equal(res.headers.get('CSeq'), '314159 INVITE');
  assert.equal(res.headers.get('Retry-After'), '30');
  assert.equal(res.headers.get('Timestamp'), undefined);
  assert.equal(makeResponse(req, 100).headers.get('Timestamp'), '54');
  const parsed = parseMessage(serializeMessage(res));
  assert.ok(parsed instanceof SipResponse);
  assert.equal(parsed.status, 486);
});

test('makeResponse keeps an existing To tag and attaches a body with its type', () => {
  const req = parseMessage(Buffer.from(INVITE.replace('To: Bob <sip:bob@biloxi.example.com>', 'To: <sip:bob@b>;tag=old')));
  assert.ok(req instanceof SipRequest);
  const res = makeResponse(req, 200, 'Fine', { toTag: 'new', body: Buffer.from('v=0\r\n'), contentType: 'application/sdp' });
  assert.equal(res.headers.get('To'), '<sip:bob@b>;tag=old');
  assert.equal(res.reason, 'Fine');
  assert.equal(res.headers.get('Content-Type'), 'application/sdp');
  assert.match(serializeMessage(res).toString(), /Content-Length: 5\r\n\r\nv=0\r\n$/);
});

test('reasonPhrase knows the standard phrases and falls back per class', () => {
  assert.equal(reasonPhrase(200), 'OK');
  assert.equal(reasonPhrase(481), 'Call/Transaction Does Not Exist');
  assert.equal(reasonPhrase(499), 'Client Error');
});

test('parsing a typical INVITE is fast (smoke benchmark)', () => {
  const bytes = Buffer.from(INVITE);
  const n = 5_000;
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) parseMessage(bytes);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  assert.ok(ms < 5000, `${n} parses took ${ms} ms`);
});
