import alawmulaw from 'alawmulaw';

/** The ITU-T G.711 codecs and their RFC 3551 §6 static payload types. */
export const G711_CODECS = { PCMU: 0, PCMA: 8 } as const;
export type G711Codec = keyof typeof G711_CODECS;

/** RTP clock rate and samples in one 20 ms frame for G.711 (RFC 3551 §4.5.14). */
export const G711_RATE = 8000;
export const FRAME_SAMPLES = 160;

/** True for the names of the codecs this engine can encode and decode. */
export function isG711Codec(name: string): name is G711Codec {
  return name === 'PCMU' || name === 'PCMA';
}

// Lookup tables, built on first use (no work at import).
let muDecode: Int16Array | undefined;
let aDecode: Int16Array | undefined;
let muEncode: Uint8Array | undefined;
let aEncode: Uint8Array | undefined;

function decodeTable(codec: G711Codec): Int16Array {
  if (codec === 'PCMU') {
    if (muDecode === undefined) {
      muDecode = new Int16Array(256);
      for (let i = 0; i < 256; i++) muDecode[i] = alawmulaw.mulaw.decodeSample(i);
    }
    return muDecode;
  }
  if (aDecode === undefined) {
    aDecode = new Int16Array(256);
    for (let i = 0; i < 256; i++) aDecode[i] = alawmulaw.alaw.decodeSample(i);
  }
  return aDecode;
}

function encodeTable(codec: G711Codec): Uint8Array {
  if (codec === 'PCMU') {
    if (muEncode === undefined) {
      muEncode = new Uint8Array(65536);
      for (let s = -32768; s < 32768; s++) muEncode[s & 0xffff] = alawmulaw.mulaw.encodeSample(s);
    }
    return muEncode;
  }
  if (aEncode === undefined) {
    aEncode = new Uint8Array(65536);
    for (let s = -32768; s < 32768; s++) aEncode[s & 0xffff] = alawmulaw.alaw.encodeSample(s);
  }
  return aEncode;
}

/** G.711 encodes one linear 16-bit sample. */
export function encodeSample(codec: G711Codec, sample: number): number {
  return encodeTable(codec)[sample & 0xffff] ?? 0;
}

/** G.711 decodes one byte to a linear 16-bit sample. */
export function decodeSample(codec: G711Codec, byte: number): number {
  return decodeTable(codec)[byte & 0xff] ?? 0;
}

/** Encodes linear PCM into G.711 bytes, into `out` at `offset` when given (no allocation then). */
export function encodeG711(codec: G711Codec, pcm: Int16Array, out?: Uint8Array, offset = 0): Uint8Array {
  const table = encodeTable(codec);
  const dst = out ?? new Uint8Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) dst[offset + i] = table[(pcm[i] ?? 0) & 0xffff] ?? 0;
  return dst;
}

/** Decodes G.711 bytes into linear PCM, into `out` when given. */
export function decodeG711(codec: G711Codec, data: Uint8Array, out?: Int16Array): Int16Array {
  const table = decodeTable(codec);
  const dst = out ?? new Int16Array(data.length);
  for (let i = 0; i < data.length; i++) dst[i] = table[data[i] ?? 0] ?? 0;
  return dst;
}

/** The G.711 byte for digital silence (0 linear): 0xFF for µ-law, 0xD5 for A-law. */
export function g711Silence(codec: G711Codec): number {
  return encodeSample(codec, 0);
}

/** Reads little-endian signed 16-bit PCM bytes (WAV data) into samples. */
export function pcm16leToSamples(bytes: Uint8Array): Int16Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Int16Array(bytes.byteLength >> 1);
  for (let i = 0; i < out.length; i++) out[i] = view.getInt16(i * 2, true);
  return out;
}

/** Writes samples as little-endian signed 16-bit PCM bytes (WAV data). */
export function samplesToPcm16le(samples: Int16Array): Buffer {
  const out = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) out.writeInt16LE(samples[i] ?? 0, i * 2);
  return out;
}

/** Halves the sample rate (16 kHz → 8 kHz) by averaging sample pairs: a crude but adequate low-pass. */
export function downsample2(samples: Int16Array): Int16Array {
  const out = new Int16Array(samples.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = ((samples[2 * i] ?? 0) + (samples[2 * i + 1] ?? 0)) >> 1;
  return out;
}
