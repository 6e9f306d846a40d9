// Floods against the whole switch over real loopback sockets: REGISTER and OPTIONS bursts from one
// address, and a pile of TCP connections from one address. Each flooder uses its own loopback
// address (127.0.0.2...), so the SIPp phones on 127.0.0.1 show that other sources are still served.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, type Socket as TcpSocket } from 'node:net';
import { pglite } from '../support/backends.ts';
import { startHarness, type Harness } from '../support/api-harness.ts';
import { explainSipp, stopAllSipp } from '../support/sipp.ts';
import { sippSkip } from '../support/sipp-skip.ts';
import { call, phone, provision, register, type Phones } from '../support/switch-fixture.ts';
import { eventually } from '../support/wait.ts';
import { sipRequest, type BuiltRequest } from '../support/raw-sip.ts';
import { TcpTransport, parseMessage, type SipMessage } from '../../src/sip/index.ts';

const skip = sippSkip();

/** The switch's defaults: bursts of 100 REGISTERs or OPTIONS per source, refilled at 50/s. */
const CAPACITY = 100;
const RATE = 50;
const TCP_CAP = 100;

/** A UDP socket on a loopback address of its own, counting the answers per Call-ID. */
class Flooder {
  readonly answers = new Map<string, number[]>();
  lastAnswerAt = 0;
  readonly #socket: UdpSocket;
  readonly #target: number;

  private constructor(socket: UdpSocket, target: number) {
    this.#socket = socket;
    this.#target = target;
    socket.on('message', (data) => {
      let m: SipMessage;
      try {
        m = parseMessage(data);
      } catch {
        return;
      }
      if (m.kind !== 'response') return;
      this.lastAnswerAt = Date.now();
      this.answers.set(m.callId, [...(this.answers.get(m.callId) ?? []), m.status]);
    });
    socket.on('error', () => {});
  }

  static open(address: string, target: number): Promise<Flooder> {
    const socket = createSocket('udp4');
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, address, () => {
        socket.off('error', reject);
        resolve(new Flooder(socket, target));
      });
    });
  }

  get port(): number {
    return this.#socket.address().port;
  }

  send(text: string): Promise<void> {
    return new Promise((resolve, reject) => this.#socket.send(Buffer.from(text), this.#target, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
  }

  /**
   * Sends `count` requests in a burst (yielding to the event loop every 10, or the switch, which
   * shares it, cannot read and the kernel drops the rest), then waits until no answer is new for 1 s.
   * Returns when the burst started.
   */
  async flood(count: number, make: () => BuiltRequest): Promise<number> {
    const startedAt = Date.now();
    for (let i = 0; i < count; i++) {
      await this.send(make().text);
      if (i % 10 === 9) await new Promise((r) => setImmediate(r));
    }
    const deadline = Date.now() + 20_000;
    let seen = -1;
    while (Date.now() < deadline && seen !== this.answers.size) {
      seen = this.answers.size;
      await new Promise((r) => setTimeout(r, 1000));
    }
    return startedAt;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#socket.close(() => resolve()));
  }
}

/** A raw TCP connection from `localAddress`; `closed` turns true when either side closes it. */
function tcpClient(port: number, localAddress: string): Promise<{ socket: TcpSocket; closed: () => boolean; received: () => string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress });
    let closed = false;
    let received = '';
    socket.on('close', () => (closed = true));
    socket.on('data', (d) => (received += d.toString('latin1')));
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.on('error', () => {});
      resolve({ socket, closed: () => closed, received: () => received });
    });
  });
}

describe('SIP floods against the switch (raw sockets, SIPp phones)', { skip, timeout: 240_000 }, () => {
  let h: Harness;
  let p: Phones;
  const flooders: Flooder[] = [];
  const sockets: TcpSocket[] = [];

  before(async () => {
    h = await startHarness(pglite(), { env: { SWITCHBOARD_LOG_LEVEL: 'silent' } });
    p = await provision(h, 'Floods', {
      devices: [{ username: 'alice' }, { username: 'bob' }],
      callflows: [{ number: '2001', device: 'bob' }],
    });
  });

  after(async () => {
    for (const s of sockets) s.destroy();
    await Promise.all(flooders.map((f) => f.close()));
    await stopAllSipp();
    await h?.close();
  });

  /** SIPp phones on 127.0.0.1 register, and alice calls bob, RTP both ways. */
  async function phonesStillWork(): Promise<void> {
    const reg = await register(p, 'alice');
    assert.equal(reg.exitCode, 0, explainSipp(reg));
    const bob = await phone(p, 'bob', 'uas-answer.xml');
    const alice = await call(p, 'alice', '2001', 'uac-call.xml', { vars: { hold_ms: 1000 } });
    const bobResult = await bob.done;
    assert.equal(alice.exitCode, 0, explainSipp(alice));
    assert.equal(bobResult.exitCode, 0, explainSipp(bobResult));
    assert.ok((alice.rtp?.received ?? 0) > 10, `alice heard ${alice.rtp?.received} packets`);
    await eventually(() => h.app.switch.channels.size === 0, 5000);
  }

  /** Answers allowed by a bucket of CAPACITY refilled at RATE/s between `startedAt` and the last answer. */
  function budget(f: Flooder, startedAt: number): number {
    return CAPACITY + Math.ceil((RATE * Math.max(0, f.lastAnswerAt - startedAt)) / 1000);
  }

  test('a burst of 1,000 REGISTERs from one address is answered at most a bucket (plus refill), the rest dropped unanswered; phones still register and call', async () => {
    const f = await Flooder.open('127.0.0.2', h.app.sipPort);
    flooders.push(f);
    const guard = h.app.switch.b2bua.floodGuard;
    const refusedBefore = guard.refused.register;
    const startedAt = await f.flood(1000, () =>
      sipRequest({ method: 'REGISTER', uri: `sip:${p.realm}`, user: 'alice', toUser: 'alice', domain: p.realm, headers: [['Expires', '300']] }, { transport: 'udp', port: f.port }),
    );
    const answered = f.answers.size;
    const statuses = new Set([...f.answers.values()].flat());
    assert.deepEqual([...statuses], [401], 'every admitted REGISTER is challenged, nothing else is sent');
    assert.ok(answered >= CAPACITY / 2, `only ${answered} REGISTERs answered: the guard or the kernel dropped the bucket too`);
    assert.ok(answered <= budget(f, startedAt), `${answered} REGISTERs answered, more than the bucket allows (${budget(f, startedAt)})`);
    const refused = guard.refused.register - refusedBefore;
    assert.ok(refused >= 1000 - answered - 50, `the guard dropped ${refused} of ${1000 - answered} unanswered REGISTERs`);
    assert.equal(guard.refused.invite, 0, 'other classes untouched');
    await phonesStillWork();
  });

  test('a burst of 1,000 OPTIONS from one address is answered at most a bucket (plus refill); phones still register and call', async () => {
    const f = await Flooder.open('127.0.0.3', h.app.sipPort);
    flooders.push(f);
    const guard = h.app.switch.b2bua.floodGuard;
    const refusedBefore = guard.refused.options;
    const startedAt = await f.flood(1000, () => sipRequest({ method: 'OPTIONS' }, { transport: 'udp', port: f.port }));
    const answered = f.answers.size;
    assert.deepEqual([...new Set([...f.answers.values()].flat())], [200]);
    assert.ok(answered >= CAPACITY / 2, `only ${answered} OPTIONS answered`);
    assert.ok(answered <= budget(f, startedAt), `${answered} OPTIONS answered, more than the bucket allows (${budget(f, startedAt)})`);
    assert.ok(guard.refused.options - refusedBefore >= 1000 - answered - 50);
    // Unknown methods share the "other" bucket, not the OPTIONS one.
    const other = await f.flood(300, () => sipRequest({ method: 'FOO' }, { transport: 'udp', port: f.port }));
    const fooAnswers = [...f.answers.values()].filter((s) => s.includes(405)).length;
    assert.ok(fooAnswers >= CAPACITY / 2 && fooAnswers <= budget(f, other), `${fooAnswers} FOO requests answered`);
    await phonesStillWork();
  });

  test('200 TCP connections from one address: the first 100 stay open, the rest are closed at once; other addresses still connect', async () => {
    const tcp = h.app.switch.stack.transport.transportFor('tcp');
    assert.ok(tcp instanceof TcpTransport);
    const refusedBefore = tcp.stats.refusedConnections;
    const clients: Awaited<ReturnType<typeof tcpClient>>[] = [];
    for (let i = 0; i < 200; i++) {
      const c = await tcpClient(h.app.sipPort, '127.0.0.4');
      clients.push(c);
      sockets.push(c.socket);
    }
    await eventually(() => clients.filter((c) => c.closed()).length >= 200 - TCP_CAP, 5000);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(clients.filter((c) => c.closed()).length, 200 - TCP_CAP, 'closed by the switch');
    assert.equal(tcp.connectionsFrom('127.0.0.4'), TCP_CAP);
    assert.equal(tcp.stats.refusedConnections - refusedBefore, 200 - TCP_CAP);
    assert.deepEqual(clients.slice(0, TCP_CAP).map((c) => c.closed()), new Array<boolean>(TCP_CAP).fill(false), 'the first ones stay');

    // An accepted connection is served; another address is not capped by this one.
    const first = clients[0];
    assert.ok(first !== undefined);
    first.socket.write(sipRequest({ method: 'OPTIONS' }, { transport: 'tcp', port: first.socket.localPort ?? 0 }).text);
    await eventually(() => first.received().startsWith('SIP/2.0 200'), 3000);
    const other = await tcpClient(h.app.sipPort, '127.0.0.1');
    sockets.push(other.socket);
    other.socket.write(sipRequest({ method: 'OPTIONS' }, { transport: 'tcp', port: other.socket.localPort ?? 0 }).text);
    await eventually(() => other.received().startsWith('SIP/2.0 200'), 3000);

    // A connection that ends frees its place for the next one from that address.
    clients[1]?.socket.destroy();
    await eventually(() => tcp.connectionsFrom('127.0.0.4') === TCP_CAP - 1, 3000);
    const next = await tcpClient(h.app.sipPort, '127.0.0.4');
    sockets.push(next.socket);
    await eventually(() => tcp.connectionsFrom('127.0.0.4') === TCP_CAP, 3000);
    assert.equal(next.closed(), false);
    for (const c of clients) c.socket.destroy();
    next.socket.destroy();
    await eventually(() => tcp.connectionsFrom('127.0.0.4') === 0, 3000);
  });
});
