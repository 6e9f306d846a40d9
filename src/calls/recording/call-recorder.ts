import { join } from 'node:path';
import { randomHex, type Clock, type Logger, type TimerHandle } from '../../lib/index.ts';
import { G711_CODECS, type G711Codec, type MediaEngine, type WavRecorder } from '../../media/index.ts';
import type { Bridge } from '../bridge.ts';
import type { Channel, ChannelProfile } from '../channel.ts';
import { RECORDING_LIMITS, type RecordOptions } from './record-options.ts';

/** Why a recording ended. */
export const RECORDING_STOP_REASONS = ['command', 'hangup', 'unbridged', 'time_limit', 'shutdown', 'failed'] as const;
export type RecordingStopReason = (typeof RECORDING_STOP_REASONS)[number];

/** A recorder's life: it records, then finishes its WAV once, then is done. */
export const RECORDER_STATES = ['recording', 'finishing', 'finished'] as const;
export type RecorderState = (typeof RECORDER_STATES)[number];

const TRANSITIONS: Readonly<Record<RecorderState, readonly RecorderState[]>> = {
  recording: ['finishing'],
  finishing: ['finished'],
  finished: [],
};

/** A recording whose WAV is complete on disk, with what its document needs. */
export interface FinishedRecording {
  /** The id its `call_recording` document gets (KAZOO's `YYYYMM-<32 hex>`). */
  readonly id: string;
  readonly mediaName: string;
  /** The finished WAV (a temporary file until archived). */
  readonly path: string;
  readonly durationMs: number;
  readonly bytes: number;
  /** Unix ms. */
  readonly startedAt: number;
  readonly endedAt: number;
  readonly reason: RecordingStopReason;
  /** The channel the start command named (the doc's `call_id`, caller and callee ids). */
  readonly channel: ChannelProfile;
  /** The leg whose voice is the left channel (the bridge's A leg) and the right one. */
  readonly left: ChannelProfile;
  readonly right: ChannelProfile;
  readonly options: RecordOptions;
}

/** What a recorder is built from (the switch's engine and clock, and where temp files go). */
export interface CallRecorderDeps {
  readonly engine: MediaEngine;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Directory of the WAVs being written. */
  readonly directory: string;
}

/**
 * Records one bridge as a stereo WAV (left = what the A leg says, right = what the B leg says) by
 * tapping its RTP relay. It stops on `stop()`, at the time limit, when the bridge splits or when
 * either leg hangs up; the WAV header is rewritten every second, so the file is valid at any moment.
 */
export class CallRecorder {
  readonly id: string;
  readonly mediaName: string;
  readonly startedAt: number;
  readonly channel: Channel;
  readonly bridge: Bridge;
  readonly options: RecordOptions;
  /** Resolves once the WAV is finished (whatever stopped it); rejects if writing it failed. */
  readonly finished: Promise<FinishedRecording>;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #wav: WavRecorder;
  readonly #detach: (() => void)[] = [];
  #timer: TimerHandle | undefined;
  #state: RecorderState = 'recording';
  #resolve!: (recording: FinishedRecording) => void;
  #reject!: (error: Error) => void;

  constructor(deps: CallRecorderDeps, bridge: Bridge, channel: Channel, options: RecordOptions = {}) {
    this.#clock = deps.clock;
    this.bridge = bridge;
    this.channel = channel;
    this.options = options;
    this.startedAt = deps.clock.now();
    this.id = recordingDocId(this.startedAt);
    this.mediaName = withWavExtension(options.mediaName ?? `${randomHex(16)}.wav`);
    this.#log = deps.logger.child({ category: 'recording', recording: this.id, channel: channel.uuid });
    this.finished = new Promise<FinishedRecording>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // Nobody may be waiting (a hangup ends it): the owner reads `finished`; never an unhandled rejection.
    this.finished.catch(() => undefined);
    this.#wav = deps.engine.createRecorder(join(deps.directory, `${this.id}.wav`), { payloadTypes: payloadTypes(bridge) });
    this.#wav.on('error', () => void this.stop('failed'));
    this.#detach.push(bridge.relay.addTap(this.#wav.tap));
    this.#detach.push(
      bridge.relay.on('close', () => void this.stop(bridge.a.closed || bridge.b.closed ? 'hangup' : 'unbridged')),
    );
    const limit = (options.timeLimit ?? RECORDING_LIMITS.defaultTimeLimit) * 1000;
    this.#timer = deps.clock.setTimeout(() => {
      this.#timer = undefined;
      void this.stop('time_limit');
    }, limit);
    this.#log.info({ path: this.#wav.path, mediaName: this.mediaName }, 'recording started');
  }

  get state(): RecorderState {
    return this.#state;
  }

  get recording(): boolean {
    return this.#state === 'recording';
  }

  /** Stops recording and finishes the WAV; the first reason wins. Idempotent. */
  stop(reason: RecordingStopReason = 'command'): Promise<FinishedRecording> {
    if (this.#state !== 'recording') return this.finished;
    this.#transition('finishing');
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const detach of this.#detach.splice(0)) detach();
    const endedAt = this.#clock.now();
    this.#wav.close().then(
      (info) => {
        this.#transition('finished');
        this.#log.info({ reason, durationMs: info.durationMs }, 'recording finished');
        this.#resolve({
          id: this.id,
          mediaName: this.mediaName,
          path: info.path,
          durationMs: info.durationMs,
          bytes: info.bytes,
          startedAt: this.startedAt,
          endedAt,
          reason,
          channel: this.channel.profile,
          left: this.bridge.a.profile,
          right: this.bridge.b.profile,
          options: this.options,
        });
      },
      (error: unknown) => {
        this.#transition('finished');
        const err = error instanceof Error ? error : new Error(String(error));
        this.#log.error({ err, path: this.#wav.path }, 'recording could not be finished');
        this.#reject(err);
      },
    );
    return this.finished;
  }

  #transition(to: RecorderState): void {
    const from = this.#state;
    if (!TRANSITIONS[from].includes(to)) throw new Error(`recording ${this.id}: illegal transition ${from} → ${to}`);
    this.#state = to;
    this.#log.debug({ from, to }, 'recorder state');
  }
}

/** KAZOO's recording ids: the month's MODB prefix and 32 hex (`202601-0f3c...`). */
export function recordingDocId(unixMs: number): string {
  const d = new Date(unixMs);
  return `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}-${randomHex(16)}`;
}

/** KAZOO's `get_media_name`: the format's extension is added when missing. */
function withWavExtension(name: string): string {
  return name.toLowerCase().endsWith('.wav') ? name : `${name}.wav`;
}

/** The G.711 payload types both legs use (the relay rewrites B's numbering into A's and back). */
function payloadTypes(bridge: Bridge): Record<number, G711Codec> {
  const map: Record<number, G711Codec> = { [G711_CODECS.PCMU]: 'PCMU', [G711_CODECS.PCMA]: 'PCMA' };
  for (const leg of [bridge.a, bridge.b]) map[leg.media.format.payloadType] = leg.media.format.codec;
  return map;
}
