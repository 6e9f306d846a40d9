import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../lib/index.ts';
import { Headers, SipRequest, makeResponse, parseVia } from '../message/index.ts';
import type { SipResponse } from '../message/index.ts';
import { MemoryNetwork, TransportLayer } from '../transport/index.ts';
import { TransactionLayer, createCancel } from './index.ts';
import type { InviteServerTransaction, ServerTransaction, TransactionUser } from './index.ts';

function setup() {
  const clock = new FakeClock(0);
  const network = new MemoryNetwork({ clock });
  const node = (address: string) => {
    const transport = new TransportLayer();
    transport.add(network.createTransport({ address, port: 5060 }));
    const requests: [SipRequest, ServerTransaction][] = [];
    const strayAcks: SipRequest[] = [];
    const stray2xx: SipResponse[] = [];
    const user: TransactionUser = {
      onRequest: (r, tx) => requests.push([r, tx]),
      onStrayAck: (a) => strayAcks.push(a),
      onStray2xx: (r) => stray2xx.push(r),
    };
    const layer = new TransactionLayer({ transport, clock, user });
    return { transport, layer, requests, strayAcks, stray2xx };
  };
  return { clock, network, a: node('10.0.0.1'), b: node('10.0.0.2') };
}

function newRequest(method: string, callId = 'call-tl'): SipRequest {
  const h = new Headers([
    ['From', '<sip:alice@10.0.0.1>;tag=fa'],
    ['To', '<sip:bob@10.0.0.2>'],
    ['Call-ID', callId],
    ['CSeq', `1 ${method}`],
    ['Contact', '<sip:alice@10.0.0.1:5060>'],
  ]);
  return new SipRequest(method, 'sip:bob@10.0.0.2:5060', h);
}

test('outgoing requests get a Via with a fresh z9hG4bK branch and rport, and Max-Forwards', () => {
  const { a, network } = setup();
  const tx = a.layer.sendRequest(newRequest('OPTIONS'));
  const via = parseVia(tx.request.headers.get('Via') ?? '');
  assert.equal(via.host, '10.0.0.1');
  assert.equal(via.port, 5060);
  assert.match(via.params['branch'] ?? '', /^z9hG4bK[0-9a-f]{16}$/);
  assert.equal(via.params['rport'], null);
  assert.equal(tx.request.headers.get('Max-Forwards'), '70');
  const other = a.layer.sendRequest(newRequest('OPTIONS'));
  assert.notEqual(parseVia(other.request.headers.get('Via') ?? '').params['branch'], via.params['branch']);
  network.close();
  a.layer.close();
});

test('a retransmitted request is absorbed by its server transaction and reaches the TU once', () => {
  const { clock, network, a, b } = setup();
  network.drop((text) => text.startsWith('SIP/2.0 200'), 1);
  const tx = a.layer.sendRequest(newRequest('OPTIONS'));
  const finals: number[] = [];
  tx.on('final', (r) => finals.push(r.status));
  assert.equal(a.layer.pendingClientCount, 1);
  clock.advance(0);
  assert.equal(b.requests.length, 1);
  const [req, stx] = b.requests[0] ?? [];
  assert.ok(req !== undefined && stx !== undefined);
  stx.respond(makeResponse(req, 200, undefined, { toTag: 'b' }));
  clock.advance(0);
  assert.deepEqual(finals, [], 'the 200 was lost');
  clock.advance(500); // Timer E retransmits; the server transaction resends its 200
  assert.equal(b.requests.length, 1);
  assert.deepEqual(finals, [200]);
  assert.equal(network.sent(/^SIP\/2.0 200/).length, 2);
  assert.equal(a.layer.pendingClientCount, 0, 'answered: only Timer K keeps it');
  assert.equal(a.layer.clientCount, 1);
  network.close();
});

test('a CANCEL finds its INVITE server transaction by branch: 200 to the CANCEL, the TU is told and answers 487', () => {
  const { clock, network, a, b } = setup();
  const invite = newRequest('INVITE');
  const ict = a.layer.sendInvite(invite);
  const finals: number[] = [];
  ict.on('final', (r) => finals.push(r.status));
  clock.advance(0);
  const [req, stx] = b.requests[0] ?? [];
  assert.ok(req !== undefined && stx?.kind === 'invite-server');
  const ist: InviteServerTransaction = stx;
  ist.on('cancel', () => ist.respond(makeResponse(req, 487, undefined, { toTag: 'b1' })));
  ist.respond(makeResponse(req, 180, undefined, { toTag: 'b1' }));
  clock.advance(0);
  const cancelTx = a.layer.sendRequest(createCancel(ict.request));
  assert.equal(parseVia(cancelTx.request.headers.get('Via') ?? '').params['branch'], parseVia(ict.request.headers.get('Via') ?? '').params['branch']);
  const cancelFinal: number[] = [];
  cancelTx.on('final', (r) => cancelFinal.push(r.status));
  clock.advance(0);
  assert.deepEqual(cancelFinal, [200]);
  assert.deepEqual(finals, [487]);
  assert.equal(ict.state, 'completed');
  assert.equal(ist.state, 'confirmed', 'the ACK for the 487 reached the server transaction');
  assert.equal(b.strayAcks.length, 0);
  assert.equal(b.requests.length, 1, 'CANCEL never reaches the TU as a request');
  network.close();
});

test('a CANCEL without a listener gets the 487 from the layer, and one matching nothing gets 481', () => {
  const { clock, network, a } = setup();
  const ict = a.layer.sendInvite(newRequest('INVITE'));
  const finals: number[] = [];
  ict.on('final', (r) => finals.push(r.status));
  clock.advance(0);
  const cancel = a.layer.sendRequest(createCancel(ict.request));
  const codes: number[] = [];
  cancel.on('final', (r) => codes.push(r.status));
  const unknown = createCancel(newRequest('INVITE', 'other-call'));
  unknown.headers.append('Via', 'SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKnothing');
  const orphan = a.layer.sendRequest(unknown);
  orphan.on('final', (r) => codes.push(r.status));
  clock.advance(0);
  assert.deepEqual(codes.sort(), [200, 481]);
  assert.deepEqual(finals, [487]);
  network.close();
});

test('an ACK for a 2xx matches no transaction and goes to the TU as a stray ACK', () => {
  const { clock, network, a, b } = setup();
  const ict = a.layer.sendInvite(newRequest('INVITE'));
  let ok: SipResponse | undefined;
  ict.on('final', (r) => (ok = r));
  clock.advance(0);
  const [req, stx] = b.requests[0] ?? [];
  assert.ok(req !== undefined && stx !== undefined);
  stx.respond(makeResponse(req, 200, undefined, { toTag: 'b1', headers: [['Contact', '<sip:bob@10.0.0.2:5060>']] }));
  clock.advance(0);
  assert.ok(ok !== undefined);
  const ack = new SipRequest('ACK', 'sip:bob@10.0.0.2:5060', new Headers([
    ['From', '<sip:alice@10.0.0.1>;tag=fa'], ['To', ok.headers.get('To') ?? ''], ['Call-ID', 'call-tl'], ['CSeq', '1 ACK'],
  ]));
  void a.layer.sendAck(ack);
  clock.advance(0);
  assert.equal(b.strayAcks.length, 1);
  assert.equal(stx.state, 'accepted');
  network.close();
});

test('2xx retransmissions are absorbed by the client Accepted state, and after Timer M become stray 2xx', () => {
  const { clock, network, a, b } = setup();
  const ict = a.layer.sendInvite(newRequest('INVITE'));
  const finals: number[] = [];
  let additional = 0;
  ict.on('final', (r) => finals.push(r.status));
  ict.on('additional2xx', () => additional++);
  clock.advance(0);
  const [req, stx] = b.requests[0] ?? [];
  assert.ok(req !== undefined && stx !== undefined);
  const ok = makeResponse(req, 200, undefined, { toTag: 'b1' });
  stx.respond(ok);
  clock.advance(0);
  stx.respond(ok);
  clock.advance(0);
  assert.deepEqual(finals, [200]);
  assert.equal(additional, 1);
  assert.equal(a.stray2xx.length, 0);
  assert.equal(ict.state, 'accepted');
  clock.advance(32_000);
  assert.equal(ict.state, 'terminated');
  assert.equal(a.layer.clientCount, 0);
  void b.layer.sendResponse(ok, req.source);
  clock.advance(0);
  assert.equal(a.stray2xx.length, 1);
  network.close();
});

test('a request the TU throws on is answered 500, and closing the layer leaves no timer behind', () => {
  const { clock, network, a, b } = setup();
  b.layer.user = { onRequest: () => { throw new Error('boom'); } };
  const tx = a.layer.sendRequest(newRequest('OPTIONS'));
  const finals: number[] = [];
  tx.on('final', (r) => finals.push(r.status));
  clock.advance(0);
  assert.deepEqual(finals, [500]);
  a.layer.sendInvite(newRequest('INVITE', 'pending'));
  a.layer.sendRequest(newRequest('OPTIONS', 'pending2'));
  clock.advance(0);
  assert.ok(clock.pending > 0);
  a.layer.close();
  b.layer.close();
  network.close();
  a.transport.close();
  b.transport.close();
  assert.equal(clock.pending, 0);
  assert.equal(a.layer.clientCount + b.layer.serverCount, 0);
  assert.throws(() => a.layer.sendRequest(newRequest('OPTIONS')), { code: 'closed' });
});
