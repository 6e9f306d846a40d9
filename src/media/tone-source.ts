import { G711_RATE } from './g711.ts';
import type { FrameSource } from './rtp-player.ts';

/** A call-progress tone: summed sine frequencies switched by an on/off cadence. */
export interface ToneSpec {
  /** Frequencies in Hz, summed (dual-frequency tones have two). */
  frequencies: readonly number[];
  /** Alternating on/off durations in ms (`[2000, 4000]`); empty or absent for a steady tone. */
  cadenceMs?: readonly number[];
  /** Level of each frequency in dBm0; default -13 (ITU-T E.180 range). */
  levelDbm0?: number;
  /** Stop after this many ms; default never. */
  durationMs?: number;
}

/** Common tones (ITU-T E.180 / national plans); callers may pass their own spec. */
export const TONES = {
  /** US ringback: 440+480 Hz, 2 s on, 4 s off. */
  ringbackUs: { frequencies: [440, 480], cadenceMs: [2000, 4000] },
  /** UK ringback: 400+450 Hz, 0.4 on 0.2 off 0.4 on 2 off. */
  ringbackUk: { frequencies: [400, 450], cadenceMs: [400, 200, 400, 2000] },
  /** European (CEPT) ringback: 425 Hz, 1 s on, 4 s off. */
  ringbackEu: { frequencies: [425], cadenceMs: [1000, 4000] },
  /** US busy: 480+620 Hz, 0.5 s on, 0.5 s off. */
  busyUs: { frequencies: [480, 620], cadenceMs: [500, 500] },
  /** US dial tone: 350+440 Hz, steady. */
  dialUs: { frequencies: [350, 440] },
} as const satisfies Record<string, ToneSpec>;

/** µ-law full-scale sine is +3.17 dBm0 (ITU-T G.711). */
const FULL_SCALE_DBM0 = 3.17;

/** Generates a {@link ToneSpec} as 8 kHz PCM with continuous phase across frames. */
export class ToneSource implements FrameSource {
  readonly #steps: number[];
  readonly #phases: number[];
  readonly #amplitude: number;
  readonly #cadence: number[];
  readonly #cycle: number;
  readonly #total: number;
  #n = 0;

  constructor(spec: ToneSpec) {
    this.#steps = spec.frequencies.map((f) => (2 * Math.PI * f) / G711_RATE);
    this.#phases = spec.frequencies.map(() => 0);
    this.#amplitude = 32767 * 10 ** (((spec.levelDbm0 ?? -13) - FULL_SCALE_DBM0) / 20);
    this.#cadence = (spec.cadenceMs ?? []).map((ms) => Math.round((ms * G711_RATE) / 1000));
    this.#cycle = this.#cadence.reduce((a, b) => a + b, 0);
    this.#total = spec.durationMs === undefined ? Infinity : Math.round((spec.durationMs * G711_RATE) / 1000);
  }

  #on(n: number): boolean {
    if (this.#cycle === 0) return true;
    let t = n % this.#cycle;
    for (let i = 0; i < this.#cadence.length; i++) {
      const len = this.#cadence[i] ?? 0;
      if (t < len) return i % 2 === 0;
      t -= len;
    }
    return false;
  }

  read(out: Int16Array): number {
    const count = Math.min(out.length, this.#total - this.#n);
    for (let i = 0; i < count; i++) {
      let v = 0;
      for (let k = 0; k < this.#steps.length; k++) {
        const phase = this.#phases[k] ?? 0;
        v += Math.sin(phase);
        this.#phases[k] = (phase + (this.#steps[k] ?? 0)) % (2 * Math.PI);
      }
      out[i] = this.#on(this.#n + i) ? Math.round(v * this.#amplitude) : 0;
    }
    this.#n += count;
    return count;
  }
}
