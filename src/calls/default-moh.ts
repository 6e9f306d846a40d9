import { encodePcm16Wav } from '../media/index.ts';

/**
 * The built-in music on hold: a soft arpeggio loop synthesised once (8 kHz, 16-bit PCM WAV), used
 * when neither the user nor the account names a `music_on_hold.media_id`.
 */
let cached: Buffer | undefined;

export function defaultMusicOnHold(): Buffer {
  if (cached !== undefined) return cached;
  const rate = 8000;
  // A-major and D-major arpeggios, 250 ms notes with a gentle attack and release.
  const notes = [440, 554.37, 659.25, 880, 659.25, 554.37, 587.33, 739.99, 880, 1174.66, 880, 739.99];
  const noteSamples = rate / 4;
  const pcm = Buffer.alloc(notes.length * noteSamples * 2 + rate); // one second of rest at the end
  notes.forEach((f, n) => {
    for (let i = 0; i < noteSamples; i++) {
      const envelope = Math.min(1, i / 200, (noteSamples - i) / 400);
      const v = Math.sin((2 * Math.PI * f * i) / rate) * 0.5 + Math.sin((4 * Math.PI * f * i) / rate) * 0.15;
      pcm.writeInt16LE(Math.round(v * envelope * 6000), (n * noteSamples + i) * 2);
    }
  });
  cached = encodePcm16Wav(pcm, rate);
  return cached;
}
