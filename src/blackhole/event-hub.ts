import type { Bus, BusMessage, Subscription } from '../bus/index.ts';
import type { Logger } from '../lib/index.ts';
import type { BindingCatalog } from './binding-catalog.ts';
import { EventFrames } from './event-frames.ts';
import type { EventHistory } from './event-history.ts';
import { classifyBusMessage, HUB_PATTERNS } from './hub-event.ts';

/** Something that wants the events of the accounts it is attached to (a socket session). */
export interface EventTarget {
  /** Queues the event's frames for the target's matching subscriptions. */
  deliver(frames: EventFrames): void;
}

/**
 * The Blackhole's one listener on the bus: it binds every call and object event once, at start,
 * numbers each event in its account's stream (the history), and hands it to the targets attached
 * to that account or to `*`. Binding everything up front means a subscription is live the moment
 * it is recorded, so a subscribe reply can never precede a lost event.
 */
export class EventHub {
  readonly #subscriptions: Subscription[];
  readonly #catalog: BindingCatalog;
  readonly #history: EventHistory;
  readonly #log: Logger;
  readonly #targets = new Map<string, Set<EventTarget>>();
  #closed = false;

  private constructor(bus: Bus, catalog: BindingCatalog, history: EventHistory, logger: Logger) {
    this.#catalog = catalog;
    this.#history = history;
    this.#log = logger;
    this.#subscriptions = HUB_PATTERNS.map((pattern) => bus.subscribe(pattern, (message) => this.#onMessage(message)));
  }

  /** Binds the bus and resolves once the bindings are live. */
  static async start(bus: Bus, catalog: BindingCatalog, history: EventHistory, logger: Logger): Promise<EventHub> {
    const hub = new EventHub(bus, catalog, history, logger);
    try {
      await Promise.all(hub.#subscriptions.map((s) => s.ready));
    } catch (error) {
      hub.close();
      throw error;
    }
    return hub;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Starts handing `accountId`'s events (every account's for `*`) to the target. */
  attach(target: EventTarget, accountId: string): void {
    let set = this.#targets.get(accountId);
    if (set === undefined) {
      set = new Set();
      this.#targets.set(accountId, set);
    }
    set.add(target);
  }

  detach(target: EventTarget, accountId: string): void {
    const set = this.#targets.get(accountId);
    if (set === undefined) return;
    set.delete(target);
    if (set.size === 0) this.#targets.delete(accountId);
  }

  /** Targets attached to an account (tests). */
  attached(accountId: string): number {
    return this.#targets.get(accountId)?.size ?? 0;
  }

  /** Unbinds the bus. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const s of this.#subscriptions) s.unsubscribe();
    this.#targets.clear();
  }

  #onMessage(message: BusMessage): void {
    if (this.#closed) return;
    const event = classifyBusMessage(message, this.#catalog);
    if (event === undefined) return;
    const recorded = this.#history.record(event);
    const own = this.#targets.get(recorded.accountId);
    const wildcard = this.#targets.get('*');
    if (own === undefined && wildcard === undefined) return;
    const frames = new EventFrames(recorded, false);
    if (own !== undefined) for (const target of own) this.#deliver(target, frames);
    if (wildcard !== undefined) for (const target of wildcard) if (own === undefined || !own.has(target)) this.#deliver(target, frames);
  }

  #deliver(target: EventTarget, frames: EventFrames): void {
    try {
      target.deliver(frames);
    } catch (error) {
      this.#log.error({ err: error, routingKey: frames.event.routingKey }, 'event delivery failed');
    }
  }
}
