import { newUuid } from '../lib/index.ts';
import type { MediaEngine, RelayDirection, RtpRelay, RtpSource } from '../media/index.ts';
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
  readonly #registry: Map<string, Bridge> | undefined;
  #music: RtpSource | undefined;
  #closed = false;

  /** `registry` (channel uuid → bridge) lets commands find a channel's bridge. */
  constructor(engine: MediaEngine, a: Channel, b: Channel, registry?: Map<string, Bridge>) {
    this.a = a;
    this.b = b;
    this.#registry = registry;
    registry?.set(a.uuid, this);
    registry?.set(b.uuid, this);
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

  /** The other channel of the bridge. */
  peerOf(channel: Channel): Channel {
    return channel === this.a ? this.b : this.a;
  }

  /** True while one side hears music on hold. */
  get holding(): boolean {
    return this.#music !== undefined;
  }

  /** Puts `held` on hold: it hears `music` (looped), and what it says no longer reaches its peer. */
  hold(held: Channel, music: RtpSource): void {
    if (this.#closed) {
      music.close();
      return;
    }
    this.#music?.stop();
    this.#music = music;
    const toward = this.#toward(held);
    this.relay.replaceSource(toward, music);
    this.relay.pause(opposite(toward));
  }

  /** Ends music on hold: both directions relay again. */
  unhold(): void {
    const music = this.#music;
    if (music === undefined || this.#closed) return;
    this.#music = undefined;
    for (const d of ['aToB', 'bToA'] as const) {
      if (this.relay.sourceOf(d) === music) this.relay.replaceSource(d, undefined);
      this.relay.resume(d);
    }
    music.stop();
  }

  /** A leg's format changed after bridging (the answer to a late offer, a re-INVITE): renumber again. */
  formatsChanged(): void {
    if (this.#closed) return;
    const maps = payloadMaps(this.a, this.b).payloadTypes;
    this.relay.setPayloadTypeMap('aToB', maps?.aToB);
    this.relay.setPayloadTypeMap('bToA', maps?.bToA);
  }

  #toward(channel: Channel): RelayDirection {
    return channel === this.a ? 'bToA' : 'aToB';
  }

  /** Splits the bridge without hanging up (transfer...): both channels report `unbridged`. */
  unbridge(): void {
    this.#teardown(true);
  }

  #teardown(notify: boolean): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#music?.stop();
    this.#music = undefined;
    this.relay.close();
    if (this.#registry?.get(this.a.uuid) === this) this.#registry.delete(this.a.uuid);
    if (this.#registry?.get(this.b.uuid) === this) this.#registry.delete(this.b.uuid);
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

function opposite(d: RelayDirection): RelayDirection {
  return d === 'aToB' ? 'bToA' : 'aToB';
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
