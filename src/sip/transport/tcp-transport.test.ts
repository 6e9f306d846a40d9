import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { FakeClock } from '../../lib/index.ts';
import { TcpTransport } from './index.ts';

const LOOPBACK = '127.0.0.1';

const OPTIONS =
  'OPTIONS sip:switch@127.0.0.1 SIP/2.0\r\n' +
  'Via: SIP/2.0/TCP 127.0.0.1:5099;branch=z9hG4bKcap\r\n' +
  'Max-Forwards: 70\r\n' +
  'From: <sip:a@127.0.0.1>;tag=a\r\n' +
  'To: <sip:switch@127.0.0.1>\r\n' +
  'Call-ID: tcp-cap\r\n' +
  'CSeq: 1 OPTIONS\r\n' +
  'Content-Length: 0\r\n\r\n';

interface Client {
  readonly socket: Socket;
  readonly closed: () => boolean;
  received: string;
}

function client(port: number): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: LOOPBACK, port });
    let ended = false;
    socket.on('close', () => (ended = true));
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.on('error', () => {});
      const c: Client = { socket, closed: () => ended, received: '' };
      socket.on('data', (d) => (c.received += d.toString('latin1')));
      resolve(c);
    });
  });
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('one IP address holds at most maxConnectionsPerIp inbound connections; one more is closed at once and counted', async () => {
  const tcp = await TcpTransport.listen({ address: LOOPBACK, port: 0, maxConnectionsPerIp: 5 });
  const clients: Client[] = [];
  try {
    for (let i = 0; i < 12; i++) clients.push(await client(tcp.local.port));
    await until(() => tcp.connectionCount + tcp.stats.refusedConnections === 12, 'every connection handled');
    assert.equal(tcp.connectionCount, 5);
    assert.equal(tcp.connectionsFrom(LOOPBACK), 5);
    assert.equal(tcp.stats.refusedConnections, 7);
    await until(() => clients.filter((c) => c.closed()).length === 7, 'the refused clients see their connection closed');
    assert.deepEqual(clients.map((c) => c.closed()), [false, false, false, false, false, true, true, true, true, true, true, true]);

    // A connection that ends frees its place.
    clients[0]?.socket.destroy();
    await until(() => tcp.connectionsFrom(LOOPBACK) === 4, 'the count went down');
    const again = await client(tcp.local.port);
    clients.push(again);
    await until(() => tcp.connectionsFrom(LOOPBACK) === 5, 'a new connection fits again');
    assert.equal(again.closed(), false);
    assert.equal(tcp.stats.refusedConnections, 7);
  } finally {
    for (const c of clients) c.socket.destroy();
    tcp.close();
  }
  assert.equal(tcp.connectionCount, 0);
  assert.equal(tcp.connectionsFrom(LOOPBACK), 0);
});

test('an inbound connection that sends no complete SIP message within 32 s is closed; one that did stays open', async () => {
  const clock = new FakeClock();
  const tcp = await TcpTransport.listen({ address: LOOPBACK, port: 0, clock });
  const messages: string[] = [];
  tcp.on('message', (p) => messages.push(p.message?.kind ?? 'unparsed'));
  const speaker = await client(tcp.local.port);
  const pinger = await client(tcp.local.port);
  const partial = await client(tcp.local.port);
  const mute = await client(tcp.local.port);
  try {
    await until(() => tcp.connectionCount === 4, 'accepted');
    speaker.socket.write(OPTIONS);
    pinger.socket.write('\r\n\r\n');
    partial.socket.write(OPTIONS.slice(0, 60));
    await until(() => messages.length === 1 && pinger.received === '\r\n', 'the message and the pong');
    clock.advance(31_999);
    assert.equal(tcp.connectionCount, 4);
    clock.advance(1);
    assert.equal(tcp.connectionCount, 1, 'pings, half a message and silence do not count');
    assert.equal(tcp.stats.silentConnections, 3);
    await until(() => pinger.closed() && partial.closed() && mute.closed(), 'the silent clients see the close');
    assert.equal(speaker.closed(), false);
    // From then on only the idle timeout (5 minutes without traffic) applies.
    clock.advance(260_000);
    assert.equal(tcp.connectionCount, 1);
    clock.advance(8_000);
    assert.equal(tcp.connectionCount, 0, 'closed 5 minutes after its last traffic');
  } finally {
    for (const c of [speaker, pinger, partial, mute]) c.socket.destroy();
    tcp.close();
  }
  assert.equal(clock.pending, 0, 'no timer left behind');
});

test('connections we open are neither capped nor held to the first-message timeout', async () => {
  const clock = new FakeClock();
  const server = await TcpTransport.listen({ address: LOOPBACK, port: 0, clock, maxConnectionsPerIp: 1 });
  const us = await TcpTransport.listen({ address: LOOPBACK, port: 0, clock, maxConnectionsPerIp: 1 });
  let received = 0;
  server.on('message', () => received++);
  try {
    await us.send(Buffer.from(OPTIONS), { transport: 'tcp', address: LOOPBACK, port: server.local.port });
    await until(() => received === 1, 'the far end got the message');
    assert.equal(us.connectionsFrom(LOOPBACK), 0, 'an outbound connection is not counted');
    clock.advance(40_000);
    assert.equal(us.connectionCount, 1, 'our own connection is not closed for silence of the far end');
    assert.equal(server.connectionCount, 1, 'the far end got a message');
  } finally {
    us.close();
    server.close();
  }
  assert.equal(clock.pending, 0);
});

test('bad cap settings are refused when listening', async () => {
  await assert.rejects(TcpTransport.listen({ address: LOOPBACK, port: 0, maxConnectionsPerIp: 0 }), { code: 'invalid_option' });
  await assert.rejects(TcpTransport.listen({ address: LOOPBACK, port: 0, firstMessageTimeoutMs: 0 }), { code: 'invalid_option' });
});
