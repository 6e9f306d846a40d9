import type { Clock } from '../lib/index.ts';
import { encodeG711, G711_RATE } from './g711.ts';
import { Pacer } from './pacer.ts';
import { RtpSource } from './rtp-source.ts';
import type { RtpOutput } from './rtp-source.ts';
import { RTP_HEADER_LENGTH } from './rtp-packet.ts';

/** Audio for a player: 8 kHz linear PCM handed out one frame at a time. */
export interface FrameSource {
  /** Fills `out` with the next samples; returns how many were written, 0 when exhausted. */
  read(out: Int16Array): number;
}

/** Options of an {@link RtpPlayer}. */
export interface RtpPlayerOptions {
  clock: Clock;
  /** Packetization time; default 20 ms (160 samples at 8 kHz). */
  ptimeMs?: number;
}

/**
 * Plays a {@link FrameSource} as G.711 RTP: one packet every ptime on the injected clock, in the
 * output's codec and payload type, with the output's SSRC/sequence/timestamp continuity.
 */
export class RtpPlayer extends RtpSource {
  readonly #frames: FrameSource;
  readonly #clock: Clock;
  readonly #samples: number;
  #pacer: Pacer | undefined;

  constructor(frames: FrameSource, options: RtpPlayerOptions) {
    super();
    this.#frames = frames;
    this.#clock = options.clock;
    this.#samples = ((options.ptimeMs ?? 20) * G711_RATE) / 1000;
  }

  protected onStart(output: RtpOutput): void {
    const pcm = new Int16Array(this.#samples);
    const seq = output.sequencer;
    const pacer = new Pacer(this.#clock, (this.#samples * 1000) / G711_RATE, () => {
      const n = this.#frames.read(pcm);
      if (n === 0) {
        this.finish('finished');
        return;
      }
      if (n < pcm.length) pcm.fill(0, n);
      // Read per packet: the leg's format may change while playing (the answer to a late offer).
      const { codec, payloadType } = output.format;
      const ts = seq.claim(pcm.length);
      const packet = seq.packet(payloadType, ts, seq.takeMarker(), pcm.length);
      encodeG711(codec, pcm, packet, RTP_HEADER_LENGTH);
      output.send(packet);
      if (n < pcm.length) this.finish('finished');
    });
    this.#pacer = pacer;
    pacer.start();
  }

  protected onStop(): void {
    this.#pacer?.stop();
    this.#pacer = undefined;
  }
}
