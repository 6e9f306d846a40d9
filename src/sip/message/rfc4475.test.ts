import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  SipParseError,
  SipRequest,
  SipResponse,
  parseContacts,
  parseCSeq,
  parseMessage,
  parseNameAddr,
  parseUri,
  parseVia,
  serializeMessage,
  type SipMessage,
} from './index.ts';

const DIR = join(import.meta.dirname, 'fixtures');

/** Expands the RFC 4475 §2 presentation (allOneLine, hex, repeat, LF → CRLF) into wire bytes. */
function load(name: string): Buffer {
  let text = readFileSync(join(DIR, `${name}.dat`), 'utf8');
  text = text.replace(/<allOneLine>\n([\s\S]*?)\n<\/allOneLine>/g, (_m, inner: string) => inner.replace(/\n/g, ''));
  text = text.replace(/<repeat count=(\d+)>([\s\S]*?)<\/repeat>/g, (_m, n: string, inner: string) => inner.repeat(Number(n)));
  text = text.replace(/\n/g, '\r\n');
  const parts: Buffer[] = [];
  let last = 0;
  for (const m of text.matchAll(/<hex>([\s\S]*?)<\/hex>/g)) {
    parts.push(Buffer.from(text.slice(last, m.index), 'utf8'));
    parts.push(Buffer.from((m[1] ?? '').replace(/\s+/g, ''), 'hex'));
    last = m.index + m[0].length;
  }
  parts.push(Buffer.from(text.slice(last), 'utf8'));
  return Buffer.concat(parts);
}

function request(name: string): SipRequest {
  const msg = parseMessage(load(name));
  assert.ok(msg instanceof SipRequest, `${name} is a request`);
  return msg;
}

function response(name: string): SipResponse {
  const msg = parseMessage(load(name));
  assert.ok(msg instanceof SipResponse, `${name} is a response`);
  return msg;
}

function roundTrips(msg: SipMessage): void {
  const wire = serializeMessage(msg);
  const again = parseMessage(wire);
  const withoutLength = (m: SipMessage) => m.headers.entries().filter((e) => e.name !== 'Content-Length');
  assert.deepEqual(withoutLength(again), withoutLength(msg));
  assert.deepEqual(again.body, msg.body);
  assert.deepEqual(serializeMessage(again), wire);
}

test('3.1.1.1 wsinv: folding, LWS, compact and mixed-case names all parse to the right values', () => {
  const m = request('wsinv');
  assert.equal(m.method, 'INVITE');
  assert.equal(m.uri, 'sip:vivekg@chair-dnrc.example.com;unknownparam');
  assert.deepEqual(parseUri(m.uri).params, { unknownparam: null });
  const to = parseNameAddr(m.headers.get('To') ?? '');
  assert.equal(to.uri.user, 'vivekg');
  assert.equal(to.params['tag'], '1918181833n');
  const from = parseNameAddr(m.headers.get('From') ?? '');
  assert.equal(from.displayName, 'J Rosenberg \\"');
  assert.equal(from.params['tag'], '98asjd8');
  assert.equal(m.headers.get('Max-Forwards'), '0068');
  assert.deepEqual(parseCSeq(m.headers.get('CSeq') ?? ''), { seq: 9, method: 'INVITE' });
  const vias = m.headers.getAll('Via').map(parseVia);
  assert.deepEqual(vias.map((v) => [v.transport, v.host, v.params['branch']]), [
    ['UDP', '192.0.2.2', '390skdjuw'],
    ['TCP', 'spindle.example.com', 'z9hG4bK9ikj8'],
    ['UDP', '192.168.255.111', 'z9hG4bK30239'],
  ]);
  assert.equal(m.headers.get('Subject'), '');
  assert.equal(m.headers.get('NewFangledHeader'), 'newfangled value continued newfangled value');
  assert.equal(m.headers.get('UnknownHeaderWithUnusualValue'), ';;,,;;,;');
  const contacts = parseContacts(m.headers.get('Contact') ?? '');
  assert.notEqual(contacts, '*');
  const [contact] = contacts === '*' ? [] : contacts;
  assert.equal(contact?.displayName, 'Quoted string ""');
  assert.deepEqual(contact?.params, { newparam: 'newvalue', secondparam: null, q: '0.33' });
  assert.equal(m.body.length, 150);
  roundTrips(m);
});

test('3.1.1.2 intmeth: unusual token characters, quoted NUL and UTF-8 values parse', () => {
  const m = request('intmeth');
  assert.equal(m.method, "!interesting-Method0123456789_*+`.%indeed'~");
  const ruri = parseUri(m.uri);
  assert.equal(ruri.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
  assert.equal(ruri.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
  assert.equal(ruri.host, 'example.com');
  assert.equal(parseNameAddr(m.headers.get('To') ?? '').displayName, 'BEL:\x07 NUL:\x00 DEL:\x7f');
  const from = parseNameAddr(m.headers.get('From') ?? '');
  assert.equal(from.displayName, "token1~` token2'+_ token3*%!.-");
  assert.equal(from.params['tag'], "_token~1'+`*%!-.");
  assert.equal(from.params["fromparam''~+*_!.-%"], '"работающий"');
  assert.equal(m.callId, 'intmeth.word%ZK-!.*_+\'@word`~)(><:\\/"][?}{');
  assert.equal(parseVia(m.headers.get('Via') ?? '').params['branch'], "z9hG4bK-.!%66*_+`'~");
  assert.equal(m.headers.get("extensionHeader-!.%*+_`'~"), '\ufeff大停電');
  roundTrips(m);
});

test('3.1.1.3 esc01: escaped characters in URIs are decoded', () => {
  const m = request('esc01');
  assert.equal(parseUri(m.uri).user, 'sips:user@example.com');
  assert.equal(parseNameAddr(m.headers.get('To') ?? '').uri.user, 'user');
  assert.equal(parseNameAddr(m.headers.get('From') ?? '').uri.user, 'I have spaces');
  const contact = parseNameAddr(m.headers.get('Contact') ?? '');
  assert.equal(contact.uri.user, 'caller');
  assert.deepEqual(contact.uri.params, { lr: null, name: 'value%41' });
  assert.equal(m.callId, 'esc01.239409asdfakjkn23onasd0-3234');
  assert.equal(m.headers.get('Content-Type'), 'application/sdp');
  assert.equal(m.body.length, 150);
});

test('3.1.1.4 escnull: escaped NULs in user parts are kept', () => {
  const m = request('escnull');
  assert.equal(m.method, 'REGISTER');
  assert.equal(parseNameAddr(m.headers.get('To') ?? '').uri.user, 'null-\x00-null');
  assert.deepEqual(m.headers.getAll('Contact').map((c) => parseNameAddr(c).uri.user), ['\x00', '\x00\x00']);
  assert.equal(m.headers.get('Content-Length'), '0');
});

test('3.1.1.5 esc02: % is not an escape in methods, display names, branches or header names', () => {
  const m = request('esc02');
  assert.equal(m.method, 'RE%47IST%45R');
  assert.equal(parseCSeq(m.headers.get('CSeq') ?? '').method, 'RE%47IST%45R');
  assert.equal(parseNameAddr(m.headers.get('To') ?? '').displayName, '%Z%45');
  assert.equal(parseVia(m.headers.get('Via') ?? '').params['branch'], 'z9hG4bK209%fzsnel234');
  assert.equal(m.headers.getAll('Contact').length, 2);
  assert.equal(m.headers.get('C%6Fntact'), '<sip:alias2@host2.example.com>');
});

test('3.1.1.6 lwsdisp: a display name directly followed by < parses', () => {
  const from = parseNameAddr(request('lwsdisp').headers.get('From') ?? '');
  assert.equal(from.displayName, 'caller');
  assert.equal(from.uri.user, 'caller');
  assert.equal(from.params['tag'], '323');
});

test('3.1.1.7 longreq: very long values and 34 Vias in mixed forms parse', () => {
  const m = request('longreq');
  const to = parseNameAddr(m.headers.get('To') ?? '');
  assert.equal(to.displayName, `I have a user name of ${'extreme'.repeat(10)} proportion`);
  assert.equal(to.uri.port, 6000);
  assert.equal(to.uri.params['unknownparam1'], `very${'long'.repeat(20)}value`);
  const from = parseNameAddr(m.headers.get('From') ?? '');
  assert.equal(from.params['tag'], `12${'982'.repeat(50)}424`);
  const vias = m.headers.getAll('Via').map(parseVia);
  assert.equal(vias.length, 34);
  assert.equal(vias[0]?.host, 'sip33.example.com');
  assert.equal(vias[33]?.params['received'], '192.0.2.5');
  assert.equal(m.body.length, 150);
});

test('3.1.1.8 dblreq: octets after Content-Length in a datagram are discarded', () => {
  const m = request('dblreq');
  assert.equal(m.method, 'REGISTER');
  assert.equal(m.body.length, 0);
  assert.equal(m.headers.get('Contact'), 'sip:j.user@host.example.com');
});

test('3.1.1.9 semiuri: semicolons in the user part belong to the user', () => {
  const m = request('semiuri');
  const ruri = parseUri(m.uri);
  assert.equal(ruri.user, 'user;par=u@example.net');
  assert.equal(ruri.host, 'example.com');
  assert.deepEqual(ruri.params, {});
  assert.equal(m.headers.getAll('Accept').length, 6);
});

test('3.1.1.10 transports: unknown transports in Via parse', () => {
  const m = request('transports');
  assert.deepEqual(m.headers.getAll('Via').map((v) => parseVia(v).transport), ['UDP', 'SCTP', 'TLS', 'UNKNOWN', 'TCP']);
});

test('3.1.1.11 mpart01: a binary multipart body is taken by Content-Length', () => {
  const m = request('mpart01');
  assert.equal(m.body.length, 553);
  assert.equal(m.headers.get('Content-Type'), 'multipart/mixed;boundary=7a9cbec02ceef655');
  assert.ok(m.body.subarray(-24).toString('latin1').includes('--7a9cbec02ceef655--'));
  assert.equal(parseVia(m.headers.get('Via') ?? '').params['rport'], null);
  roundTrips(m);
});

test('3.1.1.12 unreason: a reason phrase with UTF-8 and symbols is kept', () => {
  const m = response('unreason');
  assert.equal(m.status, 200);
  assert.equal(m.reason, '= 2**3 * 5**2 но сто девяносто девять - простое');
  assert.equal(m.body.length, 154);
});

test('3.1.1.13 noreason: an empty reason phrase is valid', () => {
  const m = response('noreason');
  assert.equal(m.status, 100);
  assert.equal(m.reason, '');
});

/** RFC 4475 §3.1.2 messages an element should reject, with the status the parser must carry. */
const INVALID: [name: string, status: number][] = [
  ['badinv01', 400],
  ['clerr', 400],
  ['ncl', 400],
  ['scalar02', 400],
  ['scalarlg', 400],
  ['quotbal', 400],
  ['ltgtruri', 400],
  ['lwsruri', 400],
  ['lwsstart', 400],
  ['trws', 400],
  ['escruri', 400],
  ['regbadct', 400],
  ['badaspec', 400],
  ['baddn', 400],
  ['badvers', 505],
  ['mismatch01', 400],
  ['mismatch02', 400],
  ['bigcode', 400],
];

for (const [name, status] of INVALID) {
  test(`3.1.2 ${name}: is rejected with SipParseError ${status} and partial data`, () => {
    assert.throws(
      () => parseMessage(load(name)),
      (err: unknown) => {
        assert.ok(err instanceof SipParseError, `${name} throws SipParseError, got ${String(err)}`);
        assert.equal(err.status, status);
        assert.ok(err.partial?.headers !== undefined);
        assert.doesNotMatch(err.reason, /[\r\n]/);
        return true;
      },
    );
  });
}

test('3.1.2 requests that fail still report method and Call-ID for a 400 answer', () => {
  const err = catchParse(load('mismatch01'));
  assert.equal(err.partial?.method, 'OPTIONS');
  assert.equal(err.partial?.callId, 'mismatch01.dj0234sxdfl3');
  assert.equal(err.partial?.headers?.get('Via'), 'SIP/2.0/UDP host.example.com;branch=z9hG4bKkdjuw');
  const vers = catchParse(load('badvers'));
  assert.equal(vers.status, 505);
  assert.equal(vers.partial?.method, 'OPTIONS');
});

test('3.1.2.12 baddate: a non-GMT Date is accepted since the stack never reads Date', () => {
  const m = request('baddate');
  assert.equal(m.headers.get('Date'), 'Fri, 01 Jan 2010 16:00:00 EST');
});

test('3.2.1 badbranch: a bare magic cookie branch is syntactically valid and parses', () => {
  const m = request('badbranch');
  assert.equal(parseVia(m.headers.get('Via') ?? '').params['branch'], 'z9hG4bK');
});

test('every torture message, truncated at any octet, parses or throws SipParseError only', () => {
  const names = ['wsinv', 'intmeth', 'esc01', 'longreq', 'mpart01', 'unreason', ...INVALID.map(([n]) => n)];
  for (const name of names) {
    const bytes = load(name);
    for (let cut = 0; cut <= bytes.length; cut += 7) {
      try {
        parseMessage(bytes.subarray(0, cut));
      } catch (err) {
        assert.ok(err instanceof SipParseError, `${name} cut at ${cut}: ${String(err)}`);
      }
    }
  }
});

function catchParse(data: Buffer): SipParseError {
  try {
    parseMessage(data);
  } catch (err) {
    if (err instanceof SipParseError) return err;
    throw err;
  }
  throw new Error('expected a parse error');
}
