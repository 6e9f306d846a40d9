import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../lib/index.ts';
import { Headers, SipRequest, makeResponse, parseCSeq } from '../message/index.ts';
import type { SipResponse } from '../message/index.ts';
import { DEFAULT_TIMER_SETTINGS } from '../transaction/index.ts';
import { Dialog, DialogError, DialogStore } from './index.ts';

function invite(extra: [string, string][] = []): SipRequest {
  return new SipRequest('INVITE', 'sip:bob@b.example', new Headers([
    ['Via', 'SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKd1'],
    ['From', '"Alice" <sip:alice@a.example>;tag=alice1'],
    ['To', '<sip:bob@b.example>'],
    ['Call-ID', 'dialog-call'],
    ['CSeq', '10 INVITE'],
    ['Contact', '<sip:alice@192.0.2.1:5060>'],
    ...extra,
  ]));
}

function answer(request: SipRequest, status: number, tag: string, extra: [string, string][] = []): SipResponse {
  return makeResponse(request, status, undefined, { toTag: tag, headers: [['Contact', `<sip:bob@192.0.2.2:${5000 + status}>`], ...extra] });
}

const RR: [string, string][] = [['Record-Route', '<sip:p1.example;lr>'], ['Record-Route', '<sip:p2.example;lr>']];

test('a UAC dialog takes its id from the tags, the reversed Record-Route as route set and the Contact as remote target', () => {
  const req = invite();
  const d = Dialog.uac(req, answer(req, 180, 'bob1', RR));
  assert.deepEqual(d.id, { callId: 'dialog-call', localTag: 'alice1', remoteTag: 'bob1' });
  assert.equal(d.state, 'early');
  assert.deepEqual(d.routeSet, ['<sip:p2.example;lr>', '<sip:p1.example;lr>']);
  assert.equal(d.remoteTarget, 'sip:bob@192.0.2.2:5180');
  assert.equal(d.localSeq, 10);
  assert.equal(d.remoteSeq, undefined);
  d.confirm(answer(req, 200, 'bob1', [['Record-Route', '<sip:p3.example;lr>']]));
  assert.equal(d.state, 'confirmed');
  assert.deepEqual(d.routeSet, ['<sip:p3.example;lr>'], 'the 2xx recomputes the route set');
  assert.equal(d.remoteTarget, 'sip:bob@192.0.2.2:5200');
});

test('a UAS dialog keeps Record-Route in order, copies it into the response and records the remote CSeq', () => {
  const req = invite(RR);
  const ok = makeResponse(req, 200, undefined, { toTag: 'bob1', headers: [['Contact', '<sip:bob@192.0.2.2>']] });
  const d = Dialog.uas(req, ok);
  assert.deepEqual(d.id, { callId: 'dialog-call', localTag: 'bob1', remoteTag: 'alice1' });
  assert.equal(d.state, 'confirmed');
  assert.deepEqual(d.routeSet, ['<sip:p1.example;lr>', '<sip:p2.example;lr>']);
  assert.deepEqual(ok.headers.getAll('Record-Route'), ['<sip:p1.example;lr>', '<sip:p2.example;lr>']);
  assert.equal(d.remoteTarget, 'sip:alice@192.0.2.1:5060');
  assert.equal(d.remoteSeq, 10);
  assert.equal(d.localSeq, undefined);
  assert.equal(d.localContact, '<sip:bob@192.0.2.2>');
});

test('responses without a To tag or with a failure status create no dialog', () => {
  const req = invite();
  assert.throws(() => Dialog.uac(req, makeResponse(req, 180)), DialogError);
  assert.throws(() => Dialog.uac(req, answer(req, 486, 'x')), DialogError);
});

test('in-dialog requests go to the remote target with the route set as Route headers and an incremented CSeq (loose routing)', () => {
  const req = invite();
  const d = Dialog.uac(req, answer(req, 200, 'bob1', RR));
  const bye = d.createRequest('INFO', { body: Buffer.from('x'), contentType: 'text/plain', headers: [['X-Test', '1']] });
  assert.equal(bye.uri, 'sip:bob@192.0.2.2:5200');
  assert.deepEqual(bye.headers.getAll('Route'), ['<sip:p2.example;lr>', '<sip:p1.example;lr>']);
  assert.equal(bye.headers.get('From'), '"Alice" <sip:alice@a.example>;tag=alice1');
  assert.match(bye.headers.get('To') ?? '', /;tag=bob1$/);
  assert.equal(bye.headers.get('Call-ID'), 'dialog-call');
  assert.equal(bye.headers.get('CSeq'), '11 INFO');
  assert.equal(bye.headers.get('Contact'), undefined, 'INFO is not a target refresh');
  assert.equal(bye.headers.get('Content-Type'), 'text/plain');
  const reinvite = d.createRequest('INVITE');
  assert.equal(reinvite.headers.get('CSeq'), '12 INVITE');
  assert.equal(reinvite.headers.get('Contact'), '<sip:alice@192.0.2.1:5060>');
  assert.equal(d.localSeq, 12);
});

test('a strict router first in the route set takes the Request-URI and the remote target goes last', () => {
  const req = invite();
  const d = Dialog.uac(req, answer(req, 200, 'bob1', [['Record-Route', '<sip:strict.example;method=INVITE>']]));
  const info = d.createRequest('INFO');
  assert.equal(info.uri, 'sip:strict.example');
  assert.deepEqual(info.headers.getAll('Route'), ['<sip:bob@192.0.2.2:5200>']);
});

test('the UAS picks a first local CSeq and increments it; a lower remote CSeq is rejected with 500 (§12.2.2)', () => {
  const req = invite();
  const d = Dialog.uas(req, answer(req, 200, 'bob1'));
  const first = parseCSeq(d.createRequest('INFO').headers.get('CSeq') ?? '').seq;
  assert.ok(first >= 1 && first < 2 ** 31);
  assert.equal(parseCSeq(d.createRequest('INFO').headers.get('CSeq') ?? '').seq, first + 1);
  const inDialog = (seq: number, method = 'INFO'): SipRequest => {
    const r = d.createRequest('OPTIONS');
    r.method = method;
    r.headers.set('CSeq', `${seq} ${method}`);
    return r;
  };
  assert.deepEqual(d.receiveRequest(inDialog(11)), { ok: true });
  assert.equal(d.remoteSeq, 11);
  assert.deepEqual(d.receiveRequest(inDialog(9)), { ok: false, status: 500, reason: 'Out of Order CSeq' });
  assert.deepEqual(d.receiveRequest(inDialog(30)), { ok: true });
  assert.equal(d.remoteSeq, 30);
});

test('the ACK for a 2xx keeps the INVITE CSeq number and its credentials (§13.2.2.4)', () => {
  const req = invite([['Proxy-Authorization', 'Digest username="alice"']]);
  const d = Dialog.uac(req, answer(req, 200, 'bob1'));
  const ack = d.createAck({ invite: req, body: Buffer.from('v=0'), contentType: 'application/sdp' });
  assert.equal(ack.method, 'ACK');
  assert.equal(ack.headers.get('CSeq'), '10 ACK');
  assert.equal(ack.headers.get('Proxy-Authorization'), 'Digest username="alice"');
  assert.equal(ack.uri, 'sip:bob@192.0.2.2:5200');
  assert.equal(d.localSeq, 10, 'an ACK does not use up a sequence number');
  assert.equal(d.lastAck, ack);
  assert.throws(() => d.createRequest('ACK'), DialogError);
});

test('BYE terminates the dialog whether sent or received, and later requests are refused', () => {
  const req = invite();
  const uac = Dialog.uac(req, answer(req, 200, 'bob1'));
  uac.createRequest('BYE');
  assert.equal(uac.state, 'terminated');
  assert.throws(() => uac.createRequest('INFO'), { code: 'dialog_terminated' });
  const uas = Dialog.uas(req, answer(req, 200, 'bob2'));
  const bye = new SipRequest('BYE', 'sip:bob@192.0.2.2', new Headers([['CSeq', '11 BYE']]));
  assert.deepEqual(uas.receiveRequest(bye), { ok: true });
  assert.equal(uas.terminated, true);
});

test('a 2xx to a target refresh updates the remote target and a 481 terminates the dialog (§12.2.1.2)', () => {
  const req = invite();
  const d = Dialog.uac(req, answer(req, 200, 'bob1'));
  const reinvite = d.createRequest('INVITE');
  d.receiveResponse(makeResponse(reinvite, 200, undefined, { headers: [['Contact', '<sip:bob@198.51.100.5>']] }));
  assert.equal(d.remoteTarget, 'sip:bob@198.51.100.5');
  d.receiveResponse(makeResponse(d.createRequest('INFO'), 481));
  assert.equal(d.state, 'terminated');
});

test('the store matches requests and responses to dialogs and keeps one early dialog per fork', () => {
  const store = new DialogStore();
  const req = invite();
  const early1 = store.uacResponse(req, answer(req, 180, 'fork1'));
  const early2 = store.uacResponse(req, answer(req, 183, 'fork2'));
  assert.ok(early1 !== undefined && early2 !== undefined && early1 !== early2);
  assert.equal(store.uacResponse(req, makeResponse(req, 100)), undefined);
  assert.equal(store.uacResponse(req, answer(req, 180, 'fork1')), early1);
  assert.equal(store.forks('dialog-call', 'alice1').length, 2);
  const confirmed = store.uacResponse(req, answer(req, 200, 'fork2'));
  assert.equal(confirmed, early2);
  assert.equal(early2.state, 'confirmed');
  assert.equal(early1.state, 'early');
  const fromPeer = new SipRequest('BYE', 'sip:alice@192.0.2.1', new Headers([
    ['From', '<sip:bob@b.example>;tag=fork2'], ['To', '<sip:alice@a.example>;tag=alice1'], ['Call-ID', 'dialog-call'], ['CSeq', '1 BYE'],
  ]));
  assert.equal(store.findForRequest(fromPeer), early2);
  assert.equal(store.findForResponse(answer(req, 200, 'fork1')), early1);
  early2.receiveRequest(fromPeer);
  assert.equal(store.size, 1, 'a terminated dialog leaves the store');
  store.close();
  assert.equal(store.size, 0);
});

test('a failure final response terminates the early dialogs of the request (§12.3)', () => {
  const store = new DialogStore();
  const req = invite();
  const early = store.uacResponse(req, answer(req, 180, 'fork1'));
  assert.equal(store.uacResponse(req, answer(req, 486, 'fork1')), undefined);
  assert.equal(early?.state, 'terminated');
  assert.equal(store.size, 0);
});

test('the UAS retransmits its 2xx from T1 doubling to T2 until the ACK arrives (§13.3.1.4)', () => {
  const clock = new FakeClock(0);
  const req = invite();
  const d = Dialog.uas(req, answer(req, 200, 'bob1'));
  const sends: number[] = [];
  d.retransmit2xx({ clock, timers: DEFAULT_TIMER_SETTINGS, reliable: false, send: () => sends.push(clock.now()) });
  clock.advance(12_000);
  assert.deepEqual(sends, [500, 1500, 3500, 7500, 11500]);
  assert.equal(d.awaitingAck, true);
  const acks: string[] = [];
  d.on('ack', (a) => acks.push(a.method));
  d.receiveRequest(new SipRequest('ACK', 'sip:bob@192.0.2.2', new Headers([['CSeq', '10 ACK']])));
  assert.deepEqual(acks, ['ACK']);
  assert.equal(d.awaitingAck, false);
  assert.equal(clock.pending, 0);
});

test('without an ACK within 64*T1 the dialog reports ackTimeout; terminating clears the timers', () => {
  const clock = new FakeClock(0);
  const req = invite();
  const d = Dialog.uas(req, answer(req, 200, 'bob1'));
  let timeouts = 0;
  d.on('ackTimeout', () => timeouts++);
  d.retransmit2xx({ clock, timers: DEFAULT_TIMER_SETTINGS, reliable: true, send: () => assert.fail('no resend on reliable transports') });
  clock.advance(32_000);
  assert.equal(timeouts, 1);
  d.retransmit2xx({ clock, timers: DEFAULT_TIMER_SETTINGS, reliable: false, send: () => {} });
  assert.ok(clock.pending > 0);
  d.terminate();
  assert.equal(clock.pending, 0);
});
