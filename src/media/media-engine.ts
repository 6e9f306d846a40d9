import { ClosedError, SystemClock, silentLogger } from '../lib/index.ts';
import type { Clock, Logger } from '../lib/index.ts';
import { DtmfSender } from './dtmf-sender.ts';
import type { DtmfSenderOptions } from './dtmf-sender.ts';
import { MediaEndpoint } from './media-endpoint.ts';
import type { LatchingPolicy } from './media-endpoint.ts';
import { PortPool } from './port-pool.ts';
import type { PortRange, SocketBinder } from './port-pool.ts';
import { RtpPlayer } from './rtp-player.ts';
import { RtpRelay } from './rtp-relay.ts';
import type { RtpRelayOptions } from './rtp-relay.ts';
import type { RtpSource } from './rtp-source.ts';
import { ToneSource } from './tone-source.ts';
import type { ToneSpec } from './tone-source.ts';
import { SampleSource, decodeWav } from './wav.ts';
import { WavRecorder } from './wav-recorder.ts';
import type { WavRecorderOptions } from './wav-recorder.ts';

/** Options of a {@link MediaEngine}. */
export interface MediaEngineOptions {
  /** Address the RTP sockets bind to. */
  address: string;
  /** Address written in SDP when it differs from the bind address (NAT); default `address`. */
  advertisedAddress?: string;
  /** RTP port range; `{ min: 0, max: 0 }` lets the OS choose (tests). */
  portRange: PortRange;
  latching?: LatchingPolicy;
  clock?: Clock;
  logger?: Logger;
  /** Replaces real UDP binding (tests). */
  bind?: SocketBinder;
}

/** Counts of what the engine holds, and traffic of its live endpoints. */
export interface MediaStats {
  endpoints: number;
  relays: number;
  sources: number;
  recorders: number;
  portsInUse: number;
  /** Pairs the range holds; null when the OS chooses ports (range 0-0). */
  portCapacity: number | null;
  packetsIn: number;
  packetsOut: number;
  bytesIn: number;
  bytesOut: number;
}

/**
 * The built-in media engine: owns the RTP port pool and every endpoint, relay, player and recorder
 * it creates, and closes them all on `close()`.
 */
export class MediaEngine {
  readonly address: string;
  readonly advertisedAddress: string;
  readonly clock: Clock;
  readonly #pool: PortPool;
  readonly #logger: Logger;
  readonly #latching: LatchingPolicy;
  readonly #endpoints = new Set<MediaEndpoint>();
  readonly #relays = new Set<RtpRelay>();
  readonly #sources = new Set<RtpSource>();
  readonly #recorders = new Set<WavRecorder>();
  /** Decoded samples by WAV buffer (weak: a buffer nobody holds any more frees its samples). */
  readonly #decoded = new WeakMap<Uint8Array, Int16Array>();
  #closing: Promise<void> | undefined;

  constructor(options: MediaEngineOptions) {
    this.address = options.address;
    this.advertisedAddress = options.advertisedAddress ?? options.address;
    this.clock = options.clock ?? new SystemClock();
    this.#logger = (options.logger ?? silentLogger).child({ category: 'media' });
    this.#latching = options.latching ?? 'always';
    const poolOptions = { address: options.address, range: options.portRange, logger: this.#logger };
    this.#pool = new PortPool(options.bind === undefined ? poolOptions : { ...poolOptions, bind: options.bind });
  }

  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /** Binds a new RTP/RTCP pair; throws PortsExhaustedError when the range is full. */
  async createEndpoint(options: { latching?: LatchingPolicy } = {}): Promise<MediaEndpoint> {
    this.#assertOpen();
    const lease = await this.#pool.allocate();
    if (this.closed) {
      lease.release();
      throw new ClosedError('media engine');
    }
    const endpoint = new MediaEndpoint({
      lease,
      clock: this.clock,
      advertisedAddress: this.advertisedAddress,
      latching: options.latching ?? this.#latching,
      logger: this.#logger,
    });
    this.#endpoints.add(endpoint);
    endpoint.on('close', () => this.#endpoints.delete(endpoint));
    return endpoint;
  }

  /** Relays RTP/RTCP between two endpoints. */
  createRelay(a: MediaEndpoint, b: MediaEndpoint, options: RtpRelayOptions = {}): RtpRelay {
    this.#assertOpen();
    const relay = new RtpRelay(a, b, { logger: this.#logger, ...options });
    this.#relays.add(relay);
    relay.on('close', () => this.#relays.delete(relay));
    return relay;
  }

  /** A player of a call-progress tone (see TONES). */
  createTonePlayer(tone: ToneSpec): RtpPlayer {
    return this.#track(new RtpPlayer(new ToneSource(tone), { clock: this.clock }));
  }

  /**
   * A player of a WAV file (validated and decoded now; throws WavFormatError). Players of the same
   * buffer share one decoded copy (SampleSource only reads it): 800 held calls on one music file
   * hold one copy, not 800.
   */
  createWavPlayer(wav: Uint8Array, options: { loop?: boolean } = {}): RtpPlayer {
    let samples = this.#decoded.get(wav);
    if (samples === undefined) {
      samples = decodeWav(wav).samples;
      this.#decoded.set(wav, samples);
    }
    return this.#track(new RtpPlayer(new SampleSource(samples, options), { clock: this.clock }));
  }

  /** An RFC 4733 sender of `digits`. */
  createDtmfSender(digits: string, options: Omit<DtmfSenderOptions, 'clock'> = {}): DtmfSender {
    return this.#track(new DtmfSender(digits, { ...options, clock: this.clock }));
  }

  /** A stereo WAV recorder writing to `path`; feed it with `relay.addTap(recorder.tap)`. */
  createRecorder(path: string, options: Omit<WavRecorderOptions, 'clock' | 'logger'> = {}): WavRecorder {
    this.#assertOpen();
    const recorder = new WavRecorder(path, { ...options, clock: this.clock, logger: this.#logger });
    this.#recorders.add(recorder);
    recorder.on('close', () => this.#recorders.delete(recorder));
    return recorder;
  }

  stats(): MediaStats {
    const s: MediaStats = {
      endpoints: this.#endpoints.size,
      relays: this.#relays.size,
      sources: this.#sources.size,
      recorders: this.#recorders.size,
      portsInUse: this.#pool.inUse,
      portCapacity: Number.isFinite(this.#pool.capacity) ? this.#pool.capacity : null,
      packetsIn: 0,
      packetsOut: 0,
      bytesIn: 0,
      bytesOut: 0,
    };
    for (const e of this.#endpoints) {
      s.packetsIn += e.counters.packetsIn;
      s.packetsOut += e.counters.packetsOut;
      s.bytesIn += e.counters.bytesIn;
      s.bytesOut += e.counters.bytesOut;
    }
    return s;
  }

  /** Closes everything; resolves once recordings are finalized and every socket has closed. */
  close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    for (const r of [...this.#relays]) r.close();
    for (const s of [...this.#sources]) s.stop();
    for (const e of [...this.#endpoints]) e.close();
    const recorders = [...this.#recorders].map((r) =>
      r.close().then(
        () => undefined,
        (error: unknown) => this.#logger.warn({ err: error }, 'recording failed to finalize'),
      ),
    );
    this.#recorders.clear();
    this.#pool.close();
    this.#closing = Promise.all(recorders).then(() => this.#pool.whenIdle());
    return this.#closing;
  }

  #track<S extends RtpSource>(source: S): S {
    this.#assertOpen();
    this.#sources.add(source);
    source.once('ended', () => this.#sources.delete(source));
    return source;
  }

  #assertOpen(): void {
    if (this.#closing !== undefined) throw new ClosedError('media engine');
  }
}
