import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock, silentLogger } from '../../lib/index.ts';
import { makeResponse, parseMessage } from '../message/index.ts';
import type { SipMessage, SipRequest } from '../message/index.ts';
import { DEFAULT_TIMER_SETTINGS, IllegalTransitionError, InviteServerTransaction, NonInviteServerTransaction } from './index.ts';
import type { TransactionContext } from './index.ts';

function harness(reliable = false) {
  const clock = new FakeClock(0);
  const sent: { at: number; message: SipMessage }[] = [];
  const ctx: TransactionContext = {
    clock, timers: DEFAULT_TIMER_SETTINGS, logger: silentLogger, reliable, send: (message) => sent.push({ at: clock.now(), message }),
  };
  return { clock, sent, ctx };
}

function request(method: string, toTag?: string): SipRequest {
  const text =
    `${method} sip:bob@192.0.2.2 SIP/2.0\r\n` +
    'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKserver1\r\n' +
    'From: <sip:alice@a.example>;tag=from1\r\n' +
    `To: <sip:bob@b.example>${toTag === undefined ? '' : ';tag=' + toTag}\r\n` +
    'Call-ID: call-2@a.example\r\n' +
    `CSeq: 3 ${method}\r\n` +
    'Max-Forwards: 70\r\n' +
    'Content-Length: 0\r\n\r\n';
  const message = parseMessage(Buffer.from(text));
  assert.equal(message.kind, 'request');
  return message;
}

function statuses(sent: { message: SipMessage }[]): (number | string)[] {
  return sent.map(({ message }) => (message.kind === 'response' ? message.status : message.method));
}

test('INVITE server sends 100 Trying at once and answers INVITE retransmissions with the latest provisional', () => {
  const { sent, ctx } = harness();
  const invite = request('INVITE');
  const tx = new InviteServerTransaction('k', invite, ctx);
  tx.start();
  assert.deepEqual(statuses(sent), [100]);
  tx.receiveRequest(invite);
  tx.respond(makeResponse(invite, 180, undefined, { toTag: 'u1' }));
  tx.receiveRequest(invite);
  assert.deepEqual(statuses(sent), [100, 100, 180, 180]);
  assert.equal(tx.state, 'proceeding');
});

test('INVITE server retransmits a 3xx-6xx with Timer G capped at T2 and gives up with Timer H', () => {
  const { clock, sent, ctx } = harness();
  const invite = request('INVITE');
  const tx = new InviteServerTransaction('k', invite, ctx);
  let timeouts = 0;
  tx.on('timeout', () => timeouts++);
  tx.start();
  tx.respond(makeResponse(invite, 486, undefined, { toTag: 'u1' }));
  assert.equal(tx.state, 'completed');
  assert.deepEqual(tx.activeTimers, ['G', 'H']);
  clock.advance(32_000);
  const finals = sent.filter((s) => s.message.kind === 'response' && s.message.status === 486).map((s) => s.at);
  assert.deepEqual(finals, [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
  assert.equal(timeouts, 1);
  assert.equal(tx.state, 'terminated');
  assert.equal(clock.pending, 0);
});

test('INVITE server resends its final response on a retransmitted INVITE while Completed', () => {
  const { sent, ctx } = harness();
  const invite = request('INVITE');
  const tx = new InviteServerTransaction('k', invite, ctx);
  tx.start();
  tx.respond(makeResponse(invite, 404, undefined, { toTag: 'u1' }));
  tx.receiveRequest(invite);
  assert.deepEqual(statuses(sent), [100, 404, 404]);
});

test('an ACK moves the INVITE server to Confirmed, stops G and H, and Timer I (T4) ends it', () => {
  const { clock, sent, ctx } = harness();
  const invite = request('INVITE');
  const tx = new InviteServerTransaction('k', invite, ctx);
  tx.start();
  tx.respond(makeResponse(invite, 486, undefined, { toTag: 'u1' }));
  clock.advance(600);
  assert.equal(tx.receiveRequest(request('ACK', 'u1')), true);
  assert.equal(tx.state, 'confirmed');
  assert.deepEqual(tx.activeTimers, ['I']);
  assert.equal(tx.receiveRequest(request('ACK', 'u1')), true, 'ACK retransmissions are absorbed');
  tx.receiveRequest(invite);
  clock.advance(4999);
  assert.equal(tx.state, 'confirmed');
  clock.advance(1);
  assert.equal(tx.state, 'terminated');
  assert.deepEqual(statuses(sent), [100, 486, 486]);
});

test('INVITE server on a reliable transport has no Timer G and a zero Timer I', () => {
  const { clock, sent, ctx } = harness(true);
  const invite = request('INVITE');
  const tx = new InviteServerTransaction('k', invite, ctx);
  tx.start();
  tx.respond(makeResponse(invite, 486, undefined, { toTag: 'u1' }));
  assert.deepEqual(tx.activeTimers, ['H']);
  clock.advance(10_000);
  assert.equal(sent.length, 2);
  tx.receiveRequest(request('ACK', 'u1'));
  assert.equal(tx.state, 'terminated');
  assert.equal(clock.pending, 0);
});

test('a 2xx moves the INVITE server to Accepted (RFC 6026): retransmitted INVITEs are absorbed, TU 2xx retransmissions pass, ACKs go up, Timer L ends it', () => {
  const { clock, sent, ctx } = harness();
  const invite = request('INVITE');
  const tx = new InviteServerTransaction('k', invite, ctx);
  tx.start();
  const ok = makeResponse(invite, 200, undefined, { toTag: 'u1' });
  tx.respond(ok);
  assert.equal(tx.state, 'accepted');
  assert.deepEqual(tx.activeTimers, ['L']);
  tx.receiveRequest(invite);
  assert.equal(tx.respond(ok), true);
  assert.equal(tx.respond(makeResponse(invite, 500, undefined, { toTag: 'u1' })), false);
  assert.equal(tx.receiveRequest(request('ACK', 'u1')), false, 'the ACK for a 2xx belongs to the TU');
  assert.deepEqual(statuses(sent), [100, 200, 200]);
  clock.advance(31_999);
  assert.equal(tx.state, 'accepted');
  clock.advance(1);
  assert.equal(tx.state, 'terminated');
});

test('a CANCEL reaches the INVITE server TU only while Proceeding', () => {
  const { ctx } = harness();
  const invite = request('INVITE');
  const tx = new InviteServerTransaction('k', invite, ctx);
  const cancels: string[] = [];
  tx.on('cancel', (c) => cancels.push(c.method));
  tx.start();
  assert.equal(tx.receiveCancel(request('CANCEL')), true);
  tx.respond(makeResponse(invite, 487, undefined, { toTag: 'u1' }));
  assert.equal(tx.receiveCancel(request('CANCEL')), false);
  assert.deepEqual(cancels, ['CANCEL']);
  tx.terminate();
});

test('INVITE server reports transport errors and rejects illegal transitions', () => {
  const { clock, ctx } = harness();
  const invite = request('INVITE');
  const tx = new InviteServerTransaction('k', invite, ctx);
  let errors = 0;
  tx.on('transportError', () => errors++);
  tx.start();
  assert.throws(() => tx.transition('confirmed'), IllegalTransitionError);
  tx.respond(makeResponse(invite, 486, undefined, { toTag: 'u1' }));
  assert.throws(() => tx.transition('accepted'), IllegalTransitionError);
  tx.transportError(new Error('gone'));
  assert.equal(errors, 1);
  assert.equal(tx.state, 'terminated');
  assert.equal(clock.pending, 0);
});

test('non-INVITE server discards retransmissions in Trying, repeats the provisional in Proceeding and the final in Completed', () => {
  const { clock, sent, ctx } = harness();
  const bye = request('BYE', 'u1');
  const tx = new NonInviteServerTransaction('k', bye, ctx);
  tx.receiveRequest(bye);
  assert.equal(sent.length, 0);
  tx.respond(makeResponse(bye, 100));
  assert.equal(tx.state, 'proceeding');
  tx.receiveRequest(bye);
  tx.respond(makeResponse(bye, 200));
  assert.equal(tx.state, 'completed');
  tx.receiveRequest(bye);
  assert.equal(tx.respond(makeResponse(bye, 500)), false, 'later finals are discarded');
  assert.deepEqual(statuses(sent), [100, 100, 200, 200]);
  assert.deepEqual(tx.activeTimers, ['J']);
  clock.advance(31_999);
  assert.equal(tx.state, 'completed');
  clock.advance(1);
  assert.equal(tx.state, 'terminated');
  assert.equal(clock.pending, 0);
});

test('non-INVITE server has a zero Timer J on a reliable transport and rejects illegal transitions', () => {
  const { clock, ctx } = harness(true);
  const options = request('OPTIONS');
  const tx = new NonInviteServerTransaction('k', options, ctx);
  assert.throws(() => tx.transition('terminated'), IllegalTransitionError);
  tx.respond(makeResponse(options, 200, undefined, { toTag: 'x' }));
  assert.equal(tx.state, 'terminated');
  assert.equal(clock.pending, 0);
});
