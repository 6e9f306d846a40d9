// The ACK of a 2xx as the dialog reports it (RFC 3261 §13.3.1.4): once per INVITE, whatever the
// copies the UAC sends for our 2xx retransmissions (§13.2.2.4).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../lib/index.ts';
import { Headers, SipRequest, makeResponse } from '../message/index.ts';
import { DEFAULT_TIMER_SETTINGS } from '../transaction/index.ts';
import { Dialog } from './index.ts';

function request(method: string, seq: number, body = ''): SipRequest {
  return new SipRequest(method, 'sip:bob@192.0.2.2', new Headers([
    ['Via', 'SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKack' + seq],
    ['From', '"Alice" <sip:alice@a.example>;tag=alice1'],
    ['To', '<sip:bob@b.example>;tag=bob1'],
    ['Call-ID', 'ack-call'],
    ['CSeq', `${seq} ${method}`],
    ['Contact', '<sip:alice@192.0.2.1:5060>'],
  ]), Buffer.from(body));
}

test('the ACK of a 2xx is reported once per INVITE: the copies sent for 2xx retransmissions are absorbed', () => {
  const clock = new FakeClock(0);
  const invite = request('INVITE', 10);
  invite.headers.set('To', '<sip:bob@b.example>');
  const d = Dialog.uas(invite, makeResponse(invite, 200, undefined, { toTag: 'bob1', headers: [['Contact', '<sip:bob@192.0.2.2>']] }));
  d.retransmit2xx({ clock, timers: DEFAULT_TIMER_SETTINGS, reliable: false, send: () => {} });
  const acks: string[] = [];
  d.on('ack', (a) => acks.push(`${a.headers.get('CSeq')} ${a.body.toString()}`));
  d.receiveRequest(request('ACK', 10, 'answer'));
  d.receiveRequest(request('ACK', 10, 'answer'));
  assert.deepEqual(acks, ['10 ACK answer']);
  assert.equal(d.awaitingAck, false);

  // A re-INVITE and its ACK: reported once too; a late copy of the first ACK is not.
  assert.deepEqual(d.receiveRequest(request('INVITE', 11)), { ok: true });
  d.retransmit2xx({ clock, timers: DEFAULT_TIMER_SETTINGS, reliable: false, send: () => {} });
  d.receiveRequest(request('ACK', 10, 'late copy'));
  assert.equal(d.awaitingAck, true, 'an ACK of the previous INVITE does not stop this 2xx');
  d.receiveRequest(request('ACK', 11, 'second'));
  d.receiveRequest(request('ACK', 11, 'second'));
  assert.deepEqual(acks, ['10 ACK answer', '11 ACK second']);
  assert.equal(d.awaitingAck, false);
  d.terminate();
  assert.equal(clock.pending, 0);
});
