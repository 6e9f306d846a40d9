import { SwitchboardError, TypedEmitter } from '../lib/index.ts';
import type { RtpSequencer } from './rtp-sequencer.ts';
import type { MediaFormat } from './sdp-offer-answer.ts';

/** Where a generated stream goes: a leg's sequencer (SSRC/seq/timestamp), its format, and a sender. */
export interface RtpOutput {
  readonly sequencer: RtpSequencer;
  readonly format: MediaFormat;
  send(packet: Buffer): void;
}

/** Why a source stopped: it ran out (`finished`) or was stopped/closed/replaced (`stopped`). */
export type SourceEndReason = 'finished' | 'stopped' | 'error';

/** Events of every {@link RtpSource}. */
export type RtpSourceEvents = {
  ended: [reason: SourceEndReason];
};

/**
 * A generator of RTP (tone, WAV player, DTMF sender). Single use: `start` once, then it ends by
 * itself or by `stop()`; `ended` is emitted exactly once either way.
 */
export abstract class RtpSource extends TypedEmitter<RtpSourceEvents> {
  #state: 'idle' | 'playing' | 'ended' = 'idle';

  /** True once the source has ended (by itself or by `stop`/`close`). */
  get closed(): boolean {
    return this.#state === 'ended';
  }

  get playing(): boolean {
    return this.#state === 'playing';
  }

  /** Begins sending into `output`. Throws if already started or ended. */
  start(output: RtpOutput): void {
    if (this.#state !== 'idle') throw new SwitchboardError('media_source_state', `source already ${this.#state}`);
    this.#state = 'playing';
    output.sequencer.resync();
    try {
      this.onStart(output);
    } catch (error) {
      this.finish('error');
      throw error;
    }
  }

  /** Stops sending; emits `ended` with `stopped` if it was still running. Idempotent. */
  stop(): void {
    this.finish('stopped');
  }

  /** Same as {@link stop}. */
  close(): void {
    this.finish('stopped');
  }

  /** Subclasses call this when they run out; releases timers through `onStop`. */
  protected finish(reason: SourceEndReason): void {
    if (this.#state === 'ended') return;
    const wasPlaying = this.#state === 'playing';
    this.#state = 'ended';
    if (wasPlaying) this.onStop();
    this.emit('ended', reason);
  }

  protected abstract onStart(output: RtpOutput): void;
  protected abstract onStop(): void;
}
