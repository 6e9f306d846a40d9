import type { Logger } from '../../lib/index.ts';
import { Bridge } from '../bridge.ts';
import type { CallContext } from '../call-context.ts';
import type { Channel } from '../channel.ts';
import { Dial, type DialOutcome, type DialTarget } from '../dialer.ts';
import type { HangupCause } from '../hangup-cause.ts';
import type { TakeoverPlan } from './takeover-plan.ts';
import type { TakeoverCall, TakeoverOutcome } from './takeover-types.ts';

/** How the target is rung. */
export interface TakeoverDialOptions {
  readonly accountId: string;
  readonly realm: string;
  /** What the target's phone shows: the party it will talk to. */
  readonly callerIdName: string;
  readonly callerIdNumber: string;
  readonly timeoutMs: number;
}

/**
 * One intercept or move (reference §3.7): rings the target devices with the codec of the party
 * that stays; the first answer takes the call over as the plan says. If the call ends, is answered
 * elsewhere or the target does not answer, the call stays as it was.
 */
export class Takeover implements TakeoverCall {
  readonly kept: Channel | undefined;
  readonly outcome: Promise<TakeoverOutcome>;
  readonly #ctx: CallContext;
  readonly #plan: TakeoverPlan;
  readonly #dial: Dial;
  readonly #log: Logger;
  readonly #offs: (() => void)[] = [];
  #resolve!: (outcome: TakeoverOutcome) => void;
  #taker: Channel | undefined;
  /** Why we stopped ringing the target ourselves. */
  #stopped: HangupCause | undefined;

  constructor(context: CallContext, plan: TakeoverPlan, targets: readonly DialTarget[], options: TakeoverDialOptions) {
    this.#ctx = context;
    this.#plan = plan;
    this.kept = plan.kept;
    this.#log = context.logger.child({ takeover: plan.kept?.uuid ?? 'ringing' });
    this.outcome = new Promise((resolve) => {
      this.#resolve = resolve;
    });
    this.#dial = new Dial(context, targets, {
      accountId: options.accountId,
      realm: options.realm,
      callerIdName: options.callerIdName,
      callerIdNumber: options.callerIdNumber,
      ...(plan.kept !== undefined ? { peer: plan.kept } : {}),
      timeoutMs: options.timeoutMs,
    });
  }

  /** Rings the target; resolves once its legs are on their way. */
  async start(): Promise<this> {
    const plan = this.#plan;
    const dial = this.#dial;
    if (plan.kept !== undefined) this.#offs.push(plan.kept.on('closed', () => this.#stop('ORIGINATOR_CANCEL')));
    if (plan.kind === 'ringing') {
      // Answered (or given up) elsewhere before the target answered: nothing left to take.
      void plan.dial.outcome.then((o) => {
        if (o.answered === undefined || o.answered !== this.#taker) this.#stop('LOSE_RACE');
      });
    }
    void dial.outcome
      .then((o) => this.#answered(o))
      .catch((error: unknown) => {
        this.#log.error({ err: error }, 'takeover failed');
        this.#finish({ ok: false, cause: 'NORMAL_TEMPORARY_FAILURE' });
      });
    await dial.start();
    return this;
  }

  cancel(): void {
    this.#stop('ORIGINATOR_CANCEL');
  }

  #stop(cause: HangupCause): void {
    if (this.#dial.done) return;
    this.#stopped ??= cause;
    this.#dial.cancel(cause);
  }

  #answered(o: DialOutcome): void {
    for (const off of this.#offs.splice(0)) off();
    if (o.answered === undefined) return this.#finish({ ok: false, cause: this.#stopped ?? o.cause });
    const taker = o.answered;
    const plan = this.#plan;
    if (plan.kind === 'ringing') {
      this.#taker = taker;
      if (plan.dial.handOver(taker, o.media, 'LOSE_RACE')) return this.#finish({ ok: true, kept: plan.kept, taker });
      taker.hangup('LOSE_RACE');
      return this.#finish({ ok: false, cause: 'LOSE_RACE' });
    }
    const kept = plan.kept;
    if (kept.closed) {
      taker.hangup('ORIGINATOR_CANCEL');
      return this.#finish({ ok: false, cause: 'ORIGINATOR_CANCEL' });
    }
    const current = this.#ctx.bridges.get(kept.uuid);
    if (current !== undefined && !current.closed) {
      const leaving = current.peerOf(kept);
      current.unbridge();
      leaving.hangup('NORMAL_CLEARING');
    }
    kept.stopPlayback();
    kept.setOnHold(false);
    new Bridge(this.#ctx.engine, kept, taker, this.#ctx.bridges);
    this.#finish({ ok: true, kept, taker });
  }

  #finish(outcome: TakeoverOutcome): void {
    this.#log.info(outcome.ok ? { taker: outcome.taker.uuid } : { cause: outcome.cause }, outcome.ok ? 'call taken over' : 'takeover failed');
    this.#resolve(outcome);
  }
}
