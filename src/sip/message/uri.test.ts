import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BRANCH_MAGIC,
  SipParseError,
  branchOf,
  canonicalName,
  formatNameAddr,
  formatParams,
  formatUri,
  formatVia,
  getTag,
  parseContacts,
  parseCSeq,
  parseNameAddr,
  parseParams,
  parseUri,
  parseVia,
  uriEquals,
} from './index.ts';

test('a full SIP URI parses into all its parts', () => {
  const u = parseUri('sips:alice:secret@atlanta.example.com:5061;transport=tcp;lr?subject=project%20x&priority=urgent');
  assert.deepEqual(u, {
    scheme: 'sips',
    user: 'alice',
    password: 'secret',
    host: 'atlanta.example.com',
    port: 5061,
    params: { transport: 'tcp', lr: null },
    headers: { subject: 'project x', priority: 'urgent' },
  });
  assert.equal(formatUri(u), 'sips:alice:secret@atlanta.example.com:5061;transport=tcp;lr?subject=project%20x&priority=urgent');
});

test('IPv6 references keep their brackets and take a port', () => {
  const u = parseUri('sip:bob@[2001:db8::10]:5070;maddr=[::1]');
  assert.equal(u.host, '[2001:db8::10]');
  assert.equal(u.port, 5070);
  assert.equal(u.params['maddr'], '[::1]');
  assert.equal(parseUri('sip:[::1]').host, '[::1]');
  assert.equal(formatUri(u), 'sip:bob@[2001:db8::10]:5070;maddr=[::1]');
});

test('tel URIs keep the number in user', () => {
  const u = parseUri('tel:+1-201-555-0123;phone-context=example.com');
  assert.equal(u.scheme, 'tel');
  assert.equal(u.user, '+1-201-555-0123');
  assert.equal(u.host, '');
  assert.deepEqual(u.params, { 'phone-context': 'example.com' });
  assert.equal(formatUri(u), 'tel:+1-201-555-0123;phone-context=example.com');
});

test('escapes are decoded on parse and re-applied on format', () => {
  const u = parseUri('sip:I%20have%20spaces@example.net');
  assert.equal(u.user, 'I have spaces');
  assert.equal(formatUri(u), 'sip:I%20have%20spaces@example.net');
  assert.equal(formatUri({ scheme: 'sip', user: 'a@b', host: 'h', params: { x: 'a b' }, headers: {} }), 'sip:a%40b@h;x=a%20b');
});

test('malformed URIs throw SipParseError', () => {
  for (const bad of ['', 'sip:', 'sip:@host', 'http://x', 'sip:a b@c', 'sip:host:99999', 'sip:host:x', 'sip:[::1', 'sip:user@', 'sip:ho<st', 'sip:a%2@b', 'sip:h;=x', 'sip:h;a=']) {
    assert.throws(() => parseUri(bad), SipParseError, bad);
  }
});

test('uriEquals follows RFC 3261 §19.1.4', () => {
  const eq = (a: string, b: string): boolean => uriEquals(parseUri(a), parseUri(b));
  assert.ok(eq('sip:%61lice@atlanta.com;transport=TCP', 'sip:alice@AtLanTa.CoM;Transport=tcp'));
  assert.ok(eq('sip:carol@chicago.com', 'sip:carol@chicago.com;newparam=5'));
  assert.ok(eq('sip:carol@chicago.com;security=on', 'sip:carol@chicago.com;newparam=5'));
  assert.ok(eq('sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com', 'sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com'));
  assert.ok(!eq('SIP:ALICE@AtLanTa.CoM;Transport=udp', 'sip:alice@AtLanTa.CoM;Transport=UDP'));
  assert.ok(!eq('sip:bob@biloxi.com', 'sip:bob@biloxi.com:5060'));
  assert.ok(!eq('sip:bob@biloxi.com', 'sip:bob@biloxi.com;transport=udp'));
  assert.ok(!eq('sip:bob@biloxi.com', 'sips:bob@biloxi.com'));
  assert.ok(!eq('sip:carol@chicago.com;newparam=5', 'sip:carol@chicago.com;newparam=6'));
  assert.ok(!eq('sip:carol@chicago.com', 'sip:carol@chicago.com?Subject=next%20meeting'));
});

test('name-addr and addr-spec forms put parameters where RFC 3261 §20 says', () => {
  const a = parseNameAddr('"Bob \\"B\\"" <sip:bob@x.example.com;transport=tcp>;tag=1;expires=60');
  assert.equal(a.displayName, 'Bob "B"');
  assert.deepEqual(a.uri.params, { transport: 'tcp' });
  assert.deepEqual(a.params, { tag: '1', expires: '60' });
  const b = parseNameAddr('sip:bob@x.example.com;tag=1');
  assert.equal(b.displayName, undefined);
  assert.deepEqual(b.uri.params, {});
  assert.deepEqual(b.params, { tag: '1' });
  const c = parseNameAddr('Bob  Smith<sip:b@x>');
  assert.equal(c.displayName, 'Bob  Smith');
  assert.equal(formatNameAddr(a), '"Bob \\"B\\"" <sip:bob@x.example.com;transport=tcp>;tag=1;expires=60');
  assert.equal(formatNameAddr(b), '<sip:bob@x.example.com>;tag=1');
  assert.deepEqual(parseNameAddr(formatNameAddr(a)), a);
});

test('malformed addresses throw SipParseError', () => {
  for (const bad of ['', '"unterminated <sip:a@b>', 'Bell, Alexander <sip:a@b>', '<sip:a@b', '<sip:a@b> junk', '"x" sip:a@b', 'sip:a@b?x=y', '<sip:a@b>;;', '<sip:a@b>;tag', '<sip:a@b>;tag=a b']) {
    if (bad === '<sip:a@b>;tag') {
      assert.deepEqual(parseNameAddr(bad).params, { tag: null });
      continue;
    }
    assert.throws(() => parseNameAddr(bad), SipParseError, bad);
  }
});

test('parseContacts splits lists and recognises the wildcard', () => {
  assert.equal(parseContacts(' * '), '*');
  const list = parseContacts('"A, B" <sip:a@h>;q=0.7, sip:b@h;expires=30');
  assert.ok(list !== '*');
  assert.deepEqual(list.map((c) => [c.displayName, c.uri.user, c.params]), [
    ['A, B', 'a', { q: '0.7' }],
    [undefined, 'b', { expires: '30' }],
  ]);
});

test('getTag reads From/To tags and never throws', () => {
  assert.equal(getTag('"x;tag=no" <sip:a@b;tag=no>;tag=yes'), 'yes');
  assert.equal(getTag('sip:a@b;tag=abc'), 'abc');
  assert.equal(getTag('<sip:a@b>'), undefined);
  assert.equal(getTag('<sip:a@b>;tag'), undefined);
  assert.equal(getTag('"broken'), undefined);
});

test('Via parses sent-protocol, sent-by and params with LWS anywhere allowed', () => {
  const v = parseVia('SIP / 2.0 / udp  client.example.com : 5060 ; branch = z9hG4bK74bf9 ;rport;received=192.0.2.1');
  assert.deepEqual(v, { protocol: 'SIP/2.0', transport: 'UDP', host: 'client.example.com', port: 5060, params: { branch: 'z9hG4bK74bf9', rport: null, received: '192.0.2.1' } });
  assert.equal(branchOf(v), 'z9hG4bK74bf9');
  assert.ok(branchOf(v)?.startsWith(BRANCH_MAGIC));
  assert.equal(formatVia(v), 'SIP/2.0/UDP client.example.com:5060;branch=z9hG4bK74bf9;rport;received=192.0.2.1');
  const v6 = parseVia('SIP/2.0/WSS [2001:db8::1]:443;branch=z9hG4bKx');
  assert.equal(v6.host, '[2001:db8::1]');
  assert.equal(v6.port, 443);
  assert.equal(branchOf(parseVia('SIP/2.0/TCP h')), undefined);
});

test('malformed Vias throw SipParseError', () => {
  for (const bad of ['', 'SIP/2.0', 'SIP/2.0/UDP', 'SIP/2.0/UDP ;branch=x', 'SIP/2.0 UDP h', 'SIP/2.0/UDP h:port', 'SIP/2.0/UDP h junk', 'SIP/2.0/UDP h;;']) {
    assert.throws(() => parseVia(bad), SipParseError, bad);
  }
});

test('CSeq parses and enforces the 2**31 limit', () => {
  assert.deepEqual(parseCSeq(' 0009   INVITE '), { seq: 9, method: 'INVITE' });
  assert.deepEqual(parseCSeq('2147483647 BYE'), { seq: 2147483647, method: 'BYE' });
  for (const bad of ['INVITE', '1', '-1 INVITE', '2147483648 INVITE', '1 IN VITE', '99999999999999999999 ACK']) {
    assert.throws(() => parseCSeq(bad), SipParseError, bad);
  }
});

test('parameters keep quoted values and format back', () => {
  const p = parseParams(';Expires=60; +sip.instance="<urn:uuid:1;2>" ;lr');
  assert.deepEqual(p, { expires: '60', '+sip.instance': '"<urn:uuid:1;2>"', lr: null });
  assert.equal(formatParams(p), ';expires=60;+sip.instance="<urn:uuid:1;2>";lr');
  assert.deepEqual(parseParams(''), {});
  assert.deepEqual(Object.getPrototypeOf(parseParams(';__proto__=x')), Object.prototype);
  assert.equal(parseParams(';__proto__=x')['__proto__'], 'x');
});

test('canonicalName expands compact forms and keeps unknown spellings', () => {
  assert.equal(canonicalName('v'), 'Via');
  assert.equal(canonicalName('CALL-ID'), 'Call-ID');
  assert.equal(canonicalName('www-authenticate'), 'WWW-Authenticate');
  assert.equal(canonicalName('X-UUID'), 'X-UUID');
  assert.equal(canonicalName('constructor'), 'constructor');
});
