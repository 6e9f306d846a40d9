import { ClosedError, TypedEmitter, silentLogger } from '../lib/index.ts';
import type { Clock, Logger, TimerHandle } from '../lib/index.ts';
import { byPreference } from './binding.ts';
import type { Binding, BindingChangeReason, RegistrationStore, RegistrationStoreEvents } from './binding.ts';

/** Options of a {@link MemoryRegistrationStore}. */
export interface MemoryRegistrationStoreOptions {
  readonly clock: Clock;
  readonly logger?: Logger;
  /** Shortest time between two expiry sweeps (default 1 s), so a crowd of expiries costs one pass. */
  readonly sweepIntervalMs?: number;
}

/**
 * The in-process location service (RFC 3261 §10.2): bindings per device in a Map. Reads filter out
 * expired bindings lazily; one timer, set for the earliest expiry, sweeps them and reports each
 * device whose bindings expired with a `change` event.
 */
export class MemoryRegistrationStore implements RegistrationStore {
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #sweepInterval: number;
  readonly #devices = new Map<string, Binding[]>();
  readonly #events = new TypedEmitter<RegistrationStoreEvents>();
  #timer: TimerHandle | undefined;
  #timerAt = Infinity;
  #lastSweep = -Infinity;
  #closed = false;

  constructor(options: MemoryRegistrationStoreOptions) {
    this.#clock = options.clock;
    this.#log = (options.logger ?? silentLogger).child({ category: 'registrations' });
    this.#sweepInterval = options.sweepIntervalMs ?? 1_000;
    this.#events.onListenerError = (error) => this.#log.warn({ err: error }, 'registration listener failed');
  }

  get closed(): boolean {
    return this.#closed;
  }

  get count(): number {
    const now = this.#clock.now();
    let n = 0;
    for (const bindings of this.#devices.values()) for (const b of bindings) if (b.expiresAt > now) n++;
    return n;
  }

  contactsFor(accountId: string, deviceId: string): Binding[] {
    return this.#live(keyOf(accountId, deviceId));
  }

  all(): Binding[] {
    const now = this.#clock.now();
    return [...this.#devices.values()].flatMap((bindings) => bindings.filter((b) => b.expiresAt > now));
  }

  update(accountId: string, deviceId: string, change: (live: readonly Binding[]) => Binding[]): Binding[] {
    if (this.#closed) throw new ClosedError('registration store');
    const key = keyOf(accountId, deviceId);
    const next = change(this.#live(key));
    const now = this.#clock.now();
    const kept = next.filter((b) => b.expiresAt > now).sort(byPreference);
    if (kept.length === 0) this.#devices.delete(key);
    else this.#devices.set(key, kept);
    for (const b of kept) if (b.expiresAt < this.#timerAt) this.#schedule(b.expiresAt);
    this.#emit(accountId, deviceId, kept, 'update');
    return [...kept];
  }

  removeDevice(accountId: string, deviceId: string): void {
    const key = keyOf(accountId, deviceId);
    const had = this.#live(key).length > 0;
    this.#devices.delete(key);
    if (had) this.#emit(accountId, deviceId, [], 'remove');
  }

  on<K extends keyof RegistrationStoreEvents>(event: K, listener: (...args: RegistrationStoreEvents[K]) => void): () => void {
    return this.#events.on(event, listener);
  }

  /** Drops every binding and the sweep timer; idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#devices.clear();
    this.#events.removeAllListeners();
  }

  #live(key: string): Binding[] {
    const now = this.#clock.now();
    return (this.#devices.get(key) ?? []).filter((b) => b.expiresAt > now);
  }

  #emit(accountId: string, deviceId: string, bindings: readonly Binding[], reason: BindingChangeReason): void {
    this.#events.emit('change', { accountId, deviceId, bindings: [...bindings], reason });
  }

  /** Arms the sweep for `at`, no sooner than one sweep interval after the last sweep. */
  #schedule(at: number): void {
    if (this.#closed) return;
    const when = Math.max(at, this.#lastSweep + this.#sweepInterval);
    if (this.#timer !== undefined) {
      if (when >= this.#timerAt) return;
      this.#clock.clearTimeout(this.#timer);
    }
    this.#timerAt = when;
    this.#timer = this.#clock.setTimeout(() => this.#sweep(), Math.max(0, when - this.#clock.now()));
  }

  #sweep(): void {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const now = this.#clock.now();
    this.#lastSweep = now;
    let next = Infinity;
    const expired: { key: string; kept: Binding[] }[] = [];
    for (const [key, bindings] of this.#devices) {
      const kept = bindings.filter((b) => b.expiresAt > now);
      for (const b of kept) next = Math.min(next, b.expiresAt);
      if (kept.length !== bindings.length) expired.push({ key, kept });
    }
    for (const { key, kept } of expired) {
      if (kept.length === 0) this.#devices.delete(key);
      else this.#devices.set(key, kept);
    }
    if (next !== Infinity) this.#schedule(next);
    for (const { key, kept } of expired) {
      const [accountId = '', deviceId = ''] = key.split('/');
      this.#log.debug({ accountId, deviceId, left: kept.length }, 'registration expired');
      this.#emit(accountId, deviceId, kept, 'expire');
    }
  }
}

function keyOf(accountId: string, deviceId: string): string {
  return `${accountId}/${deviceId}`;
}
