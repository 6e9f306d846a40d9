import { RateBuckets, SwitchboardError, silentLogger } from '../lib/index.ts';
import type { BucketSettings, Clock, Logger } from '../lib/index.ts';
import type { SipRequest } from './message/index.ts';

/**
 * What the flood guard meters, one token bucket per class and source IP address. Method names are
 * open-ended tokens (RFC 3261 §25.1), so every method without its own class shares `other`: a sender
 * cannot get fresh buckets by inventing methods.
 */
export const FLOOD_CLASSES = ['invite', 'register', 'options', 'other'] as const;
export type FloodClass = (typeof FLOOD_CLASSES)[number];

/** Per-class budgets of one source: a burst (`capacity`) and a sustained rate (`refillPerSecond`). */
export type FloodLimits = Readonly<Record<FloodClass, BucketSettings>>;

/** The defaults: 100 INVITEs/s (bursts of 200); 50/s (bursts of 100) for every other class. */
export const DEFAULT_FLOOD_LIMITS: FloodLimits = Object.freeze({
  invite: { capacity: 200, refillPerSecond: 100 },
  register: { capacity: 100, refillPerSecond: 50 },
  options: { capacity: 100, refillPerSecond: 50 },
  other: { capacity: 100, refillPerSecond: 50 },
});

/** Options of a {@link FloodGuard}. */
export interface FloodGuardOptions {
  readonly clock: Clock;
  /** The UA's dialogs: a request inside a known one is never limited. */
  readonly dialogs: { findForRequest(request: SipRequest): unknown };
  /** Budgets per class (missing ones keep {@link DEFAULT_FLOOD_LIMITS}). */
  readonly limits?: Partial<FloodLimits>;
  /** Sources remembered per class at most (least recently seen forgotten first); default 10 000. */
  readonly maxSources?: number;
  readonly logger?: Logger;
  /** Shortest time between two warnings about one class; default 10 s. */
  readonly warnEveryMs?: number;
}

/**
 * The SIP admission policy (the `admit` answer a transaction user gives the stack): new requests
 * are charged to their source IP address (not address and port, which a sender picks freely) in the
 * bucket of their class, and refused when it is empty. A refused request is dropped before any
 * transaction or response exists, so a flood with a spoofed source is not amplified.
 *
 * Never limited: ACK and CANCEL (they end transactions the sender already has; RFC 3261 §9.2,
 * §17.1.1.3), and any request inside a dialog this UA knows (BYE, re-INVITE, INFO, REFER, NOTIFY...:
 * §12.2.2 matches them by Call-ID, To tag and From tag), so a flood never tears down live calls.
 * A request carrying a To tag that matches no dialog is metered like an out-of-dialog one.
 */
export class FloodGuard {
  readonly #dialogs: FloodGuardOptions['dialogs'];
  readonly #buckets: Record<FloodClass, RateBuckets>;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #warnEveryMs: number;
  readonly #lastWarn = new Map<FloodClass, number>();
  readonly #refused: Record<FloodClass, number> = { invite: 0, register: 0, options: 0, other: 0 };

  constructor(options: FloodGuardOptions) {
    const limits = { ...DEFAULT_FLOOD_LIMITS, ...options.limits };
    for (const c of FLOOD_CLASSES) {
      const l = limits[c];
      if (!(l.capacity >= 1) || !(l.refillPerSecond > 0)) {
        throw new SwitchboardError('invalid_flood_limit', `flood limit '${c}' needs capacity >= 1 and refillPerSecond > 0, got ${l.capacity} and ${l.refillPerSecond}`);
      }
    }
    const maxClients = options.maxSources ?? 10_000;
    const make = (c: FloodClass): RateBuckets => new RateBuckets(limits[c], options.clock, { maxClients });
    this.#buckets = { invite: make('invite'), register: make('register'), options: make('options'), other: make('other') };
    this.#dialogs = options.dialogs;
    this.#clock = options.clock;
    this.#log = options.logger ?? silentLogger;
    this.#warnEveryMs = options.warnEveryMs ?? 10_000;
  }

  /** Requests refused so far, per class. */
  get refused(): Readonly<Record<FloodClass, number>> {
    return { ...this.#refused };
  }

  /** Sources remembered per class (bounded by `maxSources`). */
  get sources(): Readonly<Record<FloodClass, number>> {
    return { invite: this.#buckets.invite.size, register: this.#buckets.register.size, options: this.#buckets.options.size, other: this.#buckets.other.size };
  }

  /** The class a request is charged to; undefined when it is never limited. */
  classify(request: SipRequest): FloodClass | undefined {
    const method = request.method;
    if (method === 'ACK' || method === 'CANCEL') return undefined;
    if (this.#dialogs.findForRequest(request) !== undefined) return undefined;
    switch (method) {
      case 'INVITE':
        return 'invite';
      case 'REGISTER':
        return 'register';
      case 'OPTIONS':
        return 'options';
      default:
        return 'other';
    }
  }

  /** True when the request may create a transaction; false means drop it silently. */
  admit(request: SipRequest): boolean {
    const c = this.classify(request);
    if (c === undefined) return true;
    const source = request.source?.address ?? 'unknown';
    if (this.#buckets[c].consume(source, 1)) return true;
    this.#refused[c]++;
    const now = this.#clock.now();
    const last = this.#lastWarn.get(c);
    if (last === undefined || now - last >= this.#warnEveryMs) {
      this.#lastWarn.set(c, now);
      this.#log.warn({ source, class: c, method: request.method, refused: this.#refused[c] }, 'SIP flood guard dropping requests');
    }
    return false;
  }
}
