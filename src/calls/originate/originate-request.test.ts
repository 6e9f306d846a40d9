import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CallCommandError } from '../call-control.ts';
import { checkOriginateRequest, type OriginateRequest } from './originate-request.ts';

const base: OriginateRequest = {
  accountId: 'acct',
  endpoint: { type: 'device', id: 'dev-1' },
  action: { kind: 'connect', to: { type: 'number', number: '+14158867900' } },
};
const problem = (over: Partial<OriginateRequest>): string => {
  try {
    checkOriginateRequest({ ...base, ...over });
  } catch (error) {
    if (error instanceof CallCommandError) return `${error.field}.${error.rule}`;
    throw error;
  }
  return 'ok';
};

test('a well-formed originate passes: every endpoint kind and every action', () => {
  assert.equal(problem({}), 'ok');
  assert.equal(problem({ endpoint: { type: 'user', id: 'u1' }, action: { kind: 'park', data: { slot: '1' } } }), 'ok');
  assert.equal(problem({ endpoint: { type: 'number', number: '2001' }, action: { kind: 'play', mediaId: 'media-1' } }), 'ok');
  assert.equal(problem({ endpoint: { type: 'uri', uri: 'sip:1234@10.1.1.1:5070' }, action: { kind: 'flow', flow: { module: 'play', data: {} } } }), 'ok');
  assert.equal(problem({ customSipHeaders: { 'X-Campaign': 'spring sale' }, callerIdName: 'Sales', callerIdNumber: '+15550100', timeoutMs: 5000 }), 'ok');
});

test('bad fields are typed errors naming the field', () => {
  assert.equal(problem({ accountId: '' }), 'account_id.required');
  assert.equal(problem({ endpoint: { type: 'device', id: '' } }), 'endpoint.id.required');
  assert.equal(problem({ endpoint: { type: 'number', number: '20 01' } }), 'endpoint.number.pattern');
  assert.equal(problem({ endpoint: { type: 'uri', uri: 'mailto:x@y' } }), 'endpoint.uri.invalid');
  assert.equal(problem({ timeoutMs: 0 }), 'timeout.minimum');
  assert.equal(problem({ customSipHeaders: { 'Call-ID': 'mine' } }), 'custom_sip_headers.invalid');
  assert.equal(problem({ customSipHeaders: { 'X-Bad': 'a\r\nVia: evil' } }), 'custom_sip_headers.invalid');
  assert.equal(problem({ customSipHeaders: { 'Bad Name': 'x' } }), 'custom_sip_headers.invalid');
  assert.equal(problem({ callerIdName: 'Eve"<sip:x>' }), 'caller_id_name.invalid');
  assert.equal(problem({ callerIdNumber: '555 0100' }), 'caller_id_number.pattern');
  assert.equal(problem({ action: { kind: 'connect', to: { type: 'user', id: '' } } }), 'action.to.id.required');
  assert.equal(problem({ action: { kind: 'play', mediaId: '' } }), 'action.media_id.required');
});
