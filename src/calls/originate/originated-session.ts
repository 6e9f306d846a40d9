import { TONES, type RtpRelay, type ToneSpec } from '../../media/index.ts';
import { Bridge } from '../bridge.ts';
import type { CallContext } from '../call-context.ts';
import type { CallerSession } from '../caller-session.ts';
import type { Channel } from '../channel.ts';
import type { Dial } from '../dialer.ts';
import type { HangupCause } from '../hangup-cause.ts';

/** What an originate learns from its answered first leg's session. */
export interface OriginatedSessionHooks {
  /** A flow module took the leg over (it answered it: park, play...). */
  started(): void;
  /** A dial rings for the leg (the `connect` step, or a flow's bridging module). */
  dialing(dial: Dial): void;
  /** The leg is bridged to `callee`. */
  bridged(callee: Channel): void;
  /** The flow or the connect step failed; the leg is hung up with `cause`. */
  failed(status: number, cause: HangupCause): void;
}

/**
 * The answered first leg of an originate as the caller of its action (a {@link CallerSession}):
 * while a dial rings it hears ringback (or, with `ignoreEarlyMedia: false`, the callee's early
 * media), then it is bridged to the answer with a new {@link Bridge}.
 */
export class OriginatedSession implements CallerSession {
  readonly channel: Channel;
  readonly #ctx: CallContext;
  readonly #hooks: OriginatedSessionHooks;
  readonly #ignoreEarlyMedia: boolean;
  readonly #ringback: ToneSpec;
  #early: { relay: RtpRelay; from: Channel } | undefined;
  #ringing = false;

  constructor(context: CallContext, channel: Channel, hooks: OriginatedSessionHooks, options: { ignoreEarlyMedia?: boolean; ringback?: ToneSpec } = {}) {
    this.#ctx = context;
    this.channel = channel;
    this.#hooks = hooks;
    this.#ignoreEarlyMedia = options.ignoreEarlyMedia ?? true;
    this.#ringback = options.ringback ?? TONES.ringbackUs;
    channel.once('closed', () => this.#quiet());
  }

  /** Already answered: a module that answers is starting its work. */
  answer(): boolean {
    if (this.channel.closed) return false;
    this.#hooks.started();
    return true;
  }

  /** Ringback from now until the dial has its outcome; the callee's early media instead when asked for. */
  follow(dial: Dial): void {
    this.#hooks.dialing(dial);
    this.#startRingback();
    dial.on('early', (callee) => {
      if (this.#ignoreEarlyMedia || this.channel.closed || this.#early !== undefined) return;
      this.#stopRingback();
      this.#early = { relay: this.#ctx.engine.createRelay(this.channel.media, callee.media), from: callee };
      callee.once('closed', () => {
        if (this.#early?.from === callee) this.#closeEarly();
      });
    });
    void dial.outcome.then(() => this.#quiet());
  }

  bridge(callee: Channel): Bridge | undefined {
    this.#quiet();
    if (this.channel.closed) {
      callee.hangup('ORIGINATOR_CANCEL');
      return undefined;
    }
    this.#ctx.bridges.get(this.channel.uuid)?.unbridge();
    const bridge = new Bridge(this.#ctx.engine, this.channel, callee, this.#ctx.bridges);
    this.#hooks.bridged(callee);
    return bridge;
  }

  fail(status: number, cause: HangupCause): void {
    this.#quiet();
    this.#hooks.failed(status, cause);
    this.channel.hangup(cause);
  }

  #startRingback(): void {
    if (this.#ringing || this.channel.closed || this.#early !== undefined) return;
    this.#ringing = true;
    this.channel.play(this.#ctx.engine.createTonePlayer(this.#ringback));
  }

  #stopRingback(): void {
    if (!this.#ringing) return;
    this.#ringing = false;
    this.channel.stopPlayback();
  }

  #closeEarly(): void {
    this.#early?.relay.close();
    this.#early = undefined;
  }

  /** Nothing more to hear from the dial: ringback and early media stop. */
  #quiet(): void {
    this.#stopRingback();
    this.#closeEarly();
  }
}
