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
 * Per-client token buckets (KAZOO `kz_buckets`, §1.6; also the switch's INVITE-flood guard): a client
 * is charged per request and refused when its bucket is empty. Idle full buckets are forgotten.
 */
export class RateBuckets {
  readonly #buckets = new Map<string, Bucket>();
  readonly #settings: BucketSettings;
  readonly #clock: Clock;

  constructor(settings: BucketSettings, clock: Clock) {
    this.#settings = settings;
    this.#clock = clock;
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
      if (this.#buckets.size > 10_000) this.#sweep(now);
      bucket = { tokens: this.#settings.capacity, at: now };
      this.#buckets.set(client, bucket);
    }
    bucket.tokens = Math.min(this.#settings.capacity, bucket.tokens + ((now - bucket.at) / 1000) * this.#settings.refillPerSecond);
    bucket.at = now;
    return bucket;
  }

  #sweep(now: number): void {
    const full = (this.#settings.capacity / this.#settings.refillPerSecond) * 1000;
    for (const [key, b] of this.#buckets) if (now - b.at > full) this.#buckets.delete(key);
  }
}
