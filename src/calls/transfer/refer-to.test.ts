import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BadTransferHeader, parseReferTo, parseReplaces } from './refer-to.ts';

test('a blind Refer-To gives the number to route', () => {
  assert.deepEqual(parseReferTo('<sip:2001@acme.test>'), { uri: 'sip:2001@acme.test', user: '2001' });
  assert.deepEqual(parseReferTo('"Bob" <sip:2001@acme.test;user=phone>'), { uri: 'sip:2001@acme.test;user=phone', user: '2001' });
  assert.equal(parseReferTo('sip:2002@acme.test').user, '2002');
});

test('an attended Refer-To carries the escaped Replaces of the dialog to replace (RFC 3891 §3)', () => {
  const target = parseReferTo('<sip:2002@acme.test?Replaces=abc%40host%3Bto-tag%3D111%3Bfrom-tag%3D222>');
  assert.equal(target.user, '2002');
  assert.deepEqual(target.replaces, { callId: 'abc@host', toTag: '111', fromTag: '222', earlyOnly: false });
});

test('a Replaces with unescaped semicolons is still read', () => {
  const target = parseReferTo('<sip:switchboard@127.0.0.1:5060?Replaces=abc%40host;to-tag=1;from-tag=2>');
  assert.deepEqual(target.replaces, { callId: 'abc@host', toTag: '1', fromTag: '2', earlyOnly: false });
});

test('Replaces needs both tags and reads the early-only flag (RFC 3891 §6.1)', () => {
  assert.deepEqual(parseReplaces('x@y;from-tag=b;to-tag=a;early-only'), { callId: 'x@y', toTag: 'a', fromTag: 'b', earlyOnly: true });
  assert.throws(() => parseReplaces('x@y;to-tag=a'), BadTransferHeader);
  assert.throws(() => parseReplaces(';to-tag=a;from-tag=b'), BadTransferHeader);
  assert.throws(() => parseReferTo('<mailto:bob@example.com>'), BadTransferHeader);
});
