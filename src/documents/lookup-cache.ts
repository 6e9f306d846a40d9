import { SwitchboardError, type Clock } from '../lib/index.ts';

/** Settings of a {@link LookupCache}. */
export interface LookupCacheOptions {
  readonly clock: Clock;
  /** How long an entry may be served, from the moment its lookup started (the safety net for a missed change). */
  readonly ttlMs: number;
  /** The most entries kept; the least recently used go first. */
  readonly maxEntries: number;
}

/**
 * Entry lifetimes. The embedded store has one writer, this process, so every change reaches the
 * cache and the TTL is only a safety net; a shared PostgreSQL can be written by other processes
 * whose changes reach us only when an entry expires (the store has no LISTEN/NOTIFY).
 */
export const LOOKUP_TTL_MS = { singleWriter: 60_000, sharedDatabase: 1_000 } as const;

/** Default bound of a lookup cache (a few MB of documents). */
export const LOOKUP_MAX_ENTRIES = 10_000;

/** Counters of a {@link LookupCache}. */
export interface LookupCacheStats {
  readonly hits: number;
  readonly misses: number;
  readonly size: number;
}

interface Entry {
  readonly value: unknown;
  readonly scopes: readonly string[];
  readonly expiresAt: number;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new SwitchboardError('invalid_cache_option', `lookup cache ${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

/** Freezes a JSON value in place, so a cached document shared by callers cannot be changed by one of them. */
function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const inner of Object.values(value)) deepFreeze(inner);
}

/**
 * A read-through cache of lookups, each tagged with the scopes it depends on (documents of a type
 * in an account, one document, an index). `invalidate(scopes)` drops every entry that depends on
 * one of them. A lookup that was in flight when one of its scopes was invalidated returns its
 * result but does not store it: it may have read the database before the write. Values are frozen.
 */
export class LookupCache {
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  /** Insertion order is recency order: a hit moves its entry to the end. */
  readonly #entries = new Map<string, Entry>();
  readonly #keysByScope = new Map<string, Set<string>>();
  /** Invalidation counter: a lookup remembers it when it starts. */
  #seq = 0;
  /** Scope → counter of its last invalidation, kept only while lookups are in flight. */
  readonly #touched = new Map<string, number>();
  /** Lookups started before this counter may not store (set when `#touched` had to be dropped). */
  #floor = 0;
  #loading = 0;
  #hits = 0;
  #misses = 0;

  constructor(options: LookupCacheOptions) {
    this.#clock = options.clock;
    this.#ttlMs = positiveInteger('ttlMs', options.ttlMs);
    this.#maxEntries = positiveInteger('maxEntries', options.maxEntries);
  }

  get stats(): LookupCacheStats {
    return { hits: this.#hits, misses: this.#misses, size: this.#entries.size };
  }

  /**
   * The cached value of `key`, else `load()`'s, stored under `scopes` plus `dependsOn(value)` (the
   * scopes of the documents in the answer). Undefined answers are cached like the others.
   */
  async get<T>(key: string, scopes: readonly string[], load: () => Promise<T>, dependsOn?: (value: T) => readonly string[]): Promise<T> {
    const now = this.#clock.now();
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      this.#entries.delete(key);
      if (entry.expiresAt > now) {
        this.#entries.set(key, entry);
        this.#hits++;
        return entry.value as T;
      }
      this.#unindex(key, entry);
    }
    this.#misses++;
    const started = this.#seq;
    this.#loading++;
    let value: T;
    try {
      value = await load();
    } finally {
      this.#loading--;
    }
    const all = dependsOn === undefined ? scopes : [...scopes, ...dependsOn(value)];
    if (this.#unchangedSince(started, all)) this.#store(key, { value, scopes: all, expiresAt: now + this.#ttlMs });
    if (this.#loading === 0) this.#touched.clear();
    return value;
  }

  /** Drops every entry that depends on one of `scopes`, and keeps lookups in flight from storing them. */
  invalidate(scopes: readonly string[]): void {
    this.#seq++;
    for (const scope of scopes) {
      if (this.#loading > 0) this.#touched.set(scope, this.#seq);
      const keys = this.#keysByScope.get(scope);
      if (keys === undefined) continue;
      for (const key of [...keys]) {
        const entry = this.#entries.get(key);
        if (entry === undefined) continue;
        this.#entries.delete(key);
        this.#unindex(key, entry);
      }
    }
    // Bounded memory under a write storm with lookups always in flight: forget the details and
    // let every lookup in flight count as stale.
    if (this.#touched.size > this.#maxEntries) {
      this.#touched.clear();
      this.#floor = this.#seq;
    }
  }

  /** Drops everything; lookups in flight will not store. */
  clear(): void {
    this.#entries.clear();
    this.#keysByScope.clear();
    this.#touched.clear();
    this.#floor = ++this.#seq;
  }

  #unchangedSince(started: number, scopes: readonly string[]): boolean {
    if (started < this.#floor) return false;
    return scopes.every((scope) => (this.#touched.get(scope) ?? 0) <= started);
  }

  #store(key: string, entry: Entry): void {
    const previous = this.#entries.get(key);
    if (previous !== undefined) {
      this.#entries.delete(key);
      this.#unindex(key, previous);
    }
    deepFreeze(entry.value);
    this.#entries.set(key, entry);
    for (const scope of entry.scopes) {
      let keys = this.#keysByScope.get(scope);
      if (keys === undefined) {
        keys = new Set();
        this.#keysByScope.set(scope, keys);
      }
      keys.add(key);
    }
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      const evicted = this.#entries.get(oldest.value);
      this.#entries.delete(oldest.value);
      if (evicted !== undefined) this.#unindex(oldest.value, evicted);
    }
  }

  #unindex(key: string, entry: Entry): void {
    for (const scope of entry.scopes) {
      const keys = this.#keysByScope.get(scope);
      if (keys === undefined) continue;
      keys.delete(key);
      if (keys.size === 0) this.#keysByScope.delete(scope);
    }
  }
}
