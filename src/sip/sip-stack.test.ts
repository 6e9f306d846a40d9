import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../lib/index.ts';
import { Headers, SipRequest } from './message/index.ts';
import type { SipResponse } from './message/index.ts';
import { MemoryNetwork, SipStack } from './index.ts';
import type { Dialog, ServerTransaction } from './index.ts';

const SDP = Buffer.from('v=0\r\no=- 1 1 IN IP4 10.0.0.2\r\ns=-\r\nc=IN IP4 10.0.0.2\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n');

function world(protocol: 'udp' | 'tcp' = 'udp') {
  const clock = new FakeClock(0);
  const network = new MemoryNetwork({ clock });
  const make = (address: string): SipStack => {
    const stack = new SipStack({ clock });
    stack.addTransport(network.createTransport({ address, port: 5060, protocol }));
    return stack;
  };
  return { clock, network, alice: make('10.0.0.1'), bob: make('10.0.0.2') };
}

function newInvite(transport = ''): SipRequest {
  return new SipRequest('INVITE', `sip:bob@10.0.0.2:5060${transport}`, new Headers([
    ['From', '<sip:alice@example.com>;tag=alice-tag'],
    ['To', '<sip:bob@example.com>'],
    ['Call-ID', 'scenario-1'],
    ['CSeq', '1 INVITE'],
    ['Contact', `<sip:alice@10.0.0.1:5060${transport}>`],
  ]), Buffer.from('v=0\r\n'));
}

test('two stacks over an unreliable link: INVITE (retransmitted), 180, 200 (retransmitted), ACK, BYE, 200, and nothing left after close', () => {
  const { clock, network, alice, bob } = world();
  const log: string[] = [];
  let bobTx: ServerTransaction | undefined;
  let bobDialog: Dialog | undefined;
  bob.user = {
    onRequest: (request, tx) => {
      log.push(`bob got ${request.method}`);
      bobTx = tx;
      bob.respond(tx, 180, undefined, { localContact: '<sip:bob@10.0.0.2:5060>' });
    },
    onAck: (ack, dialog) => log.push(`bob got ACK ${ack.headers.get('CSeq')} in ${dialog.state} dialog`),
    onDialogRequest: (request, tx) => {
      log.push(`bob got ${request.method} in dialog`);
      bob.respond(tx, 200);
    },
  };
  network.drop((text) => text.startsWith('INVITE '), 1);
  network.drop((text) => text.startsWith('SIP/2.0 200') && text.includes('CSeq: 1 INVITE'), 1);

  const call = alice.invite(newInvite());
  const events: string[] = [];
  let aliceDialog: Dialog | undefined;
  call.on('provisional', (r, d) => events.push(`${r.status} ${d?.state ?? 'no dialog'}`));
  call.on('accepted', (r, d) => {
    events.push(`${r.status} ${d.state}`);
    aliceDialog = d;
  });

  clock.advance(0);
  assert.deepEqual(log, [], 'the first INVITE was lost');
  clock.advance(500);
  assert.deepEqual(log, ['bob got INVITE'], 'Timer A retransmitted it');
  assert.deepEqual(events, ['100 no dialog', '180 early']);

  assert.ok(bobTx !== undefined);
  const answered = bob.respond(bobTx, 200, undefined, { body: SDP, contentType: 'application/sdp', localContact: '<sip:bob@10.0.0.2:5060>' });
  bobDialog = answered.dialog;
  assert.equal(bobDialog?.state, 'confirmed');
  assert.equal(bobDialog?.awaitingAck, true);
  clock.advance(0);
  assert.deepEqual(events, ['100 no dialog', '180 early'], 'the first 200 was lost');
  clock.advance(500);
  assert.deepEqual(events, ['100 no dialog', '180 early', '200 confirmed'], 'the UAS core retransmitted the 200');
  assert.deepEqual(log, ['bob got INVITE', 'bob got ACK 1 ACK in confirmed dialog']);
  assert.equal(bobDialog?.awaitingAck, false);
  assert.equal(network.sent(/^INVITE /).length, 2);
  assert.equal(network.sent(/^ACK /).length, 1);

  assert.ok(aliceDialog !== undefined);
  assert.deepEqual(aliceDialog.id, { callId: 'scenario-1', localTag: 'alice-tag', remoteTag: bobDialog?.id.localTag });
  const bye = alice.request(aliceDialog, 'BYE');
  const byeFinal: number[] = [];
  bye.on('final', (r: SipResponse) => byeFinal.push(r.status));
  clock.advance(0);
  assert.deepEqual(byeFinal, [200]);
  assert.equal(aliceDialog.state, 'terminated');
  assert.equal(bobDialog?.state, 'terminated');
  assert.deepEqual(log.at(-1), 'bob got BYE in dialog');
  assert.equal(alice.dialogs.size + bob.dialogs.size, 0);

  clock.advance(64 * 500);
  assert.equal(alice.transactions.clientCount + alice.transactions.serverCount, 0, 'every alice transaction ran out');
  assert.equal(bob.transactions.clientCount + bob.transactions.serverCount, 0, 'every bob transaction ran out');
  assert.equal(clock.pending, 0);

  alice.close();
  bob.close();
  network.close();
  assert.equal(alice.closed && bob.closed, true);
  assert.equal(clock.pending, 0);
});

test('closing stacks in the middle of a call clears every timer', () => {
  const { clock, network, alice, bob } = world();
  bob.user = { onRequest: (_r, tx) => bob.respond(tx, 200, undefined, { localContact: '<sip:bob@10.0.0.2:5060>' }) };
  network.drop((text) => text.startsWith('ACK '), 10);
  alice.invite(newInvite());
  clock.advance(0);
  assert.ok(clock.pending > 0, 'bob retransmits its 200, transactions wait');
  alice.close();
  bob.close();
  network.close();
  assert.equal(clock.pending, 0);
  assert.throws(() => alice.invite(newInvite()), { code: 'closed' });
});

test('a CANCEL after a provisional ends the call with 487 on both sides', () => {
  const { clock, network, alice, bob } = world();
  const cancelled: string[] = [];
  bob.user = {
    onRequest: (_request, tx) => {
      bob.respond(tx, 180, undefined, { localContact: '<sip:bob@10.0.0.2:5060>' });
      if (tx.kind === 'invite-server') {
        tx.on('cancel', (cancel) => {
          cancelled.push(`cancel ${cancel.headers.get('Reason') ?? ''}`.trim());
          bob.respond(tx, 487);
        });
      }
    },
  };
  const call = alice.invite(newInvite());
  assert.equal(call.cancel({ headers: [['Reason', 'SIP;cause=200;text="Call completed elsewhere"']] }), true, 'waits for a provisional before sending CANCEL');
  const rejected: number[] = [];
  call.on('rejected', (r) => rejected.push(r.status));
  clock.advance(0);
  assert.deepEqual(cancelled, ['cancel SIP;cause=200;text="Call completed elsewhere"'], 'the CANCEL carries the extra headers (RFC 3326)');
  assert.deepEqual(rejected, [487]);
  assert.equal(alice.dialogs.size + bob.dialogs.size, 0, 'early dialogs ended with the 487');
  assert.equal(call.cancel(), false);
  alice.close();
  bob.close();
  network.close();
  assert.equal(clock.pending, 0);
});

test('over a reliable link nothing is retransmitted and in-dialog requests with a stale CSeq get 500', () => {
  const { clock, network, alice, bob } = world('tcp');
  bob.user = { onRequest: (_r, tx) => bob.respond(tx, 200, undefined, { localContact: '<sip:bob@10.0.0.2:5060;transport=tcp>' }) };
  const call = alice.invite(newInvite(';transport=tcp'));
  let dialog: Dialog | undefined;
  call.on('accepted', (_r, d) => (dialog = d));
  clock.advance(0);
  assert.ok(dialog !== undefined);
  const info = alice.request(dialog, 'INFO');
  const stale = dialog.createRequest('INFO');
  stale.headers.set('CSeq', '1 INFO');
  const codes: number[] = [];
  info.on('final', (r) => codes.push(r.status));
  clock.advance(0);
  alice.transactions.sendRequest(stale).on('final', (r) => codes.push(r.status));
  clock.advance(0);
  assert.deepEqual(codes, [501, 500]);
  clock.advance(60_000);
  assert.equal(network.sent(/^INVITE /).length, 1);
  assert.equal(network.sent(/^SIP\/2.0 200/).length, 1);
  alice.close();
  bob.close();
  network.close();
  assert.equal(clock.pending, 0);
});

test('provisional responses with different To tags make separate early dialogs; those not answered end with the INVITE transaction', () => {
  const { clock, network, alice, bob } = world();
  bob.user = {
    onRequest: (_request, tx) => {
      const contact = { localContact: '<sip:bob@10.0.0.2:5060>' };
      bob.respond(tx, 180, undefined, { ...contact, toTag: 'fork-1' });
      bob.respond(tx, 183, undefined, { ...contact, toTag: 'fork-2' });
      bob.respond(tx, 200, undefined, { ...contact, toTag: 'fork-2' });
    },
  };
  const call = alice.invite(newInvite());
  const early: string[] = [];
  call.on('provisional', (_r, d) => early.push(`${d?.id.remoteTag} ${d?.state}`));
  let accepted: Dialog | undefined;
  call.on('accepted', (_r, d) => (accepted = d));
  clock.advance(0);
  assert.deepEqual(early, ['undefined undefined', 'fork-1 early', 'fork-2 early']);
  assert.equal(accepted?.id.remoteTag, 'fork-2');
  assert.deepEqual(alice.dialogs.values().map((d) => `${d.id.remoteTag} ${d.state}`).sort(), ['fork-1 early', 'fork-2 confirmed']);
  clock.advance(64 * 500);
  assert.deepEqual(alice.dialogs.values().map((d) => d.id.remoteTag), ['fork-2'], 'Timer M ended the unanswered early dialog');
  assert.deepEqual(bob.dialogs.values().map((d) => d.id.localTag), ['fork-2']);
  alice.close();
  bob.close();
  network.close();
  assert.equal(clock.pending, 0);
});
