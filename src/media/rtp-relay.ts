import { ClosedError, TypedEmitter, newUuid, silentLogger } from '../lib/index.ts';
import type { Logger } from '../lib/index.ts';
import type { MediaEndpoint } from './media-endpoint.ts';
import type { RtpOutput, RtpSource, SourceEndReason } from './rtp-source.ts';

/** The two directions of a relay: what A sends goes to B (`aToB`), and back (`bToA`). */
export const RELAY_DIRECTIONS = ['aToB', 'bToA'] as const;
export type RelayDirection = (typeof RELAY_DIRECTIONS)[number];

/**
 * Sees every RTP packet the relay delivers in a direction (relayed or generated), synchronously and
 * before it is sent; it must neither keep nor modify the buffer.
 */
export type RelayTap = (direction: RelayDirection, packet: Buffer) => void;

/** Counters of one relay direction. */
export interface RelayCounters {
  packets: number;
  bytes: number;
  rtcpPackets: number;
  /** Received while paused or while a generated source had the direction. */
  dropped: number;
  /** Packets sent by a generated source. */
  generated: number;
}

/** Payload-type renumbering for one direction (e.g. telephone-event 101 on A is 96 on B). */
export type PayloadTypeMap = Readonly<Record<number, number>>;

/** Options of an {@link RtpRelay}. */
export interface RtpRelayOptions {
  payloadTypes?: Partial<Record<RelayDirection, PayloadTypeMap>>;
  logger?: Logger;
}

/** Events of an {@link RtpRelay}. */
export type RtpRelayEvents = {
  /** A generated source ended by itself; the direction relays again. */
  sourceEnded: [direction: RelayDirection, reason: SourceEndReason];
  close: [];
};

interface Lane {
  readonly direction: RelayDirection;
  readonly to: MediaEndpoint;
  readonly counters: RelayCounters;
  paused: boolean;
  source: RtpSource | undefined;
  map: Uint8Array | undefined;
}

function compileMap(map: PayloadTypeMap | undefined): Uint8Array | undefined {
  if (map === undefined) return undefined;
  const table = new Uint8Array(128);
  let identity = true;
  for (let pt = 0; pt < 128; pt++) {
    const to = map[pt] ?? pt;
    table[pt] = to & 0x7f;
    if (table[pt] !== pt) identity = false;
  }
  return identity ? undefined : table;
}

/**
 * Bridges two anchored endpoints: RTP and RTCP received on A go to B's remote and back. Per packet
 * it forwards the received buffer itself (no copy), rewriting the payload-type byte in place when
 * the legs numbered a format differently. Each direction can be paused (hold) or handed to a
 * generated source (music on hold, prompt, DTMF); RTCP follows its direction's RTP gate.
 */
export class RtpRelay extends TypedEmitter<RtpRelayEvents> {
  readonly id = newUuid();
  readonly a: MediaEndpoint;
  readonly b: MediaEndpoint;
  readonly #lanes: { aToB: Lane; bToA: Lane };
  readonly #detach: Array<() => void> = [];
  readonly #logger: Logger;
  #taps: readonly RelayTap[] = [];
  #closed = false;

  constructor(a: MediaEndpoint, b: MediaEndpoint, options: RtpRelayOptions = {}) {
    super();
    if (a.closed || b.closed) throw new ClosedError('media endpoint');
    this.a = a;
    this.b = b;
    this.#logger = (options.logger ?? silentLogger).child({ relay: this.id });
    const lane = (direction: RelayDirection, to: MediaEndpoint): Lane => ({
      direction,
      to,
      counters: { packets: 0, bytes: 0, rtcpPackets: 0, dropped: 0, generated: 0 },
      paused: false,
      source: undefined,
      map: compileMap(options.payloadTypes?.[direction]),
    });
    this.#lanes = { aToB: lane('aToB', b), bToA: lane('bToA', a) };
    const aToB = this.#lanes.aToB;
    const bToA = this.#lanes.bToA;
    this.#detach.push(a.addReceiver((packet, rtcp) => this.#forward(aToB, packet, rtcp)));
    this.#detach.push(b.addReceiver((packet, rtcp) => this.#forward(bToA, packet, rtcp)));
    const onEndpointClose = (): void => this.close();
    this.#detach.push(a.on('close', onEndpointClose), b.on('close', onEndpointClose));
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Live counters of one direction. */
  counters(direction: RelayDirection): Readonly<RelayCounters> {
    return this.#lanes[direction].counters;
  }

  /** Stops relaying a direction (both when omitted); packets are dropped until `resume`. */
  pause(direction?: RelayDirection): void {
    for (const lane of this.#select(direction)) lane.paused = true;
  }

  /** Relays a direction again (both when omitted). */
  resume(direction?: RelayDirection): void {
    for (const lane of this.#select(direction)) lane.paused = false;
  }

  isPaused(direction: RelayDirection): boolean {
    return this.#lanes[direction].paused;
  }

  /** Renumbers payload types in one direction (after a re-negotiation). */
  setPayloadTypeMap(direction: RelayDirection, map: PayloadTypeMap | undefined): void {
    this.#lanes[direction].map = compileMap(map);
  }

  /** Adds a tap (recorder, monitor); returns its remover. */
  addTap(tap: RelayTap): () => void {
    this.#taps = [...this.#taps, tap];
    return () => {
      this.#taps = this.#taps.filter((t) => t !== tap);
    };
  }

  /**
   * Hands a direction to a generated source: what would be relayed there is dropped and the
   * source plays into the destination leg (its SSRC/sequence/timestamp and codec) instead. The
   * relay starts it; replacing it again, `undefined`, or `close()` stops it; when it ends by itself
   * the direction relays again and `sourceEnded` is emitted.
   */
  replaceSource(direction: RelayDirection, source: RtpSource | undefined): void {
    if (this.#closed) throw new ClosedError('rtp relay');
    const lane = this.#lanes[direction];
    const previous = lane.source;
    lane.source = undefined;
    previous?.stop();
    if (source === undefined) return;
    const to = lane.to;
    const output: RtpOutput = {
      sequencer: to.sequencer,
      get format() {
        return to.format;
      },
      send: (packet) => {
        lane.counters.generated++;
        this.#tap(direction, packet);
        to.send(packet);
      },
    };
    lane.source = source;
    source.once('ended', (reason) => {
      if (lane.source !== source) return;
      lane.source = undefined;
      this.emit('sourceEnded', direction, reason);
    });
    try {
      source.start(output);
    } catch (error) {
      if (lane.source === source) lane.source = undefined;
      throw error;
    }
  }

  /** The generated source holding a direction, if any. */
  sourceOf(direction: RelayDirection): RtpSource | undefined {
    return this.#lanes[direction].source;
  }

  /** Detaches from both endpoints (which stay open) and stops generated sources. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const detach of this.#detach) detach();
    for (const lane of Object.values(this.#lanes)) {
      const source = lane.source;
      lane.source = undefined;
      source?.stop();
    }
    this.#taps = [];
    this.#logger.debug({ aToB: this.#lanes.aToB.counters, bToA: this.#lanes.bToA.counters }, 'relay closed');
    this.emit('close');
    this.removeAllListeners();
  }

  #select(direction: RelayDirection | undefined): Lane[] {
    return direction === undefined ? [this.#lanes.aToB, this.#lanes.bToA] : [this.#lanes[direction]];
  }

  #forward(lane: Lane, packet: Buffer, rtcp: boolean): void {
    if (lane.paused || lane.source !== undefined) {
      lane.counters.dropped++;
      return;
    }
    if (rtcp) {
      lane.counters.rtcpPackets++;
      lane.to.sendRtcp(packet);
      return;
    }
    const map = lane.map;
    if (map !== undefined) {
      const b1 = packet[1] ?? 0;
      packet[1] = (b1 & 0x80) | (map[b1 & 0x7f] ?? 0);
    }
    lane.counters.packets++;
    lane.counters.bytes += packet.length;
    if (this.#taps.length > 0) this.#tap(lane.direction, packet);
    lane.to.send(packet);
  }

  #tap(direction: RelayDirection, packet: Buffer): void {
    const taps = this.#taps;
    for (let i = 0; i < taps.length; i++) {
      try {
        taps[i]?.(direction, packet);
      } catch (error) {
        this.#logger.warn({ err: error }, 'relay tap threw');
      }
    }
  }
}
