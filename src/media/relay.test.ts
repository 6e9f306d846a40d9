import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { setTimeout as sleep } from 'node:timers/promises';
import { MediaEngine, TONES, parseRtp, serializeRtp } from './index.ts';
import type { MediaEndpoint, RelayDirection } from './index.ts';

/** A test "phone": a UDP socket on 127.0.0.1 that records what it receives. */
class Phone {
  readonly received: Buffer[] = [];
  #waiters: Array<() => void> = [];
  private constructor(readonly socket: Socket) {
    socket.on('message', (msg) => {
      this.received.push(msg);
      for (const w of this.#waiters.splice(0)) w();
    });
  }
  static async open(): Promise<Phone> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return new Phone(socket);
  }
  get port(): number {
    return this.socket.address().port;
  }
  send(packet: Buffer, to: MediaEndpoint, rtcp = false): void {
    this.socket.send(packet, rtcp ? to.rtcpPort : to.port, '127.0.0.1');
  }
  /** Resolves once `count` packets in all have arrived; rejects after `ms`. */
  async waitFor(count: number, ms = 2000): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.received.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`expected ${count} packets, got ${this.received.length}`);
      await Promise.race([new Promise<void>((r) => this.#waiters.push(r)), sleep(left)]);
    }
  }
  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(resolve));
  }
}

const rtp = (seq: number, pt = 0, ssrc = 0x1111): Buffer =>
  serializeRtp({ marker: false, payloadType: pt, sequenceNumber: seq, timestamp: seq * 160, ssrc, payload: Buffer.alloc(160, 0xff) });

async function setup(): Promise<{ engine: MediaEngine; a: MediaEndpoint; b: MediaEndpoint; phoneA: Phone; phoneB: Phone }> {
  const engine = new MediaEngine({ address: '127.0.0.1', portRange: { min: 0, max: 0 } });
  const [a, b, phoneA, phoneB] = await Promise.all([engine.createEndpoint(), engine.createEndpoint(), Phone.open(), Phone.open()]);
  return { engine, a, b, phoneA, phoneB };
}

async function teardown(engine: MediaEngine, ...phones: Phone[]): Promise<void> {
  await engine.close();
  await Promise.all(phones.map((p) => p.close()));
  await sleep(5);
  assert.deepEqual(process.getActiveResourcesInfo().filter((r) => r === 'UDPWrap'), [], 'no socket left open');
}

test('two phones hear each other through the relay, RTCP included', async () => {
  const { engine, a, b, phoneA, phoneB } = await setup();
  a.setRemote({ address: '127.0.0.1', port: phoneA.port, rtcpPort: phoneA.port });
  b.setRemote({ address: '127.0.0.1', port: phoneB.port, rtcpPort: phoneB.port });
  const relay = engine.createRelay(a, b);
  const tapped: RelayDirection[] = [];
  relay.addTap((direction) => tapped.push(direction));
  phoneA.send(rtp(1), a);
  await phoneB.waitFor(1);
  phoneB.send(rtp(2, 0, 0x2222), b);
  await phoneA.waitFor(1);
  assert.equal(parseRtp(phoneB.received[0] ?? Buffer.alloc(0)).sequenceNumber, 1);
  assert.equal(parseRtp(phoneA.received[0] ?? Buffer.alloc(0)).ssrc, 0x2222);
  const sr = Buffer.from('80c8000600001111' + '00'.repeat(20), 'hex');
  phoneA.send(sr, a, true);
  await phoneB.waitFor(2);
  assert.deepEqual(phoneB.received[1], sr);
  assert.deepEqual(tapped, ['aToB', 'bToA']);
  assert.equal(relay.counters('aToB').packets, 1);
  assert.equal(relay.counters('aToB').rtcpPackets, 1);
  assert.equal(a.counters.packetsIn, 1);
  assert.equal(b.counters.packetsOut, 1);
  assert.equal(engine.stats().relays, 1);
  assert.equal(engine.stats().endpoints, 2);
  await teardown(engine, phoneA, phoneB);
  assert.equal(relay.closed, true);
  assert.equal(engine.stats().endpoints, 0);
});

test('an endpoint latches to the real source port when the SDP said otherwise', async () => {
  const { engine, a, b, phoneA, phoneB } = await setup();
  a.setRemote({ address: '127.0.0.1', port: phoneA.port });
  b.setRemote({ address: '127.0.0.1', port: 9 }); // what B's SDP claimed: wrong
  engine.createRelay(a, b);
  const latched: number[] = [];
  b.on('latched', (r) => latched.push(r.port));
  phoneB.send(rtp(1), b);
  await phoneA.waitFor(1);
  assert.deepEqual(latched, [phoneB.port]);
  assert.equal(b.remote?.port, phoneB.port);
  assert.equal(b.remote?.rtcpPort, phoneB.port + 1);
  phoneA.send(rtp(2), a);
  await phoneB.waitFor(1);
  // latching is once per SDP: a packet from elsewhere is relayed but does not move the target
  const intruder = await Phone.open();
  intruder.send(rtp(3), b);
  await phoneA.waitFor(2);
  assert.equal(b.remote?.port, phoneB.port);
  assert.equal(b.counters.latches, 1);
  // a re-INVITE with the same SDP keeps the latched target and re-arms latching
  b.setRemote({ address: '127.0.0.1', port: 9 });
  assert.equal(b.remote?.port, phoneB.port);
  await teardown(engine, phoneA, phoneB, intruder);
});

test('the private latching policy trusts a non-private SDP address and latches a private one', async () => {
  const engine = new MediaEngine({ address: '127.0.0.1', portRange: { min: 0, max: 0 }, latching: 'private' });
  const ep = await engine.createEndpoint();
  const phone = await Phone.open();
  ep.setRemote({ address: '127.0.0.1', port: 9 });
  phone.send(rtp(1), ep);
  await sleep(50);
  assert.equal(ep.counters.packetsIn, 1);
  assert.equal(ep.remote?.port, 9);
  ep.setRemote({ address: '192.168.1.20', port: 4000 });
  phone.send(rtp(2), ep);
  await sleep(50);
  assert.equal(ep.remote?.port, phone.port);
  await teardown(engine, phone);
});

test('a paused direction drops packets until resumed; the other keeps flowing', async () => {
  const { engine, a, b, phoneA, phoneB } = await setup();
  a.setRemote({ address: '127.0.0.1', port: phoneA.port });
  b.setRemote({ address: '127.0.0.1', port: phoneB.port });
  const relay = engine.createRelay(a, b);
  relay.pause('aToB');
  phoneA.send(rtp(1), a);
  phoneB.send(rtp(1), b);
  await phoneA.waitFor(1);
  await sleep(50);
  assert.equal(phoneB.received.length, 0);
  assert.equal(relay.counters('aToB').dropped, 1);
  relay.resume('aToB');
  phoneA.send(rtp(2), a);
  await phoneB.waitFor(1);
  assert.equal(parseRtp(phoneB.received[0] ?? Buffer.alloc(0)).sequenceNumber, 2);
  await teardown(engine, phoneA, phoneB);
});

test('payload types are renumbered in place when the legs differ', async () => {
  const { engine, a, b, phoneA, phoneB } = await setup();
  a.setRemote({ address: '127.0.0.1', port: phoneA.port });
  b.setRemote({ address: '127.0.0.1', port: phoneB.port });
  engine.createRelay(a, b, { payloadTypes: { aToB: { 101: 96 } } });
  const marked = rtp(1, 101);
  marked[1] = 0x80 | 101;
  phoneA.send(marked, a);
  phoneA.send(rtp(2, 0), a);
  await phoneB.waitFor(2);
  const got = phoneB.received.map((p) => parseRtp(p));
  assert.deepEqual(
    got.map((p) => [p.payloadType, p.marker]),
    [
      [96, true],
      [0, false],
    ],
  );
  await teardown(engine, phoneA, phoneB);
});

test('a generated source replaces one direction and hands it back when stopped', async () => {
  const { engine, a, b, phoneA, phoneB } = await setup();
  a.setRemote({ address: '127.0.0.1', port: phoneA.port });
  b.setRemote({ address: '127.0.0.1', port: phoneB.port });
  a.setFormat({ codec: 'PCMA', payloadType: 8 });
  const relay = engine.createRelay(a, b);
  const tone = engine.createTonePlayer(TONES.ringbackUs);
  relay.replaceSource('bToA', tone);
  assert.equal(engine.stats().sources, 1);
  await phoneA.waitFor(2);
  const generated = parseRtp(phoneA.received[0] ?? Buffer.alloc(0));
  assert.equal(generated.payloadType, 8);
  assert.equal(generated.ssrc, a.sequencer.ssrc);
  assert.equal(generated.marker, true);
  phoneB.send(rtp(1, 0, 0x2222), b);
  await sleep(30);
  assert.ok(relay.counters('bToA').dropped >= 1);
  relay.replaceSource('bToA', undefined);
  assert.equal(tone.closed, true);
  assert.equal(engine.stats().sources, 0);
  const before = phoneA.received.length;
  phoneB.send(rtp(2, 0, 0x2222), b);
  await phoneA.waitFor(before + 1);
  assert.equal(parseRtp(phoneA.received.at(-1) ?? Buffer.alloc(0)).ssrc, 0x2222);
  await teardown(engine, phoneA, phoneB);
});

test('a source that cannot start leaves the direction relaying', async () => {
  const { engine, a, b, phoneA, phoneB } = await setup();
  a.setRemote({ address: '127.0.0.1', port: phoneA.port });
  b.setRemote({ address: '127.0.0.1', port: phoneB.port });
  const relay = engine.createRelay(a, b);
  const dtmf = engine.createDtmfSender('5'); // B never negotiated telephone-event
  assert.throws(() => relay.replaceSource('aToB', dtmf));
  assert.equal(relay.sourceOf('aToB'), undefined);
  phoneA.send(rtp(1), a);
  await phoneB.waitFor(1);
  await teardown(engine, phoneA, phoneB);
});
