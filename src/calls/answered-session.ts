import { TONES } from '../media/index.ts';
import { Bridge } from './bridge.ts';
import type { CallContext } from './call-context.ts';
import type { CallerSession } from './caller-session.ts';
import type { Channel } from './channel.ts';
import type { Dial } from './dialer.ts';
import type { HangupCause } from './hangup-cause.ts';

/**
 * A callflow on a channel that is already answered (the `callflow` channel action, transfers):
 * while a dial rings, the channel hears ringback; bridging replaces its current bridge.
 */
export class AnsweredSession implements CallerSession {
  readonly channel: Channel;
  readonly #ctx: CallContext;

  constructor(context: CallContext, channel: Channel) {
    this.#ctx = context;
    this.channel = channel;
  }

  answer(): boolean {
    return !this.channel.closed;
  }

  follow(dial: Dial): void {
    let ringing = false;
    const ring = (): void => {
      if (ringing || this.channel.closed) return;
      ringing = true;
      this.channel.play(this.#ctx.engine.createTonePlayer(TONES.ringbackUs));
    };
    dial.on('ringing', ring);
    dial.on('early', ring);
    void dial.outcome.then(() => {
      if (ringing) this.channel.stopPlayback();
    });
  }

  bridge(callee: Channel): Bridge | undefined {
    if (this.channel.closed) {
      callee.hangup('ORIGINATOR_CANCEL');
      return undefined;
    }
    this.#ctx.bridges.get(this.channel.uuid)?.unbridge();
    return new Bridge(this.#ctx.engine, this.channel, callee, this.#ctx.bridges);
  }

  fail(_status: number, cause: HangupCause): void {
    this.channel.hangup(cause);
  }
}
