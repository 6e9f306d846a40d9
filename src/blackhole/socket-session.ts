import { bindingMatches, type Binding } from './binding.ts';
import { EventFrames } from './event-frames.ts';
import type { EventHub, EventTarget } from './event-hub.ts';
import type { RecordedEvent } from './event-history.ts';
import type { OutboundGate } from './outbound-gate.ts';
import type { SocketAuth } from './socket-auth.ts';

/** What the sessions listing shows of one socket (KAZOO `cb_websockets`, reference §5.6). */
export interface SessionInfo {
  /** `<ip>:<port>` of the client, as KAZOO names sessions. */
  readonly id: string;
  /** The account its token belongs to; undefined until a message authenticated. */
  readonly accountId: string | undefined;
  /** Its distinct client bindings, oldest first. */
  readonly bindings: readonly string[];
  /** Unix ms. */
  readonly connectedAt: number;
  readonly name: unknown;
  readonly metadata: unknown;
  /** Client IP. */
  readonly source: string;
  /** The server address the client reached. */
  readonly destination: string;
}

/** One binding for one account (or `*`) on a socket. */
export interface Subscription {
  readonly accountId: string;
  readonly binding: Binding;
}

/** Where a session was opened. */
export interface SessionOrigin {
  readonly id: string;
  /** Key of its rate bucket: unique per socket, unlike the `<ip>:<port>` id. */
  readonly bucketKey: string;
  readonly source: string;
  readonly destination: string;
  readonly connectedAt: number;
}

/**
 * The state of one Blackhole socket (KAZOO's `bh_context`): who it authenticated as, its
 * subscriptions, the `name`/`metadata` of its last good message, and its send gate. Delivers to
 * the client one event per matching binding string, never twice for the same string.
 */
export class SocketSession implements EventTarget {
  readonly id: string;
  readonly bucketKey: string;
  readonly source: string;
  readonly destination: string;
  readonly connectedAt: number;
  readonly gate: OutboundGate;
  auth: SocketAuth | undefined;
  name: unknown;
  metadata: unknown;
  /** A server ping is out and unanswered. */
  awaitingPong = false;
  readonly #hub: EventHub;
  /** Keyed by `<account> <binding string>`. */
  readonly #subs = new Map<string, Subscription>();
  #closed = false;

  constructor(origin: SessionOrigin, gate: OutboundGate, hub: EventHub) {
    this.id = origin.id;
    this.bucketKey = origin.bucketKey;
    this.source = origin.source;
    this.destination = origin.destination;
    this.connectedAt = origin.connectedAt;
    this.gate = gate;
    this.#hub = hub;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Distinct binding strings, oldest first (the `subscribed` list of replies). */
  get bindings(): string[] {
    return [...new Set([...this.#subs.values()].map((s) => s.binding.text))];
  }

  /** Subscriptions held (account × binding). */
  get subscriptionCount(): number {
    return this.#subs.size;
  }

  /** Accounts (or `*`) the socket has subscriptions for. */
  get accounts(): string[] {
    return [...new Set([...this.#subs.values()].map((s) => s.accountId))];
  }

  has(accountId: string, text: string): boolean {
    return this.#subs.has(`${accountId} ${text}`);
  }

  /** Adds a subscription (no-op when held); live at once. */
  add(accountId: string, binding: Binding): void {
    if (this.#closed || this.has(accountId, binding.text)) return;
    this.#subs.set(`${accountId} ${binding.text}`, { accountId, binding });
    this.#hub.attach(this, accountId);
  }

  /** Removes the subscriptions `which` selects; returns their distinct binding strings. */
  remove(which: (sub: Subscription) => boolean): string[] {
    const removed = new Set<string>();
    const touched = new Set<string>();
    for (const [key, sub] of this.#subs) {
      if (!which(sub)) continue;
      this.#subs.delete(key);
      removed.add(sub.binding.text);
      touched.add(sub.accountId);
    }
    for (const accountId of touched) if (![...this.#subs.values()].some((s) => s.accountId === accountId)) this.#hub.detach(this, accountId);
    return [...removed];
  }

  /** Sends a reply or notice. */
  reply(text: string): void {
    this.gate.sendControl(text);
  }

  deliver(frames: EventFrames): void {
    this.#send(frames, this.#subs.values());
  }

  /** Sends recorded events again for the given new subscriptions of one account, oldest first. */
  replay(events: readonly RecordedEvent[], subs: readonly Subscription[]): void {
    for (const event of events) this.#send(new EventFrames(event, true), subs);
  }

  info(): SessionInfo {
    return {
      id: this.id,
      accountId: this.auth?.accountId,
      bindings: this.bindings,
      connectedAt: this.connectedAt,
      name: this.name,
      metadata: this.metadata,
      source: this.source,
      destination: this.destination,
    };
  }

  /** Drops every subscription and stops sending. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.remove(() => true);
    this.#closed = true;
    this.gate.close();
  }

  #send(frames: EventFrames, subs: Iterable<Subscription>): void {
    const event = frames.event;
    let sent: string[] | undefined;
    for (const sub of subs) {
      if (sub.accountId !== event.accountId && sub.accountId !== '*') continue;
      if (!bindingMatches(sub.binding, event)) continue;
      const text = sub.binding.text;
      if (sent?.includes(text) === true) continue;
      (sent ??= []).push(text);
      this.gate.sendEvent(frames.frame(sub.binding, sub.accountId));
    }
  }
}
