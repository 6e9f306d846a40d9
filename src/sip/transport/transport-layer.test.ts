import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { FakeClock } from '../../lib/index.ts';
import { Headers, makeResponse, parseMessage, parseVia } from '../message/index.ts';
import type { SipRequest, SipResponse } from '../message/index.ts';
import { TransactionLayer } from '../transaction/index.ts';
import { MemoryNetwork, TcpTransport, TransportLayer, UdpTransport, stampVia } from './index.ts';

const LOOPBACK = '127.0.0.1';

function requestText(via: string, method = 'OPTIONS', extra = ''): string {
  return (
    `${method} sip:bob@127.0.0.1 SIP/2.0\r\n` +
    `Via: ${via}\r\n` +
    'Max-Forwards: 70\r\n' +
    'From: <sip:alice@127.0.0.1>;tag=a1\r\n' +
    'To: <sip:bob@127.0.0.1>\r\n' +
    'Call-ID: transport-test\r\n' +
    `CSeq: 1 ${method}\r\n` +
    extra +
    'Content-Length: 0\r\n\r\n'
  );
}

function request(text: string): SipRequest {
  const m = parseMessage(Buffer.from(text));
  assert.equal(m.kind, 'request');
  return m;
}

/** Resolves once `check` passes, polling the event loop (real sockets). */
async function until(check: () => boolean, what = 'condition'): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function udpLayer(): Promise<{ layer: TransportLayer; udp: UdpTransport }> {
  const layer = new TransportLayer();
  const udp = await UdpTransport.listen({ address: LOOPBACK, port: 0 });
  layer.add(udp);
  return { layer, udp };
}

async function tcpLayer(clock?: FakeClock, extra: { idleTimeoutMs?: number; maxMessageSize?: number } = {}): Promise<{ layer: TransportLayer; tcp: TcpTransport }> {
  const layer = new TransportLayer();
  const tcp = await TcpTransport.listen({ address: LOOPBACK, port: 0, ...(clock === undefined ? {} : { clock }), ...extra });
  layer.add(tcp);
  return { layer, tcp };
}

test('binding UDP to port 0 yields a real port, and a request and its response cross loopback', async () => {
  const a = await udpLayer();
  const b = await udpLayer();
  try {
    assert.ok(a.udp.local.port > 0);
    const got: SipRequest[] = [];
    const responses: SipResponse[] = [];
    b.layer.on('request', (r) => got.push(r));
    a.layer.on('response', (r) => responses.push(r));
    const sentBy = a.layer.sentBy('udp');
    const req = request(requestText(`SIP/2.0/UDP ${sentBy.host}:${sentBy.port};branch=z9hG4bKudp1;rport`));
    await a.layer.send(req, { transport: 'udp', address: LOOPBACK, port: b.udp.local.port });
    await until(() => got.length === 1, 'request');
    const received = got[0];
    assert.ok(received !== undefined);
    assert.deepEqual(received.source, { transport: 'udp', address: LOOPBACK, port: a.udp.local.port });
    const via = parseVia(received.headers.get('Via') ?? '');
    assert.equal(via.params['rport'], String(a.udp.local.port));
    assert.equal(via.params['received'], LOOPBACK);
    await b.layer.sendResponse(makeResponse(received, 200, undefined, { toTag: 'b1' }), received.source);
    await until(() => responses.length === 1, 'response');
    assert.equal(responses[0]?.status, 200);
  } finally {
    a.layer.close();
    b.layer.close();
  }
  assert.equal(a.udp.closed && b.udp.closed, true);
});

test('received is added when sent-by is a name or another address, and rport is filled only when asked (RFC 3581)', () => {
  const source = { transport: 'udp' as const, address: '192.0.2.9', port: 40000 };
  const cases: [string, string | undefined, string | null | undefined][] = [
    ['SIP/2.0/UDP pc.example.com:5060;branch=z9hG4bK1', '192.0.2.9', undefined],
    ['SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1', '192.0.2.9', undefined],
    ['SIP/2.0/UDP 192.0.2.9:5060;branch=z9hG4bK1', undefined, undefined],
    ['SIP/2.0/UDP 192.0.2.9:5060;branch=z9hG4bK1;rport', '192.0.2.9', '40000'],
    ['SIP/2.0/UDP 192.0.2.9:5060;rport=1234;branch=z9hG4bK1', undefined, '1234'],
    ['SIP/2.0/UDP 192.0.2.9:5060;branch=z9hG4bK1;received=203.0.113.1', '192.0.2.9', undefined],
  ];
  for (const [value, received, rport] of cases) {
    const h = new Headers([['Via', value], ['Via', 'SIP/2.0/UDP proxy.example;branch=z9hG4bK0']]);
    assert.equal(stampVia(h, source), true);
    const via = parseVia(h.get('Via') ?? '');
    assert.equal(via.params['received'], received, value);
    assert.equal(via.params['rport'], rport, value);
    assert.equal(h.getAll('Via')[1], 'SIP/2.0/UDP proxy.example;branch=z9hG4bK0');
  }
});

test('responses go to received and rport, else received and the sent-by port, else sent-by (§18.2.2)', async () => {
  const { layer } = await udpLayer();
  try {
    const dest = (via: string): unknown => layer.responseDestination(makeResponse(request(requestText(via)), 200));
    assert.deepEqual(dest('SIP/2.0/UDP 10.0.0.1:5062;branch=z9hG4bK1;received=192.0.2.7;rport=4000'), { transport: 'udp', address: '192.0.2.7', port: 4000 });
    assert.deepEqual(dest('SIP/2.0/UDP 10.0.0.1:5062;branch=z9hG4bK1;received=192.0.2.7'), { transport: 'udp', address: '192.0.2.7', port: 5062 });
    assert.deepEqual(dest('SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1'), { transport: 'udp', address: '10.0.0.1', port: 5060 });
  } finally {
    layer.close();
  }
});

test('a request that parses only partly is answered with 400 built from what was read', async () => {
  const { layer, udp } = await udpLayer();
  const peer = createSocket('udp4');
  try {
    await new Promise<void>((r) => peer.bind(0, LOOPBACK, r));
    const replies: Buffer[] = [];
    peer.on('message', (m) => replies.push(m));
    const port = peer.address().port;
    const bad = requestText(`SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bKbad;rport`, 'INVITE').replace('CSeq: 1 INVITE', 'CSeq: x INVITE');
    peer.send(Buffer.from(bad), udp.local.port, LOOPBACK);
    await until(() => replies.length === 1, '400 reply');
    const reply = replies[0]?.toString('latin1') ?? '';
    assert.match(reply, /^SIP\/2\.0 400 /);
    assert.match(reply, /\r\nCall-ID: transport-test\r\n/);
    assert.match(reply, /\r\nVia: SIP\/2\.0\/UDP 127\.0\.0\.1:\d+;branch=z9hG4bKbad;rport=\d+;received=127\.0\.0\.1\r\n/);
    assert.equal(layer.stats.answered, 1);
  } finally {
    peer.close();
    layer.close();
  }
});

test('garbage datagrams are counted and dropped without a reply or a crash', async () => {
  const { layer, udp } = await udpLayer();
  const peer = createSocket('udp4');
  try {
    await new Promise<void>((r) => peer.bind(0, LOOPBACK, r));
    const replies: Buffer[] = [];
    peer.on('message', (m) => replies.push(m));
    const requests: SipRequest[] = [];
    layer.on('request', (r) => requests.push(r));
    const junk = [
      Buffer.from('hello world'),
      Buffer.from([0, 1, 2, 3, 255, 254, 13, 10, 13, 10]),
      Buffer.from('SIP/2.0 200 OK\r\nVia: nonsense\r\n\r\n'),
      Buffer.from('ACK sip:x SIP/2.0\r\nCSeq: nope\r\n\r\n'),
      Buffer.from('INVITE sip:x SIP/2.0\r\nContent-Length: 99999\r\n\r\n'),
      Buffer.from('\r\n\r\n'),
    ];
    for (const j of junk) peer.send(j, udp.local.port, LOOPBACK);
    await until(() => layer.stats.received === junk.length, 'junk received');
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(requests.length, 0);
    assert.equal(replies.length, 0);
    assert.equal(layer.stats.dropped, 5);
  } finally {
    peer.close();
    layer.close();
  }
});

test('responses whose top Via sent-by is not ours are discarded (§18.1.2)', async () => {
  const a = await udpLayer();
  const b = await udpLayer();
  try {
    const responses: SipResponse[] = [];
    a.layer.on('response', (r) => responses.push(r));
    const foreign = makeResponse(request(requestText('SIP/2.0/UDP 198.51.100.1:5060;branch=z9hG4bKx')), 200);
    await b.layer.send(foreign, { transport: 'udp', address: LOOPBACK, port: a.udp.local.port });
    await until(() => a.layer.stats.dropped === 1, 'drop');
    assert.equal(responses.length, 0);
  } finally {
    a.layer.close();
    b.layer.close();
  }
});

/** A raw TCP client that collects what it receives. */
async function rawTcp(port: number): Promise<{ socket: Socket; received: () => string }> {
  const socket = connect({ host: LOOPBACK, port });
  await new Promise<void>((r) => socket.once('connect', () => r()));
  const chunks: Buffer[] = [];
  socket.on('data', (c) => chunks.push(c));
  socket.on('error', () => {});
  return { socket, received: () => Buffer.concat(chunks).toString('latin1') };
}

test('TCP frames messages split across chunks and merged in one chunk, and answers a CRLFCRLF ping with CRLF', async () => {
  const { layer, tcp } = await tcpLayer();
  const client = await rawTcp(tcp.local.port);
  try {
    const got: SipRequest[] = [];
    layer.on('request', (r) => got.push(r));
    const via = (n: number): string => `SIP/2.0/TCP 127.0.0.1:5099;branch=z9hG4bKtcp${n}`;
    const one = requestText(via(1), 'MESSAGE', 'Content-Type: text/plain\r\n').replace('Content-Length: 0\r\n\r\n', 'Content-Length: 5\r\n\r\nhello');
    client.socket.write(one.slice(0, 20));
    await new Promise((r) => setTimeout(r, 10));
    client.socket.write(one.slice(20, one.length - 2));
    await new Promise((r) => setTimeout(r, 10));
    client.socket.write(one.slice(one.length - 2) + requestText(via(2)) + requestText(via(3)));
    await until(() => got.length === 3, 'three framed requests');
    assert.equal(got[0]?.body.toString(), 'hello');
    assert.equal(got[2]?.headers.get('Via')?.includes('z9hG4bKtcp3'), true);
    assert.equal(got[0]?.source?.connectionId, got[2]?.source?.connectionId);
    client.socket.write('\r\n\r\n');
    await until(() => client.received() === '\r\n', 'pong');
  } finally {
    client.socket.destroy();
    layer.close();
  }
});

test('TCP reuses one connection both ways and answers over the connection the request came on', async () => {
  const a = await tcpLayer();
  const b = await tcpLayer();
  try {
    const atB: SipRequest[] = [];
    const atA: SipResponse[] = [];
    const requestsAtA: SipRequest[] = [];
    b.layer.on('request', (r) => atB.push(r));
    a.layer.on('response', (r) => atA.push(r));
    a.layer.on('request', (r) => requestsAtA.push(r));
    const sentBy = a.layer.sentBy('tcp');
    const dest = { transport: 'tcp' as const, address: LOOPBACK, port: b.tcp.local.port };
    await a.layer.send(request(requestText(`SIP/2.0/TCP ${sentBy.host}:${sentBy.port};branch=z9hG4bKr1`)), dest);
    await a.layer.send(request(requestText(`SIP/2.0/TCP ${sentBy.host}:${sentBy.port};branch=z9hG4bKr2`)), dest);
    await until(() => atB.length === 2, 'two requests');
    assert.equal(a.tcp.connectionCount, 1);
    assert.equal(b.tcp.connectionCount, 1);
    const first = atB[0];
    assert.ok(first?.source !== undefined);
    await b.layer.sendResponse(makeResponse(first, 200, undefined, { toTag: 't' }), first.source);
    await until(() => atA.length === 1, 'response over the same connection');
    // B sends a request back to A's address as seen on the connection: the connection is reused.
    const bSentBy = b.layer.sentBy('tcp');
    await b.layer.send(request(requestText(`SIP/2.0/TCP ${bSentBy.host}:${bSentBy.port};branch=z9hG4bKback`)), first.source);
    await until(() => requestsAtA.length === 1, 'request back');
    assert.equal(a.tcp.connectionCount, 1);
    assert.equal(b.tcp.connectionCount, 1);
  } finally {
    a.layer.close();
    b.layer.close();
  }
  assert.equal(a.tcp.connectionCount + b.tcp.connectionCount, 0);
});

test('idle TCP connections are closed by the idle timer of the injected clock', async () => {
  const clock = new FakeClock();
  const { layer, tcp } = await tcpLayer(clock, { idleTimeoutMs: 1000 });
  const client = await rawTcp(tcp.local.port);
  try {
    await until(() => tcp.connectionCount === 1, 'accepted');
    clock.advance(600);
    client.socket.write('\r\n\r\n');
    await until(() => client.received() === '\r\n', 'pong');
    clock.advance(600);
    assert.equal(tcp.connectionCount, 1, 'traffic kept it alive');
    clock.advance(1000);
    assert.equal(tcp.connectionCount, 0);
    assert.equal(clock.pending, 0);
  } finally {
    client.socket.destroy();
    layer.close();
  }
});

test('a TCP message over the size limit or without Content-Length closes the connection', async () => {
  const { layer, tcp } = await tcpLayer(undefined, { maxMessageSize: 2000 });
  try {
    const big = await rawTcp(tcp.local.port);
    big.socket.write(requestText('SIP/2.0/TCP 127.0.0.1:5099;branch=z9hG4bKbig', 'OPTIONS', `X-Pad: ${'x'.repeat(3000)}\r\n`));
    const missing = await rawTcp(tcp.local.port);
    missing.socket.write(requestText('SIP/2.0/TCP 127.0.0.1:5099;branch=z9hG4bKnolen').replace('Content-Length: 0\r\n', ''));
    await until(() => big.socket.destroyed || big.socket.readableEnded, 'oversized connection closed');
    await until(() => missing.socket.destroyed || missing.socket.readableEnded, 'unframed connection closed');
    assert.equal(layer.stats.malformed, 2);
    big.socket.destroy();
    missing.socket.destroy();
  } finally {
    layer.close();
  }
  assert.equal(tcp.connectionCount, 0);
});

test('a malformed request framed on TCP is answered with 400 over the same connection', async () => {
  const { layer, tcp } = await tcpLayer();
  const client = await rawTcp(tcp.local.port);
  try {
    const bad = requestText('SIP/2.0/TCP 127.0.0.1:5099;branch=z9hG4bKbadtcp').replace('CSeq: 1 OPTIONS', 'CSeq: one OPTIONS');
    client.socket.write(bad);
    await until(() => client.received().startsWith('SIP/2.0 400'), '400 over TCP');
    assert.equal(tcp.connectionCount, 1, 'the stream stays in sync, so the connection stays open');
  } finally {
    client.socket.destroy();
    layer.close();
  }
});

test('thousands of mutated messages never throw out of the transport layer', async () => {
  const clock = new FakeClock(0);
  const network = new MemoryNetwork({ clock });
  const layer = new TransportLayer({ resolve: () => Promise.reject(new Error('no DNS in tests')) });
  layer.add(network.createTransport({ address: '10.0.0.2', port: 5060 }));
  const transactions = new TransactionLayer({
    transport: layer,
    clock,
    user: { onRequest: (r, tx) => { tx.respond(makeResponse(r, 200, undefined, { toTag: 'z' })); } },
  });
  const peer = network.createTransport({ address: '10.0.0.1', port: 5060 });
  const base = Buffer.from(requestText('SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKfuzz;rport', 'INVITE', 'Contact: <sip:a@10.0.0.1>\r\n'));
  let seed = 42;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const total = 3000;
  for (let i = 0; i < total; i++) {
    const copy = Buffer.from(base);
    for (let k = 0, edits = 1 + rand(6); k < edits; k++) copy[rand(copy.length)] = rand(256);
    const cut = rand(4) === 0 ? copy.subarray(0, rand(copy.length)) : copy;
    await peer.send(cut, { transport: 'udp', address: '10.0.0.2', port: 5060 });
    clock.advance(0);
  }
  clock.advance(64_000);
  assert.equal(layer.stats.received, total);
  assert.ok(layer.stats.malformed > 0);
  transactions.close();
  layer.close();
  network.close();
  assert.equal(clock.pending, 0);
});
