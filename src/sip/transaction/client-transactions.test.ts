import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock, silentLogger } from '../../lib/index.ts';
import { makeResponse, parseMessage } from '../message/index.ts';
import type { SipMessage, SipRequest } from '../message/index.ts';
import {
  DEFAULT_TIMER_SETTINGS, IllegalTransitionError, InviteClientTransaction, NonInviteClientTransaction, timerSettings,
} from './index.ts';
import type { TimerSettings, TransactionContext } from './index.ts';

function harness(reliable = false, timers: TimerSettings = DEFAULT_TIMER_SETTINGS) {
  const clock = new FakeClock(0);
  const sent: { at: number; message: SipMessage }[] = [];
  const ctx: TransactionContext = { clock, timers, logger: silentLogger, reliable, send: (message) => sent.push({ at: clock.now(), message }) };
  return { clock, sent, ctx };
}

function request(method: string): SipRequest {
  const text =
    `${method} sip:bob@192.0.2.2 SIP/2.0\r\n` +
    'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKclient1;rport\r\n' +
    'Max-Forwards: 70\r\n' +
    'Route: <sip:proxy.example;lr>\r\n' +
    'From: <sip:alice@a.example>;tag=from1\r\n' +
    'To: <sip:bob@b.example>\r\n' +
    'Call-ID: call-1@a.example\r\n' +
    `CSeq: 7 ${method}\r\n` +
    'Contact: <sip:alice@192.0.2.1>\r\n' +
    'Content-Length: 0\r\n\r\n';
  const message = parseMessage(Buffer.from(text));
  assert.equal(message.kind, 'request');
  return message;
}

function sentMethods(sent: { message: SipMessage }[]): string[] {
  return sent.map(({ message }) => (message.kind === 'request' ? message.method : String(message.status)));
}

test('INVITE client retransmits with Timer A doubling from T1 and times out with Timer B at 64*T1', () => {
  const { clock, sent, ctx } = harness();
  const tx = new InviteClientTransaction('k', request('INVITE'), ctx);
  let timeouts = 0;
  tx.on('timeout', () => timeouts++);
  tx.start();
  assert.deepEqual(tx.activeTimers, ['A', 'B']);
  clock.advance(32_000);
  assert.deepEqual(sent.map((s) => s.at), [0, 500, 1500, 3500, 7500, 15500, 31500]);
  assert.equal(timeouts, 1);
  assert.equal(tx.state, 'terminated');
  assert.equal(clock.pending, 0);
});

test('INVITE client on a reliable transport never retransmits and still times out with Timer B', () => {
  const { clock, sent, ctx } = harness(true);
  const tx = new InviteClientTransaction('k', request('INVITE'), ctx);
  tx.start();
  assert.deepEqual(tx.activeTimers, ['B']);
  clock.advance(31_999);
  assert.equal(tx.state, 'calling');
  clock.advance(1);
  assert.equal(sent.length, 1);
  assert.equal(tx.state, 'terminated');
});

test('INVITE client timers follow injected timer settings', () => {
  const { clock, sent, ctx } = harness(false, timerSettings({ T1: 100 }));
  const tx = new InviteClientTransaction('k', request('INVITE'), ctx);
  tx.start();
  clock.advance(6400);
  assert.deepEqual(sent.map((s) => s.at), [0, 100, 300, 700, 1500, 3100, 6300]);
  assert.equal(tx.state, 'terminated');
});

test('a provisional response moves the INVITE client to Proceeding and stops Timers A and B', () => {
  const { clock, sent, ctx } = harness();
  const invite = request('INVITE');
  const tx = new InviteClientTransaction('k', invite, ctx);
  const provisional: number[] = [];
  tx.on('provisional', (r) => provisional.push(r.status));
  tx.start();
  clock.advance(600);
  tx.receiveResponse(makeResponse(invite, 100));
  tx.receiveResponse(makeResponse(invite, 180, undefined, { toTag: 'b1' }));
  clock.advance(100_000);
  assert.equal(tx.state, 'proceeding');
  assert.deepEqual(provisional, [100, 180]);
  assert.equal(sent.length, 2);
  assert.deepEqual(tx.activeTimers, []);
});

test('a 2xx moves the INVITE client to Accepted, passes retransmitted 2xx up, and Timer M ends it', () => {
  const { clock, sent, ctx } = harness();
  const invite = request('INVITE');
  const tx = new InviteClientTransaction('k', invite, ctx);
  const finals: number[] = [];
  const extra: string[] = [];
  tx.on('final', (r) => finals.push(r.status));
  tx.on('additional2xx', (r) => extra.push(r.headers.get('To') ?? ''));
  tx.start();
  tx.receiveResponse(makeResponse(invite, 200, undefined, { toTag: 'b1' }));
  assert.equal(tx.state, 'accepted');
  assert.deepEqual(tx.activeTimers, ['M']);
  tx.receiveResponse(makeResponse(invite, 200, undefined, { toTag: 'b1' }));
  tx.receiveResponse(makeResponse(invite, 200, undefined, { toTag: 'b2' }));
  tx.receiveResponse(makeResponse(invite, 486, undefined, { toTag: 'b3' }));
  assert.deepEqual(finals, [200]);
  assert.equal(extra.length, 2);
  assert.match(extra[1] ?? '', /tag=b2/);
  assert.equal(sent.length, 1, 'the client transaction never ACKs a 2xx');
  clock.advance(31_999);
  assert.equal(tx.state, 'accepted');
  clock.advance(1);
  assert.equal(tx.state, 'terminated');
  assert.equal(clock.pending, 0);
});

test('a 3xx-6xx response is ACKed by the INVITE client, retransmissions re-ACKed, and Timer D ends it after 32 s', () => {
  const { clock, sent, ctx } = harness();
  const invite = request('INVITE');
  const tx = new InviteClientTransaction('k', invite, ctx);
  const finals: number[] = [];
  tx.on('final', (r) => finals.push(r.status));
  tx.start();
  tx.receiveResponse(makeResponse(invite, 180, undefined, { toTag: 'b1' }));
  const busy = makeResponse(invite, 486, undefined, { toTag: 'b1' });
  tx.receiveResponse(busy);
  assert.equal(tx.state, 'completed');
  const ack = sent[1]?.message;
  assert.ok(ack?.kind === 'request');
  assert.equal(ack.method, 'ACK');
  assert.equal(ack.uri, invite.uri);
  assert.deepEqual(ack.headers.getAll('Via'), [invite.headers.get('Via')]);
  assert.equal(ack.headers.get('To'), busy.headers.get('To'));
  assert.equal(ack.headers.get('From'), invite.headers.get('From'));
  assert.equal(ack.headers.get('CSeq'), '7 ACK');
  assert.deepEqual(ack.headers.getAll('Route'), ['<sip:proxy.example;lr>']);
  tx.receiveResponse(busy);
  assert.deepEqual(sentMethods(sent), ['INVITE', 'ACK', 'ACK']);
  assert.deepEqual(finals, [486]);
  clock.advance(31_999);
  assert.equal(tx.state, 'completed');
  clock.advance(1);
  assert.equal(tx.state, 'terminated');
});

test('Timer D is zero on a reliable transport', () => {
  const { ctx } = harness(true);
  const invite = request('INVITE');
  const tx = new InviteClientTransaction('k', invite, ctx);
  tx.start();
  tx.receiveResponse(makeResponse(invite, 603, undefined, { toTag: 'x' }));
  assert.equal(tx.state, 'terminated');
});

test('a transport error in Calling terminates the INVITE client and informs the TU', () => {
  const { clock, ctx } = harness();
  const tx = new InviteClientTransaction('k', request('INVITE'), ctx);
  const errors: string[] = [];
  tx.on('transportError', (e) => errors.push(e.message));
  tx.start();
  tx.transportError(new Error('unreachable'));
  assert.deepEqual(errors, ['unreachable']);
  assert.equal(tx.state, 'terminated');
  assert.equal(clock.pending, 0);
});

test('the INVITE client rejects transitions its state diagram lacks', () => {
  const { ctx } = harness();
  const invite = request('INVITE');
  const tx = new InviteClientTransaction('k', invite, ctx);
  tx.start();
  tx.receiveResponse(makeResponse(invite, 180, undefined, { toTag: 'b' }));
  assert.throws(() => tx.transition('calling'), IllegalTransitionError);
  assert.throws(() => tx.transition('terminated'), IllegalTransitionError);
  tx.receiveResponse(makeResponse(invite, 200, undefined, { toTag: 'b' }));
  assert.throws(() => tx.transition('completed'), IllegalTransitionError);
  assert.equal(tx.state, 'accepted');
  tx.terminate();
});

test('non-INVITE client doubles Timer E up to T2 and times out with Timer F', () => {
  const { clock, sent, ctx } = harness();
  const tx = new NonInviteClientTransaction('k', request('OPTIONS'), ctx);
  let timeouts = 0;
  tx.on('timeout', () => timeouts++);
  tx.start();
  assert.deepEqual(tx.activeTimers, ['E', 'F']);
  clock.advance(32_000);
  assert.deepEqual(sent.map((s) => s.at), [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
  assert.equal(timeouts, 1);
  assert.equal(tx.state, 'terminated');
  assert.equal(clock.pending, 0);
});

test('non-INVITE client in Proceeding retransmits every T2', () => {
  const { clock, sent, ctx } = harness();
  const bye = request('BYE');
  const tx = new NonInviteClientTransaction('k', bye, ctx);
  tx.start();
  tx.receiveResponse(makeResponse(bye, 100));
  assert.equal(tx.state, 'proceeding');
  clock.advance(9000);
  assert.deepEqual(sent.map((s) => s.at), [0, 500, 4500, 8500]);
});

test('non-INVITE client passes one final response up and absorbs retransmissions until Timer K (T4)', () => {
  const { clock, sent, ctx } = harness();
  const bye = request('BYE');
  const tx = new NonInviteClientTransaction('k', bye, ctx);
  const finals: number[] = [];
  tx.on('final', (r) => finals.push(r.status));
  tx.start();
  tx.receiveResponse(makeResponse(bye, 200, undefined, { toTag: 't' }));
  tx.receiveResponse(makeResponse(bye, 200, undefined, { toTag: 't' }));
  assert.equal(tx.state, 'completed');
  assert.deepEqual(tx.activeTimers, ['K']);
  clock.advance(4999);
  assert.equal(tx.state, 'completed');
  clock.advance(1);
  assert.equal(tx.state, 'terminated');
  assert.deepEqual(finals, [200]);
  assert.equal(sent.length, 1);
});

test('non-INVITE client on a reliable transport has no Timer E and a zero Timer K', () => {
  const { clock, sent, ctx } = harness(true);
  const bye = request('BYE');
  const tx = new NonInviteClientTransaction('k', bye, ctx);
  tx.start();
  assert.deepEqual(tx.activeTimers, ['F']);
  clock.advance(10_000);
  assert.equal(sent.length, 1);
  tx.receiveResponse(makeResponse(bye, 200, undefined, { toTag: 't' }));
  assert.equal(tx.state, 'terminated');
  assert.equal(clock.pending, 0);
});

test('non-INVITE client reports a transport error and rejects illegal transitions', () => {
  const { ctx } = harness();
  const tx = new NonInviteClientTransaction('k', request('OPTIONS'), ctx);
  let errors = 0;
  tx.on('transportError', () => errors++);
  tx.start();
  assert.throws(() => tx.transition('trying'), IllegalTransitionError);
  tx.transportError(new Error('x'));
  assert.equal(errors, 1);
  assert.equal(tx.state, 'terminated');
  assert.throws(() => tx.transition('completed'), IllegalTransitionError);
});
