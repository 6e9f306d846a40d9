import { newUuid } from '../lib/index.ts';
import type { MediaEngine, RtpRelay, RtpSource } from '../media/index.ts';
import type { Channel } from './channel.ts';

/**
 * Two answered channels whose media relay to each other (`CHANNEL_BRIDGE`). When either channel
 * ends, the bridge tears down and hangs up the other with the same cause.
 */
export class Bridge {
  readonly id = newUuid();
  readonly a: Channel;
  readonly b: Channel;
  readonly relay: RtpRelay;
  #closed = false;

  constructor(engine: MediaEngine, a: Channel, b: Channel) {
    this.a = a;
    this.b = b;
    this.relay = engine.createRelay(a.media, b.media, payloadMaps(a, b));
    // Sources played to B take the place of what A says, and the reverse.
    a.playThroughBridge = (source: RtpSource | undefined) => this.relay.replaceSource('bToA', source);
    b.playThroughBridge = (source: RtpSource | undefined) => this.relay.replaceSource('aToB', source);
    a.bridgedTo(b, this.id);
    b.bridgedTo(a, this.id);
    a.once('closed', (cause) => this.#end(b, cause));
    b.once('closed', (cause) => this.#end(a, cause));
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Splits the bridge without hanging up (transfer...): both channels report `unbridged`. */
  unbridge(): void {
    this.#teardown(true);
  }

  #teardown(notify: boolean): void {
    if (this.#closed) return;
    this.#closed = true;
    this.relay.close();
    for (const c of [this.a, this.b]) {
      c.playThroughBridge = undefined;
      if (notify && !c.closed) c.bridgedTo(undefined, undefined);
    }
  }

  /** One side hung up: the other follows; no unbridge is reported for a teardown. */
  #end(survivor: Channel, cause: Parameters<Channel['hangup']>[0]): void {
    if (this.#closed) return;
    this.#teardown(false);
    survivor.hangup(cause === 'ORIGINATOR_CANCEL' ? 'NORMAL_CLEARING' : cause);
  }
}

/** Payload-type rewriting when the two legs numbered the same codec differently. */
function payloadMaps(a: Channel, b: Channel): { payloadTypes?: { aToB?: Record<number, number>; bToA?: Record<number, number> } } {
  const fa = a.media.format;
  const fb = b.media.format;
  const aToB: Record<number, number> = {};
  const bToA: Record<number, number> = {};
  if (fa.payloadType !== fb.payloadType) {
    aToB[fa.payloadType] = fb.payloadType;
    bToA[fb.payloadType] = fa.payloadType;
  }
  const ta = fa.telephoneEventPayloadType;
  const tb = fb.telephoneEventPayloadType;
  if (ta !== undefined && tb !== undefined && ta !== tb) {
    aToB[ta] = tb;
    bToA[tb] = ta;
  }
  return Object.keys(aToB).length === 0 ? {} : { payloadTypes: { aToB, bToA } };
}
