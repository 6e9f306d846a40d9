import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ClosedError, FakeClock } from '../lib/index.ts';
import wavefile from 'wavefile';
import { MediaEngine, TONES } from './index.ts';

test('closing the engine closes endpoints, relays, sources and recorders and frees every socket', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sb-media-'));
  try {
    const clock = new FakeClock(0);
    const engine = new MediaEngine({ address: '127.0.0.1', portRange: { min: 0, max: 0 }, clock });
    const a = await engine.createEndpoint();
    const b = await engine.createEndpoint();
    const relay = engine.createRelay(a, b);
    const tone = engine.createTonePlayer(TONES.busyUs);
    relay.replaceSource('aToB', tone);
    const idle = engine.createDtmfSender('123');
    const recorder = engine.createRecorder(join(dir, 'r.wav'));
    relay.addTap(recorder.tap);
    clock.advance(100);
    assert.deepEqual(
      { ...engine.stats(), packetsOut: 0 },
      {
        endpoints: 2,
        relays: 1,
        sources: 2,
        recorders: 1,
        portsInUse: 2,
        portCapacity: null,
        packetsIn: 0,
        packetsOut: 0,
        bytesIn: 0,
        bytesOut: 0,
      },
    );
    assert.equal(b.counters.dropped, 6, 'no remote yet: generated packets are dropped');
    await engine.close();
    await engine.close();
    assert.equal(a.closed && b.closed && relay.closed && tone.closed && idle.closed && recorder.closed, true);
    assert.equal(engine.stats().portsInUse, 0);
    assert.equal(clock.pending, 0);
    const wav = new wavefile.WaveFile(await readFile(join(dir, 'r.wav')));
    assert.equal((wav.fmt as { numChannels: number }).numChannels, 2, 'header is readable');
    await assert.rejects(engine.createEndpoint(), ClosedError);
    assert.throws(() => engine.createTonePlayer(TONES.dialUs), ClosedError);
    await sleep(5);
    assert.deepEqual(process.getActiveResourcesInfo().filter((r) => r === 'UDPWrap'), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('an endpoint drops datagrams that are not RTP and refuses use after close', async () => {
  const engine = new MediaEngine({ address: '127.0.0.1', portRange: { min: 0, max: 0 } });
  const ep = await engine.createEndpoint();
  const seen: boolean[] = [];
  ep.addReceiver((_p, rtcp) => seen.push(rtcp));
  const phone = createSocket('udp4');
  await new Promise<void>((r) => phone.bind(0, '127.0.0.1', r));
  phone.send(Buffer.from('hello world!!'), ep.port, '127.0.0.1');
  phone.send(Buffer.from('80c9000100000001', 'hex'), ep.rtcpPort, '127.0.0.1');
  await sleep(50);
  assert.equal(ep.counters.dropped, 1);
  assert.equal(ep.counters.rtcpIn, 1);
  assert.deepEqual(seen, [true]);
  ep.close();
  assert.equal(engine.stats().endpoints, 0);
  assert.throws(() => ep.setRemote({ address: '127.0.0.1', port: 4000 }), ClosedError);
  await engine.close();
  await new Promise<void>((r) => phone.close(r));
});
