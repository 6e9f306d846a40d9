import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeWav, encodePcm16Wav, readWavInfo } from './wav.ts';

test('encodePcm16Wav writes a WAV that the reader takes back, mono and stereo', () => {
  const pcm = Buffer.alloc(8000 * 2);
  for (let i = 0; i < 8000; i++) pcm.writeInt16LE(i % 2000, i * 2);
  assert.deepEqual(readWavInfo(encodePcm16Wav(pcm, 8000)), { format: 'pcm16', sampleRate: 8000, channels: 1, durationMs: 1000 });
  const stereo = encodePcm16Wav(pcm, 16000, 2); // the reader takes mono only: check the fmt chunk itself
  assert.deepEqual([stereo.readUInt16LE(22), stereo.readUInt32LE(24), stereo.readUInt32LE(28), stereo.readUInt16LE(32), stereo.readUInt32LE(40)], [2, 16000, 64000, 4, pcm.length]);
  const decoded = decodeWav(encodePcm16Wav(pcm, 8000));
  assert.equal(decoded.samples[1999], 1999);
});
