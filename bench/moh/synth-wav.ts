import { encodePcm16Wav } from '../../src/media/index.ts';

/** A mono 8 kHz 16-bit PCM WAV of `seconds` of a quiet 440 Hz tone: stands in for a customer's MOH file. */
export function synthWav(seconds: number): Buffer {
  const rate = 8000;
  const pcm = Buffer.alloc(seconds * rate * 2);
  for (let i = 0; i < seconds * rate; i++) pcm.writeInt16LE(Math.round(3000 * Math.sin((2 * Math.PI * 440 * i) / rate)), i * 2);
  return encodePcm16Wav(pcm, rate);
}
