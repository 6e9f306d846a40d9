import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeG711, downsample2, encodeG711, g711Silence, pcm16leToSamples, samplesToPcm16le } from './index.ts';

test('silence encodes to 0xFF in µ-law and 0xD5 in A-law', () => {
  assert.equal(g711Silence('PCMU'), 0xff);
  assert.equal(g711Silence('PCMA'), 0xd5);
});

test('G.711 round trips a sine within companding error', () => {
  const pcm = Int16Array.from({ length: 160 }, (_, i) => Math.round(12000 * Math.sin((2 * Math.PI * 1000 * i) / 8000)));
  for (const codec of ['PCMU', 'PCMA'] as const) {
    const back = decodeG711(codec, encodeG711(codec, pcm));
    for (let i = 0; i < pcm.length; i++) {
      const err = Math.abs((back[i] ?? 0) - (pcm[i] ?? 0));
      assert.ok(err <= Math.max(16, Math.abs(pcm[i] ?? 0) / 16), `${codec} sample ${i}: ${pcm[i]} → ${back[i]}`);
    }
  }
});

test('encoding writes into a caller buffer at an offset', () => {
  const out = new Uint8Array(14).fill(7);
  encodeG711('PCMU', new Int16Array(2), out, 12);
  assert.deepEqual([...out.subarray(10)], [7, 7, 0xff, 0xff]);
});

test('linear PCM helpers convert little-endian bytes and halve the rate', () => {
  const samples = Int16Array.from([1, -2, 300, -32768]);
  assert.deepEqual([...pcm16leToSamples(samplesToPcm16le(samples))], [...samples]);
  assert.deepEqual([...downsample2(Int16Array.from([10, 20, -10, -30, 5]))], [15, -20]);
});
