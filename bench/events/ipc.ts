// The messages between the benchmark (which runs the server) and the WebSocket client process,
// over Node's IPC channel; and the wall clock both sides stamp events with.

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes of one machine. */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

/** The payload field carrying the publish time (wall-clock ms); first in the payload so clients find it fast. */
export const SENT_FIELD = 'bench_sent_ms';

/** Latency figures of one phase, milliseconds. */
export interface LatencySummary {
  readonly count: number;
  readonly min: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

export interface ClientPhaseStats {
  /** Deliveries the published events should give the sockets open when the phase started. */
  readonly expected: number;
  /** Sockets open when the phase started. */
  readonly openSockets: number;
  /** Event messages received (one per matching binding string). */
  readonly deliveries: number;
  readonly latency: LatencySummary;
  /** Wall-clock ms of the first and last event received in the phase (0 when none). */
  readonly firstArrival: number;
  readonly lastArrival: number;
  /** `overflow` notices with state `dropping`, and the sum of `dropped` of the `resumed` ones. */
  readonly droppingNotices: number;
  readonly droppedReported: number;
  /** Sockets the server closed during the phase (slow-consumer 1013 or otherwise). */
  readonly socketsClosed: number;
  /** Size of the last event frame received, bytes. */
  readonly frameBytes: number;
  /** Latencies below 1 µs after the clock offset (recorded as 1 µs). */
  readonly clamped: number;
  /** Client process CPU time over [phase start, last arrival], ms, and that interval, ms. */
  readonly cpuMs: number;
  readonly busyMs: number;
}

export type ToClient =
  | { readonly type: 'connect'; readonly port: number; readonly token: string; readonly accountId: string; readonly sockets: number; readonly createShare: number; readonly timeoutMs: number }
  | { readonly type: 'clock-reply'; readonly t0: number; readonly tp: number }
  | { readonly type: 'phase' }
  /** Published: `events` in all, `createEvents` of them CHANNEL_CREATE (matched twice by sockets holding both bindings). */
  | { readonly type: 'collect'; readonly events: number; readonly createEvents: number; readonly quietMs: number; readonly maxWaitMs: number }
  | { readonly type: 'stop' };

export type FromClient =
  | {
      readonly type: 'connected';
      /** Sockets open and subscribed; how many of them also hold `call.CHANNEL_CREATE.*`. */
      readonly sockets: number;
      readonly createSubscribers: number;
      readonly failed: number;
      readonly firstError: string | undefined;
      /** Time to open and subscribe them all. */
      readonly ms: number;
      /** Server wall clock minus client wall clock, and the round trip of the best sample. */
      readonly offsetMs: number;
      readonly rttMs: number;
    }
  | { readonly type: 'clock'; readonly t0: number }
  | { readonly type: 'phase-ready' }
  | { readonly type: 'stats'; readonly stats: ClientPhaseStats };

/** Narrows an IPC message (JSON over the channel) to one with a `type`. */
export function isTyped<T extends { readonly type: string }>(message: unknown): message is T {
  return typeof message === 'object' && message !== null && typeof (message as { type?: unknown }).type === 'string';
}
