import { mkdir, unlink } from 'node:fs/promises';
import { ClosedError, type Clock, type Logger } from '../../lib/index.ts';
import type { MediaEngine } from '../../media/index.ts';
import type { Bridge } from '../bridge.ts';
import type { Channel } from '../channel.ts';
import { CallRecorder, type FinishedRecording } from './call-recorder.ts';
import type { RecordOptions } from './record-options.ts';
import type { RecordingArchive } from './recording-archive.ts';

/** Options of {@link CallRecordings}. */
export interface CallRecordingsOptions {
  readonly engine: MediaEngine;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Where WAVs are written while recording (created if missing). */
  readonly directory: string;
  readonly archive: RecordingArchive;
}

/** What `start` reports: the recording under way on the call (new, or the one already running). */
export interface RecordingStarted {
  /** The id the recording's `call_recording` document will have. */
  readonly recordingId: string;
  readonly mediaName: string;
  /** True when the call was already being recorded (starting twice is a no-op). */
  readonly alreadyRecording: boolean;
}

/** How a recording ended up: stored as a document, discarded as too short, or failed (file kept). */
export type RecordingOutcome =
  | { readonly status: 'stored'; readonly recordingId: string; readonly recording: FinishedRecording }
  | { readonly status: 'discarded'; readonly recordingId: string; readonly recording: FinishedRecording }
  | { readonly status: 'failed'; readonly recordingId: string; readonly error: Error };

/**
 * The recordings of live calls: at most one per bridge, reachable from either of its channels.
 * Each finished recording is archived (or discarded when shorter than `record_min_sec`).
 */
export class CallRecordings {
  readonly #o: CallRecordingsOptions;
  readonly #log: Logger;
  readonly #byChannel = new Map<string, CallRecorder>();
  readonly #outcomes = new Map<CallRecorder, Promise<RecordingOutcome>>();
  #closing: Promise<void> | undefined;

  private constructor(options: CallRecordingsOptions) {
    this.#o = options;
    this.#log = options.logger.child({ category: 'recording' });
  }

  /** Creates the temp directory and the service. */
  static async open(options: CallRecordingsOptions): Promise<CallRecordings> {
    await mkdir(options.directory, { recursive: true });
    return new CallRecordings(options);
  }

  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /** Recordings under way. */
  get active(): number {
    return [...new Set(this.#byChannel.values())].filter((r) => r.recording).length;
  }

  /** The recording of `channel`'s call, if one is under way. */
  recorderOf(channel: Channel): CallRecorder | undefined {
    const recorder = this.#byChannel.get(channel.uuid);
    return recorder?.recording === true ? recorder : undefined;
  }

  /** Starts recording `bridge` (named through `channel`); a call already recorded keeps its recording. */
  start(channel: Channel, bridge: Bridge, options: RecordOptions = {}): RecordingStarted {
    if (this.#closing !== undefined) throw new ClosedError('call recordings');
    const current = this.#byChannel.get(channel.uuid);
    if (current?.recording === true) return { recordingId: current.id, mediaName: current.mediaName, alreadyRecording: true };
    const recorder = new CallRecorder(this.#o, bridge, channel, options);
    for (const leg of [bridge.a, bridge.b]) this.#byChannel.set(leg.uuid, recorder);
    const outcome = recorder.finished.then(
      (recording) => this.#keep(recording),
      (error: unknown) => ({ status: 'failed', recordingId: recorder.id, error: error instanceof Error ? error : new Error(String(error)) }) as const,
    );
    this.#outcomes.set(recorder, outcome);
    void recorder.finished.then(
      () => this.#forget(recorder),
      () => this.#forget(recorder),
    );
    void outcome.finally(() => this.#outcomes.delete(recorder));
    return { recordingId: recorder.id, mediaName: recorder.mediaName, alreadyRecording: false };
  }

  /** Stops the recording of `channel`'s call and resolves once it is stored; undefined when there is none. */
  stop(channel: Channel): Promise<RecordingOutcome> | undefined {
    const recorder = this.#byChannel.get(channel.uuid);
    if (recorder?.recording !== true) return undefined;
    void recorder.stop('command');
    return this.#outcomes.get(recorder);
  }

  /** Resolves once every recording finished so far is stored or discarded. */
  async settled(): Promise<void> {
    await Promise.all([...this.#outcomes.values()]);
  }

  /** Stops every recording and waits until each is archived. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      for (const recorder of new Set(this.#byChannel.values())) void recorder.stop('shutdown');
      await this.settled();
    })();
    return this.#closing;
  }

  #forget(recorder: CallRecorder): void {
    for (const leg of [recorder.bridge.a, recorder.bridge.b]) {
      if (this.#byChannel.get(leg.uuid) === recorder) this.#byChannel.delete(leg.uuid);
    }
  }

  async #keep(recording: FinishedRecording): Promise<RecordingOutcome> {
    const minMs = (recording.options.recordMinSec ?? 0) * 1000;
    if (recording.durationMs < minMs) {
      await unlink(recording.path).catch((error: unknown) => this.#log.warn({ err: error, path: recording.path }, 'short recording not deleted'));
      this.#log.info({ recording: recording.id, durationMs: recording.durationMs }, 'recording shorter than record_min_sec: discarded');
      return { status: 'discarded', recordingId: recording.id, recording };
    }
    try {
      const recordingId = await this.#o.archive.archive(recording);
      return { status: 'stored', recordingId, recording };
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      this.#log.error({ err, recording: recording.id, path: recording.path }, 'recording not stored; its WAV is kept');
      return { status: 'failed', recordingId: recording.id, error: err };
    }
  }
}
