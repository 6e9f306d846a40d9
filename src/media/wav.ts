import wavefile from 'wavefile';
import { WavFormatError } from './errors.ts';
import { decodeG711, downsample2, pcm16leToSamples } from './g711.ts';
import type { FrameSource } from './rtp-player.ts';

/** The WAV encodings the player accepts. */
export const WAV_FORMATS = ['pcm16', 'mulaw', 'alaw'] as const;
export type WavFormat = (typeof WAV_FORMATS)[number];

/** What {@link readWavInfo} reports of a playable WAV file. */
export interface WavInfo {
  format: WavFormat;
  sampleRate: number;
  channels: number;
  durationMs: number;
}

/** A decoded WAV: its info and the audio as 8 kHz mono linear PCM. */
export interface WavAudio {
  info: WavInfo;
  samples: Int16Array;
}

interface FmtChunk {
  audioFormat: number;
  numChannels: number;
  sampleRate: number;
  bitsPerSample: number;
}

function readFmt(value: object): FmtChunk {
  const f = value as Partial<Record<keyof FmtChunk, unknown>>;
  const num = (v: unknown): number => (typeof v === 'number' ? v : NaN);
  return {
    audioFormat: num(f.audioFormat),
    numChannels: num(f.numChannels),
    sampleRate: num(f.sampleRate),
    bitsPerSample: num(f.bitsPerSample),
  };
}

function open(buffer: Uint8Array): { info: WavInfo; data: Uint8Array } {
  let wav: wavefile.WaveFile;
  try {
    wav = new wavefile.WaveFile(buffer);
  } catch (error) {
    throw new WavFormatError('not a WAV file', { cause: error });
  }
  if (wav.container !== 'RIFF') throw new WavFormatError(`unsupported WAV container ${wav.container}`);
  const fmt = readFmt(wav.fmt);
  const data = (wav.data as { samples?: unknown }).samples;
  if (!(data instanceof Uint8Array)) throw new WavFormatError('WAV has no data chunk');
  if (fmt.numChannels !== 1) throw new WavFormatError(`WAV must be mono, not ${fmt.numChannels} channels`);
  let format: WavFormat;
  if (fmt.audioFormat === 1 && fmt.bitsPerSample === 16) {
    format = 'pcm16';
    if (fmt.sampleRate !== 8000 && fmt.sampleRate !== 16000) {
      throw new WavFormatError(`PCM WAV must be 8000 or 16000 Hz, not ${fmt.sampleRate}`);
    }
  } else if ((fmt.audioFormat === 7 || fmt.audioFormat === 6) && fmt.bitsPerSample === 8) {
    format = fmt.audioFormat === 7 ? 'mulaw' : 'alaw';
    if (fmt.sampleRate !== 8000) throw new WavFormatError(`G.711 WAV must be 8000 Hz, not ${fmt.sampleRate}`);
  } else {
    throw new WavFormatError(`unsupported WAV encoding (format ${fmt.audioFormat}, ${fmt.bitsPerSample} bits)`);
  }
  const bytesPerSecond = fmt.sampleRate * (format === 'pcm16' ? 2 : 1);
  const durationMs = Math.round((data.byteLength * 1000) / bytesPerSecond);
  return { info: { format, sampleRate: fmt.sampleRate, channels: 1, durationMs }, data };
}

/**
 * Validates a WAV upload: mono PCM 16-bit at 8 or 16 kHz, or G.711 µ-law/A-law at 8 kHz. Throws
 * {@link WavFormatError} otherwise (the API answers 415).
 */
export function readWavInfo(buffer: Uint8Array): WavInfo {
  return open(buffer).info;
}

/** Decodes a playable WAV to 8 kHz mono linear PCM (16 kHz is halved by pair averaging). */
export function decodeWav(buffer: Uint8Array): WavAudio {
  const { info, data } = open(buffer);
  let samples: Int16Array;
  if (info.format === 'pcm16') {
    samples = pcm16leToSamples(data);
    if (info.sampleRate === 16000) samples = downsample2(samples);
  } else {
    samples = decodeG711(info.format === 'mulaw' ? 'PCMU' : 'PCMA', data);
  }
  return { info: { ...info }, samples };
}

/** Plays decoded samples once, or in a loop. */
export class SampleSource implements FrameSource {
  readonly #samples: Int16Array;
  readonly #loop: boolean;
  #pos = 0;

  constructor(samples: Int16Array, options: { loop?: boolean } = {}) {
    this.#samples = samples;
    this.#loop = options.loop === true && samples.length > 0;
  }

  read(out: Int16Array): number {
    let written = 0;
    while (written < out.length) {
      if (this.#pos >= this.#samples.length) {
        if (!this.#loop) break;
        this.#pos = 0;
      }
      const n = Math.min(out.length - written, this.#samples.length - this.#pos);
      out.set(this.#samples.subarray(this.#pos, this.#pos + n), written);
      written += n;
      this.#pos += n;
    }
    return written;
  }
}

/**
 * A canonical 44-byte-header WAV (RIFF, `fmt ` chunk with WAVE_FORMAT_PCM = 1, `data` chunk) around
 * 16-bit little-endian PCM, interleaved when `channels` > 1.
 */
export function encodePcm16Wav(pcm: Buffer, rate: number, channels = 1): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + pcm.length, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2 * channels, 28);
  header.writeUInt16LE(2 * channels, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(pcm.length, 40);
  return Buffer.concat([header, pcm]);
}
