import type { Clock } from './clock.ts';

/** Bucket sizes: KAZOO's kz_buckets defaults are 100 tokens refilled at 10/s. */
export interface BucketSettings {
  readonly capacity: number;
  readonly refillPerSecond: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Per-client token buckets (KAZOO `kz_buckets`, §1.6; also the switch's SIP flood guard): a client
 * is charged per request and refused when its bucket is empty. Memory is bounded: buckets are kept
 * in least-recently-used order, a bucket idle long enough to be full again is forgotten (nothing is
 * lost: a new one starts full), and past `maxClients` the least recently used one is dropped.
 */
export class RateBuckets {
  /** Insertion order is recency order: a touched bucket is re-inserted. */
  readonly #buckets = new Map<string, Bucket>();
  readonly #settings: BucketSettings;
  readonly #clock: Clock;
  readonly #maxClients: number;

  constructor(settings: BucketSettings, clock: Clock, options: { readonly maxClients?: number } = {}) {
    this.#settings = settings;
    this.#clock = clock;
    this.#maxClients = Math.max(1, options.maxClients ?? 10_000);
  }

  /** Clients remembered now (at most `maxClients`). */
  get size(): number {
    return this.#buckets.size;
  }

  /** Takes `cost` tokens from `client`'s bucket; false (and nothing taken) when it has too few. */
  consume(client: string, cost: number): boolean {
    const bucket = this.#refill(client);
    if (bucket.tokens < cost) return false;
    bucket.tokens -= cost;
    return true;
  }

  remaining(client: string): number {
    return Math.floor(this.#refill(client).tokens);
  }

  #refill(client: string): Bucket {
    const now = this.#clock.now();
    let bucket = this.#buckets.get(client);
    if (bucket === undefined) {
      this.#evict(now);
      bucket = { tokens: this.#settings.capacity, at: now };
    } else {
      this.#buckets.delete(client);
    }
    this.#buckets.set(client, bucket);
    bucket.tokens = Math.min(this.#settings.capacity, bucket.tokens + ((now - bucket.at) / 1000) * this.#settings.refillPerSecond);
    bucket.at = now;
    return bucket;
  }

  /** Drops the oldest buckets while they are full again, or while there is no room for one more. */
  #evict(now: number): void {
    const full = (this.#settings.capacity / this.#settings.refillPerSecond) * 1000;
    for (const [key, b] of this.#buckets) {
      if (this.#buckets.size < this.#maxClients && now - b.at < full) return;
      this.#buckets.delete(key);
    }
  }
}
