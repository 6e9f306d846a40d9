import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import wavefile from 'wavefile';
import { FakeClock } from '../lib/index.ts';
import { WavRecorder, encodeG711, serializeRtp } from './index.ts';

function packet(pt: number, seq: number, ts: number, ssrc: number, value: number): Buffer {
  const codec = pt === 0 ? 'PCMU' : 'PCMA';
  return serializeRtp({
    marker: false,
    payloadType: pt,
    sequenceNumber: seq,
    timestamp: ts,
    ssrc,
    payload: encodeG711(codec, new Int16Array(160).fill(value)),
  });
}

function channels(buf: Buffer): { rate: number; bits: number; left: number[]; right: number[] } {
  const w = new wavefile.WaveFile(buf);
  const fmt = w.fmt as { numChannels: number; sampleRate: number; bitsPerSample: number };
  assert.equal(fmt.numChannels, 2);
  const samples = w.getSamples(false, Int16Array) as unknown as Int16Array[];
  return { rate: fmt.sampleRate, bits: fmt.bitsPerSample, left: [...(samples[0] ?? [])], right: [...(samples[1] ?? [])] };
}

test('the recorder writes a stereo WAV, one direction per channel, aligned in time', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sb-rec-'));
  try {
    const clock = new FakeClock(0);
    const path = join(dir, 'call.wav');
    const recorder = new WavRecorder(path, { clock });
    // A talks for 1 s from t=0; B starts at t=500 ms; one of A's packets is lost.
    for (let i = 0; i < 50; i++) {
      clock.advance(20);
      if (i !== 10) recorder.tap('aToB', packet(0, i, 1000 + i * 160, 0xaaaa, 1000));
      if (i >= 25) recorder.tap('bToA', packet(8, i, 50000 + i * 160, 0xbbbb, -2000));
      recorder.tap('aToB', serializeRtp({ marker: false, payloadType: 101, sequenceNumber: 0, timestamp: 0, ssrc: 1, payload: Buffer.alloc(4) }));
    }
    const info = await recorder.close();
    assert.equal(await recorder.close(), info);
    assert.equal(clock.pending, 0);
    const buf = await readFile(path);
    assert.equal(info.bytes, buf.length);
    assert.equal(info.durationMs, 1000);
    const { rate, bits, left, right } = channels(buf);
    assert.equal(rate, 8000);
    assert.equal(bits, 16);
    assert.equal(left.length, 8000);
    const near = (v: number | undefined, target: number): boolean => Math.abs((v ?? 0) - target) <= Math.abs(target) * 0.1;
    assert.ok(near(left[100], 1000), `left ${left[100]}`);
    assert.equal(left[10 * 160 + 80], 0, 'the lost packet is silence');
    assert.ok(near(left[11 * 160 + 80], 1000));
    assert.equal(right[100], 0, 'B silent before it started');
    assert.equal(right[24 * 160 + 80], 0);
    assert.ok(near(right[26 * 160], -2000), `right ${right[26 * 160]}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the file is a valid WAV while the call is still recording', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sb-rec-'));
  try {
    const clock = new FakeClock(0);
    const path = join(dir, 'live.wav');
    const recorder = new WavRecorder(path, { clock, flushIntervalMs: 1000, jitterMs: 200 });
    for (let i = 0; i < 100; i++) {
      clock.advance(20);
      recorder.tap('bToA', packet(0, i, i * 160, 1, 500));
    }
    await recorder.flushed();
    const { left, right } = channels(await readFile(path));
    assert.equal(right.length, 16000 - 1600, 'flushed at t=2 s up to now minus the jitter allowance');
    assert.equal(left.length, right.length);
    await recorder.close();
    assert.equal(channels(await readFile(path)).right.length, 16000);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
