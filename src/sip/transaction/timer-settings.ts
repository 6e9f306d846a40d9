/**
 * RFC 3261 §17.1.1.1 and Table 4 timer bases, in milliseconds: T1 is the RTT estimate, T2 the
 * longest retransmit interval for non-INVITE requests and INVITE responses, T4 the time a message
 * may stay in the network. `D` is Timer D on unreliable transports ("at least 32 seconds").
 */
export interface TimerSettings {
  readonly T1: number;
  readonly T2: number;
  readonly T4: number;
  readonly D: number;
}

/** The RFC 3261 Table 4 defaults. */
export const DEFAULT_TIMER_SETTINGS: TimerSettings = Object.freeze({ T1: 500, T2: 4000, T4: 5000, D: 32_000 });

/** Fills the defaults into a partial timer-settings object. */
export function timerSettings(partial: Partial<TimerSettings> = {}): TimerSettings {
  return Object.freeze({ ...DEFAULT_TIMER_SETTINGS, ...partial });
}

/** Transaction timers as RFC 3261 Table 4 and RFC 6026 §8 (L, M) name them. */
export const TIMER_NAMES = ['A', 'B', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M'] as const;
export type TimerName = (typeof TIMER_NAMES)[number];

/**
 * The initial duration of a timer (RFC 3261 Table 4, RFC 6026 §8.11). Timers that exist only on
 * unreliable transports (A, E, G) are never started on reliable ones; the "0 for TCP" timers
 * (D, I, J, K) return 0 there.
 */
export function timerDuration(name: TimerName, settings: TimerSettings, reliable: boolean): number {
  const { T1, T4 } = settings;
  switch (name) {
    case 'A':
    case 'E':
    case 'G':
      return T1;
    case 'B':
    case 'F':
    case 'H':
    case 'L':
    case 'M':
      return 64 * T1;
    case 'D':
      return reliable ? 0 : settings.D;
    case 'J':
      return reliable ? 0 : 64 * T1;
    case 'I':
    case 'K':
      return reliable ? 0 : T4;
  }
}
