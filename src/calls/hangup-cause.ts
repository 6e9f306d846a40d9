/** Q.850 cause names KAZOO reports in `hangup_cause` (docs/calls.md). */
export const HANGUP_CAUSES = [
  'NORMAL_CLEARING',
  'ORIGINATOR_CANCEL',
  'USER_BUSY',
  'NO_USER_RESPONSE',
  'NO_ANSWER',
  'UNALLOCATED_NUMBER',
  'LOSE_RACE',
  'CALL_REJECTED',
  'NORMAL_TEMPORARY_FAILURE',
  'INCOMPATIBLE_DESTINATION',
  'RECOVERY_ON_TIMER_EXPIRE',
  'NORMAL_UNSPECIFIED',
  'SYSTEM_SHUTDOWN',
  'ALLOTTED_TIMEOUT',
  'MEDIA_TIMEOUT',
  'DESTINATION_OUT_OF_ORDER',
] as const;
export type HangupCause = (typeof HANGUP_CAUSES)[number];

/** The cause of a SIP final failure (RFC 3398 §8.2.6.1, as FreeSWITCH names them). */
export function causeOfStatus(status: number): HangupCause {
  switch (status) {
    case 486:
    case 600:
      return 'USER_BUSY';
    case 480:
      return 'NO_USER_RESPONSE';
    case 408:
      return 'NO_ANSWER';
    case 404:
    case 604:
    case 484:
      return 'UNALLOCATED_NUMBER';
    case 487:
      return 'ORIGINATOR_CANCEL';
    case 403:
    case 603:
      return 'CALL_REJECTED';
    case 488:
    case 606:
      return 'INCOMPATIBLE_DESTINATION';
    case 502:
      return 'DESTINATION_OUT_OF_ORDER';
    case 503:
      return 'NORMAL_TEMPORARY_FAILURE';
    default:
      return 'NORMAL_UNSPECIFIED';
  }
}

/** The SIP status that tells a caller why its call failed (RFC 3398 §7.2.4.1). */
export function statusOfCause(cause: HangupCause): number {
  switch (cause) {
    case 'USER_BUSY':
      return 486;
    case 'NO_USER_RESPONSE':
      return 480;
    case 'NO_ANSWER':
    case 'RECOVERY_ON_TIMER_EXPIRE':
      return 480;
    case 'UNALLOCATED_NUMBER':
      return 404;
    case 'ORIGINATOR_CANCEL':
    case 'LOSE_RACE':
      return 487;
    case 'CALL_REJECTED':
      return 403;
    case 'INCOMPATIBLE_DESTINATION':
      return 488;
    case 'DESTINATION_OUT_OF_ORDER':
      return 502;
    case 'NORMAL_TEMPORARY_FAILURE':
    case 'SYSTEM_SHUTDOWN':
      return 503;
    default:
      return 480;
  }
}

/**
 * RFC 3261 §16.7 step 6: which of several forked failures the caller hears. 6xx beat everything;
 * otherwise the most telling 4xx (busy over unavailable over timeout), then 5xx.
 */
export function bestFailure(statuses: readonly number[]): number {
  // §16.7 step 6: "If the only response that was received is a 503, the proxy SHOULD generate a
  // 500 response": a callee that is down does not mean the switch is overloaded.
  if (statuses.length > 0 && statuses.every((s) => s === 503)) return 500;
  const rank = (s: number): number => {
    if (s >= 600) return 0;
    const order = [486, 404, 403, 488, 480, 408, 487];
    const i = order.indexOf(s);
    if (i >= 0) return 1 + i;
    if (s >= 400 && s < 500) return 10;
    // A 503 is never preferred over another 5xx: it would say the switch itself is overloaded.
    return s === 503 ? 21 : 20;
  };
  return [...statuses].sort((a, b) => rank(a) - rank(b))[0] ?? 480;
}
