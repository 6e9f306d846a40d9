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
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + pcm.length, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(pcm.length, 40);
  cached = Buffer.concat([header, pcm]);
  return cached;
}
