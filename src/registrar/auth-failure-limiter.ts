import type { Clock } from '../lib/index.ts';

/** Options of an {@link AuthFailureLimiter}. */
export interface AuthFailureLimiterOptions {
  readonly clock: Clock;
  /** Failures of one address and username within the window that block them (default 5). */
  readonly maxFailures?: number;
  /** Failures of one address, all usernames together, that block the address (default 50). */
  readonly maxFailuresPerAddress?: number;
  /** The counting window, and how long a block lasts (default 60 s). */
  readonly windowMs?: number;
  /** Keys remembered at most; the least recently touched are forgotten first (default 10 000). */
  readonly maxEntries?: number;
}

interface Entry {
  /** Times of the failures inside the window, oldest first (at most the limit). */
  failures: number[];
  blockedUntil: number;
}

/**
 * Brute-force protection for digest authentication: counts requests whose credentials failed, per
 * source address and username (and per address, with a higher limit, against username sweeps).
 * A key that reaches its limit within the window is blocked for one window. Memory is bounded and
 * expiry is lazy: no timers.
 */
export class AuthFailureLimiter {
  readonly #clock: Clock;
  readonly #maxFailures: number;
  readonly #maxPerAddress: number;
  readonly #window: number;
  readonly #maxEntries: number;
  /** Insertion order is recency order: touched keys are re-inserted. */
  readonly #entries = new Map<string, Entry>();

  constructor(options: AuthFailureLimiterOptions) {
    this.#clock = options.clock;
    this.#maxFailures = options.maxFailures ?? 5;
    this.#maxPerAddress = options.maxFailuresPerAddress ?? 50;
    this.#window = options.windowMs ?? 60_000;
    this.#maxEntries = options.maxEntries ?? 10_000;
  }

  /** Keys currently remembered. */
  get size(): number {
    return this.#entries.size;
  }

  /** True while `address` (with `username`, or as a whole) is blocked. */
  isBlocked(address: string, username: string): boolean {
    const now = this.#clock.now();
    return this.#blocked(userKey(address, username), now) || this.#blocked(addressKey(address), now);
  }

  /** Counts one failed attempt. */
  recordFailure(address: string, username: string): void {
    const now = this.#clock.now();
    this.#count(userKey(address, username), this.#maxFailures, now);
    this.#count(addressKey(address), this.#maxPerAddress, now);
  }

  /** Forgets the failures of `address` and `username` after a successful authentication. */
  recordSuccess(address: string, username: string): void {
    this.#entries.delete(userKey(address, username));
  }

  #blocked(key: string, now: number): boolean {
    const entry = this.#entries.get(key);
    if (entry === undefined) return false;
    if (entry.blockedUntil > now) return true;
    if (entry.blockedUntil > 0 || entry.failures.every((t) => now - t >= this.#window)) this.#entries.delete(key);
    return false;
  }

  #count(key: string, limit: number, now: number): void {
    const entry = this.#entries.get(key) ?? { failures: [], blockedUntil: 0 };
    this.#entries.delete(key);
    if (entry.blockedUntil > 0 && entry.blockedUntil <= now) {
      entry.blockedUntil = 0;
      entry.failures = [];
    }
    entry.failures = entry.failures.filter((t) => now - t < this.#window);
    entry.failures.push(now);
    if (entry.failures.length >= limit) {
      entry.blockedUntil = now + this.#window;
      entry.failures = [];
    }
    this.#entries.set(key, entry);
    this.#evict();
  }

  #evict(): void {
    for (const key of this.#entries.keys()) {
      if (this.#entries.size <= this.#maxEntries) return;
      this.#entries.delete(key);
    }
  }
}

function userKey(address: string, username: string): string {
  return `u:${address}|${username.toLowerCase()}`;
}

function addressKey(address: string): string {
  return `a:${address}`;
}
