import type { BucketSettings } from '../lib/index.ts';
import type { HistoryLimits } from './event-history.ts';
import type { GateLimits } from './outbound-gate.ts';

/** Every protection knob of the Blackhole server (docs/websockets.md). */
export interface BlackholeLimits extends GateLimits, HistoryLimits {
  /** Open sockets per client IP; one more is refused with HTTP 429 (KAZOO `max_connections_per_ip`). */
  readonly maxConnectionsPerIp: number;
  /** Per-socket message bucket (KAZOO: `kz_buckets` defaults, 100 tokens refilled at 10/s). */
  readonly messageBucket: BucketSettings;
  /** Distinct bindings one socket may hold. */
  readonly maxBindingsPerSocket: number;
  /** Largest client frame, bytes (bigger frames close the socket with 1009). */
  readonly maxMessageBytes: number;
  /** Server ping period; a socket that has not answered the previous ping is cut, ms. */
  readonly pingIntervalMs: number;
  /** How long `close()` waits for clients to answer the close frame before cutting them, ms. */
  readonly closeTimeoutMs: number;
}

export const DEFAULT_BLACKHOLE_LIMITS: BlackholeLimits = {
  maxConnectionsPerIp: 100,
  messageBucket: { capacity: 100, refillPerSecond: 10 },
  maxBindingsPerSocket: 1000,
  maxMessageBytes: 64 * 1024,
  pingIntervalMs: 30_000,
  closeTimeoutMs: 1000,
  highWaterBytes: 1024 * 1024,
  lowWaterBytes: 256 * 1024,
  overflowGraceMs: 10_000,
  hardLimitBytes: 8 * 1024 * 1024,
  maxEvents: 20_000,
  maxEventsPerAccount: 2_000,
  maxAgeMs: 5 * 60_000,
};
