import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { TypedEmitter, silentLogger } from '../lib/index.ts';
import type { Clock, Logger, TimerHandle } from '../lib/index.ts';
import { decodeSample, G711_CODECS, G711_RATE } from './g711.ts';
import type { G711Codec } from './g711.ts';
import { RTP_HEADER_LENGTH, parseRtp } from './rtp-packet.ts';
import type { RtpPacket } from './rtp-packet.ts';
import type { RelayDirection, RelayTap } from './rtp-relay.ts';

/** Options of a {@link WavRecorder}. */
export interface WavRecorderOptions {
  clock: Clock;
  logger?: Logger;
  /** How often audio is written and the header refreshed; default 1000 ms. */
  flushIntervalMs?: number;
  /** How long to wait for late packets before writing their time slot; default 300 ms. */
  jitterMs?: number;
  /** Payload type → codec; default the static types 0 (PCMU) and 8 (PCMA). */
  payloadTypes?: Readonly<Record<number, G711Codec>>;
}

/** What a finished recording holds. */
export interface RecordingInfo {
  path: string;
  durationMs: number;
  bytes: number;
}

const CHANNELS = 2;
const HEADER_BYTES = 44;
const WINDOW_FRAMES = 4 * G711_RATE;
/** A direction whose RTP clock strays this far from the wall clock is re-anchored. */
const MAX_SKEW_FRAMES = G711_RATE;

interface Anchor {
  ssrc: number;
  timestamp: number;
  frame: number;
}

/** RIFF/WAVE header for 16-bit PCM (the canonical 44-byte form). */
function wavHeader(dataBytes: number): Buffer {
  const h = Buffer.alloc(HEADER_BYTES);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(CHANNELS, 22);
  h.writeUInt32LE(G711_RATE, 24);
  h.writeUInt32LE(G711_RATE * CHANNELS * 2, 28);
  h.writeUInt16LE(CHANNELS * 2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

/**
 * Records a relay as a stereo 8 kHz 16-bit WAV: channel 1 (left) is what A sent (`aToB`), channel 2
 * (right) what B sent. Packets are placed by RTP timestamp, anchored to the wall clock per SSRC, so
 * loss and silence become silence and both channels stay aligned. Audio is written and the header
 * rewritten every flush, so the file is a valid WAV at all times, including after a crash mid-call.
 */
export class WavRecorder extends TypedEmitter<{ error: [Error]; close: [] }> {
  readonly path: string;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #startedAt: number;
  readonly #jitterFrames: number;
  readonly #flushMs: number;
  readonly #codecs: ReadonlyMap<number, G711Codec>;
  readonly #window = new Int16Array(WINDOW_FRAMES * CHANNELS);
  readonly #anchors: { aToB: Anchor | undefined; bToA: Anchor | undefined } = { aToB: undefined, bToA: undefined };
  #base = 0;
  #highest = 0;
  #dataBytes = 0;
  #file: Promise<FileHandle>;
  #queue: Promise<void>;
  #timer: TimerHandle | undefined;
  #closing: Promise<RecordingInfo> | undefined;
  #failure: Error | undefined;

  constructor(path: string, options: WavRecorderOptions) {
    super();
    this.path = path;
    this.#clock = options.clock;
    this.#logger = options.logger ?? silentLogger;
    this.#startedAt = options.clock.now();
    this.#jitterFrames = Math.round(((options.jitterMs ?? 300) * G711_RATE) / 1000);
    this.#flushMs = options.flushIntervalMs ?? 1000;
    const types = options.payloadTypes ?? { [G711_CODECS.PCMU]: 'PCMU', [G711_CODECS.PCMA]: 'PCMA' };
    this.#codecs = new Map(Object.entries(types).map(([pt, codec]) => [Number(pt), codec]));
    this.#file = open(path, 'w');
    this.#queue = this.#file.then((fh) => fh.write(wavHeader(0), 0, HEADER_BYTES, 0)).then(
      () => undefined,
      (error: unknown) => this.#fail(error),
    );
    this.#timer = this.#clock.setTimeout(this.#tick, this.#flushMs);
  }

  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /** A relay tap feeding this recorder. */
  readonly tap: RelayTap = (direction, packet) => this.write(direction, packet);

  /** Adds one RTP packet of a direction; non-G.711 payloads (telephone-event, CN) are skipped. */
  write(direction: RelayDirection, packet: Buffer): void {
    if (this.#closing !== undefined || this.#failure !== undefined) return;
    if (packet.length <= RTP_HEADER_LENGTH) return;
    const codec = this.#codecs.get((packet[1] ?? 0) & 0x7f);
    if (codec === undefined) return;
    let rtp: RtpPacket;
    try {
      rtp = parseRtp(packet);
    } catch {
      return;
    }
    const now = this.#nowFrame();
    let anchor = this.#anchors[direction];
    let frame = anchor === undefined ? 0 : anchor.frame + ((rtp.timestamp - anchor.timestamp) | 0);
    if (anchor === undefined || anchor.ssrc !== rtp.ssrc || Math.abs(frame - now) > MAX_SKEW_FRAMES) {
      anchor = { ssrc: rtp.ssrc, timestamp: rtp.timestamp, frame: Math.max(now - rtp.payload.length, this.#base) };
      this.#anchors[direction] = anchor;
      frame = anchor.frame;
    }
    const end = frame + rtp.payload.length;
    if (end - this.#base > WINDOW_FRAMES) this.#flush(end - WINDOW_FRAMES);
    const channel = direction === 'aToB' ? 0 : 1;
    const payload = rtp.payload;
    for (let i = 0; i < payload.length; i++) {
      const at = frame + i - this.#base;
      if (at >= 0) this.#window[at * CHANNELS + channel] = decodeSample(codec, payload[i] ?? 0);
    }
    if (end > this.#highest) this.#highest = end;
  }

  /** Resolves once everything flushed so far (audio and header) is on disk. */
  flushed(): Promise<void> {
    return this.#queue;
  }

  /** Writes what remains, finalizes the header and closes the file. Idempotent. */
  close(): Promise<RecordingInfo> {
    if (this.#closing !== undefined) return this.#closing;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#flush(Math.max(this.#nowFrame(), this.#highest));
    const closing = this.#queue
      .then(() => this.#file)
      .then(async (fh) => {
        await fh.close();
        if (this.#failure !== undefined) throw this.#failure;
        return {
          path: this.path,
          durationMs: Math.round((this.#dataBytes / (CHANNELS * 2) / G711_RATE) * 1000),
          bytes: HEADER_BYTES + this.#dataBytes,
        };
      });
    this.#closing = closing;
    this.emit('close');
    return closing;
  }

  #nowFrame(): number {
    return Math.floor(((this.#clock.now() - this.#startedAt) * G711_RATE) / 1000);
  }

  readonly #tick = (): void => {
    this.#timer = this.#clock.setTimeout(this.#tick, this.#flushMs);
    this.#flush(this.#nowFrame() - this.#jitterFrames);
  };

  /** Writes frames [base, upTo) and slides the window. */
  #flush(upTo: number): void {
    if (upTo <= this.#base) return;
    const chunks: Buffer[] = [];
    while (this.#base < upTo) {
      const n = Math.min(upTo - this.#base, WINDOW_FRAMES);
      const bytes = Buffer.allocUnsafe(n * CHANNELS * 2);
      for (let i = 0; i < n * CHANNELS; i++) bytes.writeInt16LE(this.#window[i] ?? 0, i * 2);
      this.#window.copyWithin(0, n * CHANNELS);
      this.#window.fill(0, (WINDOW_FRAMES - n) * CHANNELS);
      this.#base += n;
      chunks.push(bytes);
    }
    const data = Buffer.concat(chunks);
    const offset = HEADER_BYTES + this.#dataBytes;
    this.#dataBytes += data.length;
    const header = wavHeader(this.#dataBytes);
    this.#queue = this.#queue.then(async () => {
      if (this.#failure !== undefined) return;
      try {
        const fh = await this.#file;
        await fh.write(data, 0, data.length, offset);
        await fh.write(header, 0, HEADER_BYTES, 0);
      } catch (error) {
        this.#fail(error);
      }
    });
  }

  #fail(error: unknown): void {
    const err = error instanceof Error ? error : new Error(String(error));
    if (this.#failure !== undefined) return;
    this.#failure = err;
    this.#logger.warn({ err, path: this.path }, 'recording failed');
    this.emit('error', err);
  }
}
