import type { Clock } from '../lib/index.ts';
import { DtmfError } from './errors.ts';
import { Pacer } from './pacer.ts';
import { RTP_HEADER_LENGTH } from './rtp-packet.ts';
import { RtpSource } from './rtp-source.ts';
import type { RtpOutput } from './rtp-source.ts';
import { eventOfDigit, writeTelephoneEvent } from './telephone-event.ts';

/** Options of a {@link DtmfSender}. */
export interface DtmfSenderOptions {
  clock: Clock;
  /** Tone length of each digit; default 100 ms. */
  durationMs?: number;
  /** Silence between digits; default 60 ms. */
  gapMs?: number;
  /** Power level as -dBm0 (RFC 4733 §2.3.4); default 10. */
  volume?: number;
}

const TICK_MS = 20;
const END_REPEATS = 3;

type Step = { kind: 'tone'; event: number; duration: number; first: boolean } | { kind: 'end'; event: number; duration: number } | { kind: 'gap' };

/**
 * Sends digits as RFC 4733 telephone-events on the output's telephone-event payload type: per
 * digit, a first packet with the marker bit, an update every 20 ms with the duration so far, then
 * the end packet three times (§2.5.1.4), all with the event's start timestamp (§2.5.1.3); the
 * media clock keeps advancing so audio after the digits stays continuous.
 */
export class DtmfSender extends RtpSource {
  readonly #steps: Step[] = [];
  readonly #clock: Clock;
  readonly #volume: number;
  #pacer: Pacer | undefined;

  constructor(digits: string, options: DtmfSenderOptions) {
    super();
    if (digits.length === 0) throw new DtmfError('no digits to send');
    this.#clock = options.clock;
    this.#volume = Math.min(63, Math.max(0, Math.round(options.volume ?? 10)));
    const ticks = Math.max(1, Math.ceil((options.durationMs ?? 100) / TICK_MS));
    const gapTicks = Math.max(0, Math.ceil((options.gapMs ?? 60) / TICK_MS));
    [...digits].forEach((d, i) => {
      const event = eventOfDigit(d);
      if (i > 0) for (let g = 0; g < gapTicks; g++) this.#steps.push({ kind: 'gap' });
      for (let t = 0; t < ticks; t++) this.#steps.push({ kind: 'tone', event, duration: (t + 1) * 160, first: t === 0 });
      for (let r = 0; r < END_REPEATS; r++) this.#steps.push({ kind: 'end', event, duration: ticks * 160 });
    });
  }

  protected onStart(output: RtpOutput): void {
    const pt = output.format.telephoneEventPayloadType;
    if (pt === undefined) throw new DtmfError('the leg did not negotiate telephone-event');
    const seq = output.sequencer;
    let index = 0;
    let eventTimestamp = 0;
    const pacer = new Pacer(this.#clock, TICK_MS, () => {
      const step = this.#steps[index++];
      if (step === undefined) {
        this.finish('finished');
        return;
      }
      const now = seq.claim(160);
      if (step.kind !== 'gap') {
        let marker = false;
        if (step.kind === 'tone' && step.first) {
          eventTimestamp = now;
          seq.takeMarker();
          marker = true;
        }
        const packet = seq.packet(pt, eventTimestamp, marker, 4);
        writeTelephoneEvent(packet, RTP_HEADER_LENGTH, {
          event: step.event,
          end: step.kind === 'end',
          volume: this.#volume,
          duration: step.duration,
        });
        output.send(packet);
      }
      if (index >= this.#steps.length) this.finish('finished');
    });
    this.#pacer = pacer;
    pacer.start();
  }

  protected onStop(): void {
    this.#pacer?.stop();
    this.#pacer = undefined;
  }
}
