import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SystemClock } from '../lib/index.ts';
import { Headers, SipRequest } from './message/index.ts';
import type { SipResponse } from './message/index.ts';
import { SipStack, TcpTransport } from './index.ts';
import type { Dialog } from './index.ts';

function socketHandles(): string[] {
  return process.getActiveResourcesInfo().filter((r) => /UDP|TCP/i.test(r));
}

function until<T>(register: (done: (value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out')), 3000);
    register((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

function request(method: string, target: string, callId: string): SipRequest {
  return new SipRequest(method, target, new Headers([
    ['From', '<sip:alice@127.0.0.1>;tag=a'],
    ['To', '<sip:bob@127.0.0.1>'],
    ['Call-ID', callId],
    ['CSeq', `1 ${method}`],
    ['Contact', '<sip:alice@127.0.0.1>'],
  ]));
}

test('stacks on real loopback sockets exchange OPTIONS over UDP and a whole call over TCP, then leave no socket or timer', async () => {
  const before = socketHandles().length;
  const clock = new SystemClock();
  const spec = { address: '127.0.0.1', port: 0 };
  const alice = await SipStack.listen({ clock, udp: spec, tcp: spec });
  const bob = await SipStack.listen({ clock, udp: spec, tcp: spec });
  const bobUdp = bob.transport.transportFor('udp')?.local.port;
  const bobTcp = bob.transport.transportFor('tcp')?.local.port;
  assert.ok(bobUdp !== undefined && bobUdp > 0 && bobTcp !== undefined && bobTcp > 0);
  bob.user = {
    onRequest: (r, tx) => {
      bob.respond(tx, 200, undefined, r.method === 'INVITE' ? { localContact: `<sip:bob@127.0.0.1:${bobTcp};transport=tcp>` } : {});
    },
  };

  const options = alice.sendRequest(request('OPTIONS', `sip:bob@127.0.0.1:${bobUdp}`, 'sockets-1'));
  const optionsReply = await until<SipResponse>((done) => options.on('final', done));
  assert.equal(optionsReply.status, 200);

  const call = alice.invite(request('INVITE', `sip:bob@127.0.0.1:${bobTcp};transport=tcp`, 'sockets-2'));
  const dialog = await until<Dialog>((done) => call.on('accepted', (_r, d) => done(d)));
  const bye = alice.request(dialog, 'BYE');
  const byeReply = await until<SipResponse>((done) => bye.on('final', done));
  assert.equal(byeReply.status, 200);
  const aliceTcp = alice.transport.transportFor('tcp');
  assert.ok(aliceTcp instanceof TcpTransport);
  assert.equal(aliceTcp.connectionCount, 1, 'INVITE, ACK and BYE shared one connection');

  alice.close();
  bob.close();
  alice.close();
  assert.equal(clock.pending, 0);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(socketHandles().length, before, 'no UDP or TCP handle left');
});
