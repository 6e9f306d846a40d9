import { test } from 'node:test';
import assert from 'node:assert/strict';
import wavefile from 'wavefile';
import { FakeClock } from '../lib/index.ts';
import {
  RtpPlayer,
  RtpSequencer,
  SampleSource,
  TONES,
  ToneSource,
  WavFormatError,
  decodeG711,
  decodeWav,
  parseRtp,
  readWavInfo,
} from './index.ts';
import type { MediaFormat, RtpOutput, RtpPacket } from './index.ts';

function output(clock: FakeClock, format: MediaFormat = { codec: 'PCMU', payloadType: 0 }): RtpOutput & { packets: RtpPacket[] } {
  const packets: RtpPacket[] = [];
  return { sequencer: new RtpSequencer(clock), format, send: (p) => packets.push(parseRtp(p)), packets };
}

function wav(channels: number, rate: number, depth: string, samples: number[]): Uint8Array {
  const w = new wavefile.WaveFile();
  w.fromScratch(channels, rate, depth, samples);
  return w.toBuffer();
}

test('a tone player sends 50 packets a second with continuous sequence and timestamp', () => {
  const clock = new FakeClock(0);
  const out = output(clock);
  const player = new RtpPlayer(new ToneSource(TONES.ringbackUs), { clock });
  player.start(out);
  clock.advance(999);
  assert.equal(out.packets.length, 50);
  clock.advance(1000);
  assert.equal(out.packets.length, 100);
  out.packets.forEach((p, i) => {
    assert.equal(p.payload.length, 160);
    assert.equal(p.marker, i === 0);
    if (i > 0) {
      const prev = out.packets[i - 1];
      assert.equal(p.sequenceNumber, ((prev?.sequenceNumber ?? 0) + 1) & 0xffff);
      assert.equal(p.timestamp, ((prev?.timestamp ?? 0) + 160) >>> 0);
      assert.equal(p.ssrc, prev?.ssrc);
    }
  });
  player.stop();
  assert.equal(clock.pending, 0);
});

test('ringback follows its cadence: tone for 2 s, then 4 s of silence', () => {
  const source = new ToneSource(TONES.ringbackUs);
  const frame = new Int16Array(160);
  const energy: number[] = [];
  for (let i = 0; i < 300; i++) {
    source.read(frame);
    energy.push(frame.reduce((s, v) => s + Math.abs(v), 0));
  }
  assert.ok(energy.slice(0, 100).every((e) => e > 0), 'on for 2 s');
  assert.ok(energy.slice(100, 300).every((e) => e === 0), 'off for 4 s');
  const again = new Int16Array(160);
  source.read(again);
  assert.ok(again.some((v) => v !== 0), 'on again after 6 s');
});

test('a new source on the same leg keeps SSRC and sequence and advances the timestamp by the gap', () => {
  const clock = new FakeClock(0);
  const out = output(clock, { codec: 'PCMA', payloadType: 8 });
  const tone = new RtpPlayer(new ToneSource({ ...TONES.dialUs, durationMs: 100 }), { clock });
  const reasons: string[] = [];
  tone.on('ended', (r) => reasons.push(r));
  tone.start(out);
  clock.advance(1000);
  assert.deepEqual(reasons, ['finished']);
  assert.equal(out.packets.length, 5);
  const last = out.packets.at(-1);
  clock.advance(1000);
  const prompt = new RtpPlayer(new SampleSource(new Int16Array(320)), { clock });
  prompt.start(out);
  clock.advance(100);
  const next = out.packets[5];
  assert.equal(next?.ssrc, last?.ssrc);
  assert.equal(next?.sequenceNumber, ((last?.sequenceNumber ?? 0) + 1) & 0xffff);
  assert.equal(next?.marker, true);
  assert.equal(next?.payloadType, 8);
  // the last tone packet was stamped at t=80 ms; the prompt starts at t=2000 ms
  assert.equal(((next?.timestamp ?? 0) - (last?.timestamp ?? 0)) >>> 0, 1920 * 8);
  assert.equal(out.packets.length, 7);
  assert.equal(prompt.closed, true);
});

test('WAV info accepts mono PCM 8/16 kHz and G.711 and reports the duration', () => {
  assert.deepEqual(readWavInfo(wav(1, 8000, '16', new Array(8000).fill(0))), {
    format: 'pcm16',
    sampleRate: 8000,
    channels: 1,
    durationMs: 1000,
  });
  assert.equal(readWavInfo(wav(1, 16000, '16', new Array(8000).fill(0))).durationMs, 500);
  const mulaw = new wavefile.WaveFile();
  mulaw.fromScratch(1, 8000, '16', new Array(4000).fill(1000));
  mulaw.toMuLaw();
  assert.deepEqual(readWavInfo(mulaw.toBuffer()), { format: 'mulaw', sampleRate: 8000, channels: 1, durationMs: 500 });
  const alaw = new wavefile.WaveFile();
  alaw.fromScratch(1, 8000, '16', new Array(800).fill(1000));
  alaw.toALaw();
  assert.equal(readWavInfo(alaw.toBuffer()).format, 'alaw');
});

test('WAV info rejects what the player cannot play with a typed error', () => {
  const bad = [
    Buffer.from('not a wav at all'),
    wav(2, 8000, '16', [0, 0, 0, 0]),
    wav(1, 44100, '16', [0, 0]),
    wav(1, 8000, '8', [128, 128]),
    wav(1, 8000, '32f', [0, 0]),
  ];
  for (const b of bad) assert.throws(() => readWavInfo(b), WavFormatError);
});

test('a WAV player decodes 16 kHz PCM to 8 kHz, loops, and stops on request', () => {
  const clock = new FakeClock(0);
  const samples = Array.from({ length: 480 }, (_, i) => (i < 240 ? 8000 : -8000));
  const audio = decodeWav(wav(1, 16000, '16', samples));
  assert.equal(audio.samples.length, 240);
  const out = output(clock);
  const player = new RtpPlayer(new SampleSource(audio.samples, { loop: true }), { clock });
  const reasons: string[] = [];
  player.on('ended', (r) => reasons.push(r));
  player.start(out);
  clock.advance(1000);
  assert.equal(out.packets.length, 51);
  const pcm = decodeG711('PCMU', out.packets[0]?.payload ?? new Uint8Array());
  assert.ok((pcm[0] ?? 0) > 7000 && (pcm[159] ?? 0) < -7000);
  player.stop();
  player.stop();
  assert.deepEqual(reasons, ['stopped']);
  assert.equal(clock.pending, 0);
});

test('a one-shot µ-law WAV ends with a padded last packet and an ended event', () => {
  const clock = new FakeClock(0);
  const w = new wavefile.WaveFile();
  w.fromScratch(1, 8000, '16', new Array(400).fill(2000));
  w.toMuLaw();
  const audio = decodeWav(w.toBuffer());
  const out = output(clock);
  const player = new RtpPlayer(new SampleSource(audio.samples), { clock });
  const reasons: string[] = [];
  player.on('ended', (r) => reasons.push(r));
  player.start(out);
  clock.advance(1000);
  assert.equal(out.packets.length, 3);
  assert.deepEqual(reasons, ['finished']);
  const tail = decodeG711('PCMU', out.packets[2]?.payload ?? new Uint8Array());
  assert.ok((tail[79] ?? 0) > 1500 && tail[80] === 0);
  assert.equal(clock.pending, 0);
});

test("a player follows its output's format from the next packet (a late offer's answer picked another codec)", () => {
  const clock = new FakeClock(0);
  let format: MediaFormat = { codec: 'PCMU', payloadType: 0 };
  const packets: RtpPacket[] = [];
  const out: RtpOutput = { sequencer: new RtpSequencer(clock), get format() { return format; }, send: (p) => packets.push(parseRtp(p)) };
  const player = new RtpPlayer(new ToneSource(TONES.ringbackUs), { clock });
  player.start(out);
  clock.advance(100);
  format = { codec: 'PCMA', payloadType: 8 };
  clock.advance(100);
  player.stop();
  const types = packets.map((p) => p.payloadType);
  assert.ok(types.includes(0) && types.includes(8), types.join(','));
  assert.deepEqual(types, [...types].sort((a, b) => a - b), 'PCMU first, PCMA after the change');
  const last = packets.at(-1);
  assert.ok(last !== undefined);
  const pcm = decodeG711('PCMA', last.payload);
  assert.ok(pcm.some((v) => Math.abs(v) > 1000), 'the PCMA packets carry the tone, encoded as PCMA');
});
