import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeRoutingWord } from '../bus/index.ts';
import { objectRoutingKey } from '../documents/index.ts';
import { advertisedBindings, bindingCatalog } from './binding-catalog.ts';
import { bindingMatches, parseBinding, subscriptionKey, type Binding } from './binding.ts';
import { accountOfDbWord, classifyBusMessage, type HubEvent } from './hub-event.ts';

const catalog = bindingCatalog();
const ACCOUNT = '0123456789abcdef0123456789abcdef';

function bind(text: string): Binding {
  const check = parseBinding(text, catalog);
  if (!check.ok) throw new Error(check.error);
  return check.binding;
}

function errorOf(text: string): string {
  const check = parseBinding(text, catalog);
  assert.equal(check.ok, false, `${text} should be refused`);
  return check.ok ? '' : check.error;
}

function callEvent(name: string, callId: string, accountId = ACCOUNT): HubEvent {
  const event = classifyBusMessage({ routingKey: `call.${accountId}.${name}.${encodeRoutingWord(callId)}`, payload: { call_id: callId } }, catalog);
  assert.ok(event !== undefined);
  return event;
}

function objectEvent(action: string, type: string, accountId = ACCOUNT): HubEvent {
  const event = classifyBusMessage({ routingKey: objectRoutingKey(action, accountId, type, 'doc1'), payload: {} }, catalog);
  assert.ok(event !== undefined);
  return event;
}

test('KAZOO error texts for bad call bindings', () => {
  assert.equal(errorOf('call.FOO.*'), 'event FOO not supported');
  assert.equal(errorOf('call.CHANNEL_CREATE'), 'invalid format for call subscription : CHANNEL_CREATE');
  assert.equal(errorOf('call'), 'invalid format for call subscription : ');
  assert.equal(errorOf('call.DTMF.*'), 'event DTMF not supported', 'only the bindings KAZOO offers');
});

test('KAZOO error texts for bad object bindings and unknown modules', () => {
  assert.equal(errorOf('object.doc_created'), 'invalid format for object subscription : doc_created');
  assert.equal(errorOf('object.doc_created.user.x'), 'invalid format for object subscription : doc_created, user, x');
  assert.equal(errorOf('object.doc_created.faxbox'), 'event doc_created.faxbox not supported', 'types the server never emits are refused');
  assert.equal(errorOf('object.doc_moved.*'), 'event doc_moved.* not supported');
  assert.equal(errorOf('doc_created.*.user.*'), 'no available subscriptions to requested binding');
  assert.equal(errorOf('fax.status.*'), 'no available subscriptions to requested binding');
});

test('call bindings accept an event or *, and a call id or * (a call id may contain dots)', () => {
  assert.deepEqual(bind('call.CHANNEL_CREATE.*'), { kind: 'call', text: 'call.CHANNEL_CREATE.*', event: 'CHANNEL_CREATE', callId: '*', callWord: '*' });
  const dotted = bind('call.*.abc.1@10.0.0.1');
  assert.equal(dotted.kind === 'call' && dotted.callId, 'abc.1@10.0.0.1');
  for (const text of ['object.*.*', 'object.doc_edited.*', 'object.*.device', 'object.doc_deleted.callflow']) assert.equal(bind(text).text, text);
});

test('a call binding matches by event and by call id, raw or in routing-key form', () => {
  const callId = 'abc-1@10.0.0.1';
  assert.ok(bindingMatches(bind('call.CHANNEL_CREATE.*'), callEvent('CHANNEL_CREATE', callId)));
  assert.ok(!bindingMatches(bind('call.CHANNEL_CREATE.*'), callEvent('CHANNEL_ANSWER', callId)));
  assert.ok(bindingMatches(bind('call.*.*'), callEvent('CHANNEL_DESTROY', callId)));
  assert.ok(bindingMatches(bind(`call.*.${callId}`), callEvent('CHANNEL_ANSWER', callId)));
  assert.ok(bindingMatches(bind(`call.*.${encodeRoutingWord(callId)}`), callEvent('CHANNEL_ANSWER', callId)));
  assert.ok(!bindingMatches(bind('call.*.other'), callEvent('CHANNEL_ANSWER', callId)));
  assert.ok(!bindingMatches(bind('call.*.*'), objectEvent('doc_created', 'user')));
});

test('an object binding matches by action and type', () => {
  assert.ok(bindingMatches(bind('object.doc_created.user'), objectEvent('doc_created', 'user')));
  assert.ok(!bindingMatches(bind('object.doc_created.user'), objectEvent('doc_edited', 'user')));
  assert.ok(!bindingMatches(bind('object.doc_created.user'), objectEvent('doc_created', 'device')));
  assert.ok(bindingMatches(bind('object.*.device'), objectEvent('doc_deleted', 'device')));
  assert.ok(bindingMatches(bind('object.*.*'), objectEvent('doc_edited', 'account')));
  assert.ok(!bindingMatches(bind('object.*.*'), callEvent('CHANNEL_CREATE', 'c1')));
});

test('subscription keys follow KAZOO: a * event is expanded, the account is * for wildcard subscriptions', () => {
  const event = callEvent('CHANNEL_ANSWER', 'c 1');
  assert.equal(subscriptionKey(bind('call.*.*'), ACCOUNT, event), `call.${ACCOUNT}.CHANNEL_ANSWER.*`);
  assert.equal(subscriptionKey(bind('call.CHANNEL_ANSWER.c 1'), '*', event), 'call.*.CHANNEL_ANSWER.c+1');
  const doc = objectEvent('doc_created', 'user');
  assert.equal(subscriptionKey(bind('object.doc_created.user'), ACCOUNT, doc), objectRoutingKey('doc_created', ACCOUNT, 'user', '*'));
  assert.equal(subscriptionKey(bind('object.*.user'), '*', doc), '*.*.user.*');
});

test('bus messages are read for their account, and foreign or unbindable ones are ignored', () => {
  const doc = objectEvent('doc_edited', 'device');
  assert.equal(doc.accountId, ACCOUNT);
  assert.equal(doc.name, 'doc_edited');
  assert.deepEqual(doc.subject, { kind: 'object', docType: 'device' });
  assert.equal(classifyBusMessage({ routingKey: `call.${ACCOUNT}.DTMF.c1`, payload: {} }, catalog), undefined);
  assert.equal(classifyBusMessage({ routingKey: 'call.nope.CHANNEL_CREATE.c1', payload: {} }, catalog), undefined);
  assert.equal(classifyBusMessage({ routingKey: objectRoutingKey('doc_created', ACCOUNT, 'system_secret', 'x'), payload: {} }, catalog), undefined);
  assert.equal(accountOfDbWord('garbage%ZZ'), undefined);
});

test('the advertised list is exactly what subscribe accepts, with KAZOO placeholders', () => {
  const advertised = advertisedBindings(catalog);
  assert.deepEqual(advertised.call, [
    'call.CHANNEL_CREATE.{CALL_ID}',
    'call.CHANNEL_ANSWER.{CALL_ID}',
    'call.CHANNEL_DESTROY.{CALL_ID}',
    'call.CHANNEL_HOLD.{CALL_ID}',
    'call.CHANNEL_UNHOLD.{CALL_ID}',
    'call.CHANNEL_BRIDGE.{CALL_ID}',
    'call.PARK_PARKED.{CALL_ID}',
    'call.PARK_RETRIEVED.{CALL_ID}',
    'call.PARK_ABANDONED.{CALL_ID}',
  ]);
  assert.equal(advertised.object[0], 'object.doc_created.account');
  assert.equal(advertised.object.length, 3 * catalog.objectTypes.length);
  for (const text of [...advertised.call.map((b) => b.replace('{CALL_ID}', 'x')), ...advertised.object]) assert.ok(parseBinding(text, catalog).ok, text);
  assert.ok(bindingCatalog(['user', 'call_recording']).objectTypes.includes('call_recording'));
});
