import { ClosedError, SwitchboardError, type Clock, type Logger } from '../lib/index.ts';
import type { RtpSource } from '../media/index.ts';
import type { CallNotifier } from './call-notifier.ts';
import type { Channel } from './channel.ts';

/** The device (and its owner) that sent a call to a parking slot. */
export interface Parker {
  readonly deviceId: string;
  readonly ownerId?: string;
  readonly username?: string;
}

/** How a parked call left its slot: picked up, hung up, or the lot closed. */
export type ParkEnd = 'retrieved' | 'abandoned' | 'released';

/** The slot asked for holds a live call (KAZOO `park-already_in_use`). */
export class SlotOccupied extends SwitchboardError {
  readonly slot: string;
  constructor(slot: string) {
    super('slot_occupied', `parking slot ${slot} is occupied`);
    this.slot = slot;
  }
}

/** A parked call as the REST listing shows it (camelCase inside; `parked_calls` maps it). */
export interface ParkedCallInfo {
  readonly slot: string;
  readonly callId: string;
  readonly callerIdName: string;
  readonly callerIdNumber: string;
  readonly fromUri: string;
  readonly fromTag?: string;
  readonly toTag?: string;
  readonly presenceId?: string;
  /** Unix ms. */
  readonly parkedAt: number;
  readonly parkedBy?: Parker;
  /** The device the call rings back after the ring-back timeout, when one is known. */
  readonly ringbackId?: string;
}

export interface ParkOptions {
  /** The slot to use; default the lowest free number from 1. */
  readonly slot?: string;
  readonly parkedBy?: Parker;
  readonly ringbackId?: string;
  /** What the parked call hears (started now, stopped when it leaves the slot). */
  readonly music?: RtpSource;
}

/** A call waiting in a slot (KAZOO cf_park's slot object). */
export class ParkedCall {
  readonly slot: string;
  readonly channel: Channel;
  readonly parkedAt: number;
  readonly parkedBy: Parker | undefined;
  readonly ringbackId: string | undefined;
  /** Settles once, when the call leaves the slot. */
  readonly ended: Promise<ParkEnd>;
  readonly #lot: ParkingLot;
  #resolve!: (end: ParkEnd) => void;
  #end: ParkEnd | undefined;

  constructor(lot: ParkingLot, channel: Channel, slot: string, parkedAt: number, options: ParkOptions) {
    this.#lot = lot;
    this.channel = channel;
    this.slot = slot;
    this.parkedAt = parkedAt;
    this.parkedBy = options.parkedBy;
    this.ringbackId = options.ringbackId;
    this.ended = new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }

  /** True while the call is in its slot. */
  get parked(): boolean {
    return this.#end === undefined;
  }

  /**
   * Takes the call out of its slot, stops its music and hands it to `connect` (which bridges it,
   * synchronously); PARK_RETRIEVED follows on `by` (the retriever; default the parked channel).
   * False when the call already left the slot.
   */
  retrieve(connect: (channel: Channel) => void, by?: Channel): boolean {
    return this.#lot.retrieveCall(this, connect, by);
  }

  /** Called by the lot only. */
  settle(end: ParkEnd): void {
    if (this.#end !== undefined) return;
    this.#end = end;
    this.#resolve(end);
  }

  info(): ParkedCallInfo {
    const p = this.channel.profile;
    return {
      slot: this.slot,
      callId: p.uuid,
      callerIdName: p.callerIdName,
      callerIdNumber: p.callerIdNumber,
      fromUri: p.fromUri,
      ...(p.fromTag !== undefined ? { fromTag: p.fromTag } : {}),
      ...(this.channel.toTag !== undefined ? { toTag: this.channel.toTag } : {}),
      ...(p.presenceId !== undefined ? { presenceId: p.presenceId } : {}),
      parkedAt: this.parkedAt,
      ...(this.parkedBy !== undefined ? { parkedBy: this.parkedBy } : {}),
      ...(this.ringbackId !== undefined ? { ringbackId: this.ringbackId } : {}),
    };
  }
}

interface Occupancy {
  readonly call: ParkedCall;
  readonly off: () => void;
}

/**
 * One account's parking slots (KAZOO cf_park): a slot holds at most one live call; the lot
 * publishes PARK_PARKED when a call enters a slot, PARK_RETRIEVED when it is picked up and
 * PARK_ABANDONED when the parked caller hangs up (the slot frees at once).
 */
export class ParkingLot {
  readonly accountId: string;
  readonly #slots = new Map<string, Occupancy>();
  readonly #notifier: CallNotifier;
  readonly #clock: Clock;
  readonly #log: Logger;
  #closed = false;

  constructor(accountId: string, deps: { notifier: CallNotifier; clock: Clock; logger: Logger }) {
    this.accountId = accountId;
    this.#notifier = deps.notifier;
    this.#clock = deps.clock;
    this.#log = deps.logger.child({ category: 'parking', account: accountId });
  }

  get closed(): boolean {
    return this.#closed;
  }

  get size(): number {
    return this.#slots.size;
  }

  /** The call in `slot`, if any. */
  occupant(slot: string): ParkedCall | undefined {
    return this.#slots.get(slot)?.call;
  }

  /** The lowest free slot number from 1. */
  nextFreeSlot(): string {
    for (let n = 1; ; n++) if (!this.#slots.has(String(n))) return String(n);
  }

  /** Parks an answered channel (throws {@link SlotOccupied}); it leaves on retrieval or hangup. */
  park(channel: Channel, options: ParkOptions = {}): ParkedCall {
    if (this.#closed) throw new ClosedError('parking lot');
    const slot = options.slot ?? this.nextFreeSlot();
    if (this.#slots.has(slot)) throw new SlotOccupied(slot);
    if (channel.closed) throw new SwitchboardError('channel_gone', `channel ${channel.uuid} has hung up`);
    const call = new ParkedCall(this, channel, slot, this.#clock.now(), options);
    const off = channel.on('closed', () => {
      if (!this.#leave(call, 'abandoned')) return;
      this.#log.info({ slot, call: channel.uuid }, 'parked caller hung up');
      this.#notifier.publish(channel, 'PARK_ABANDONED', { parking_slot: slot });
    });
    this.#slots.set(slot, { call, off });
    if (options.music !== undefined) channel.play(options.music);
    this.#log.info({ slot, call: channel.uuid }, 'call parked');
    this.#notifier.publish(channel, 'PARK_PARKED', { parking_slot: slot });
    return call;
  }

  /** Retrieves whatever call is in `slot` (see {@link ParkedCall.retrieve}); undefined when empty. */
  retrieve(slot: string, connect: (channel: Channel) => void, by?: Channel): ParkedCall | undefined {
    const call = this.occupant(slot);
    return call !== undefined && this.retrieveCall(call, connect, by) ? call : undefined;
  }

  /** @internal {@link ParkedCall.retrieve}. */
  retrieveCall(call: ParkedCall, connect: (channel: Channel) => void, by?: Channel): boolean {
    if (call.channel.closed || !this.#leave(call, 'retrieved')) return false;
    call.channel.stopPlayback();
    connect(call.channel);
    this.#log.info({ slot: call.slot, call: call.channel.uuid, by: by?.uuid }, 'parked call retrieved');
    this.#notifier.publish(by ?? call.channel, 'PARK_RETRIEVED', { parking_slot: call.slot, ...(by !== undefined ? { parked_call_id: call.channel.uuid } : {}) });
    return true;
  }

  /** Every parked call, by slot number. */
  list(): ParkedCall[] {
    return [...this.#slots.values()].map((o) => o.call).sort((a, b) => compareSlots(a.slot, b.slot));
  }

  /** Empties the lot without hanging anyone up (the switch hangs calls up itself). Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const { call } of [...this.#slots.values()]) {
      if (this.#leave(call, 'released')) call.channel.stopPlayback();
    }
  }

  #leave(call: ParkedCall, end: ParkEnd): boolean {
    const occupancy = this.#slots.get(call.slot);
    if (occupancy?.call !== call) return false;
    this.#slots.delete(call.slot);
    occupancy.off();
    call.settle(end);
    return true;
  }
}

/** Every account's parking lot, created on first use (what the `park` module and the REST listing share). */
export class ParkingLots {
  readonly #lots = new Map<string, ParkingLot>();
  readonly #deps: { notifier: CallNotifier; clock: Clock; logger: Logger };
  #closed = false;

  constructor(deps: { notifier: CallNotifier; clock: Clock; logger: Logger }) {
    this.#deps = deps;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The account's lot. */
  lot(accountId: string): ParkingLot {
    if (this.#closed) throw new ClosedError('parking lots');
    let lot = this.#lots.get(accountId);
    if (lot === undefined) {
      lot = new ParkingLot(accountId, this.#deps);
      this.#lots.set(accountId, lot);
    }
    return lot;
  }

  /** The account's parked calls, by slot (the `parked_calls` REST listing). */
  parked(accountId: string): ParkedCallInfo[] {
    return (this.#lots.get(accountId)?.list() ?? []).map((c) => c.info());
  }

  /** Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const lot of this.#lots.values()) lot.close();
    this.#lots.clear();
  }
}

/** Numeric slots in number order, then the others by name. */
function compareSlots(a: string, b: string): number {
  const na = /^\d+$/.test(a) ? Number(a) : Number.NaN;
  const nb = /^\d+$/.test(b) ? Number(b) : Number.NaN;
  if (!Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
  if (!Number.isNaN(na)) return -1;
  if (!Number.isNaN(nb)) return 1;
  return a.localeCompare(b);
}
