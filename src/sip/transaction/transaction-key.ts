import { BRANCH_MAGIC, getTag, parseCSeq } from '../message/index.ts';
import type { SipMessage, SipRequest, Via } from '../message/index.ts';

/**
 * §17.1.3: a response matches a client transaction when "the response has the same value of the
 * branch parameter in the top Via header field as the branch parameter in the top Via header field
 * of the request that created the transaction" and "the method parameter in the CSeq header field
 * matches the method of the request that created the transaction".
 */
export function clientKey(branch: string, method: string): string {
  return `${branch}|${method.toUpperCase()}`;
}

/**
 * §17.2.3: a request matches a server transaction by the top Via branch, its sent-by, and the method,
 * "except for ACK, where the method of the request that created the transaction is INVITE". For a
 * branch without the RFC 3261 magic cookie, the RFC 2543 fallback keys on Request-URI, From tag,
 * Call-ID, CSeq number and the whole top Via. `method` overrides the request's method (CANCEL → INVITE,
 * §9.2). Undefined when the request has no usable Via or CSeq.
 */
export function serverKey(request: SipRequest, via: Via, method: string = request.method): string | undefined {
  const m = method === 'ACK' ? 'INVITE' : method.toUpperCase();
  const branch = via.params['branch'];
  if (typeof branch === 'string' && branch.startsWith(BRANCH_MAGIC)) {
    return `${branch}|${via.host.toLowerCase()}:${via.port ?? ''}|${m}`;
  }
  const seq = cseqOf(request)?.seq;
  if (seq === undefined) return undefined;
  const fromTag = getTag(request.headers.get('From') ?? '') ?? '';
  // ACK to a non-2xx carries the same Request-URI as the INVITE (§17.1.1.3), so it keys the same.
  return `2543|${request.uri}|${fromTag}|${request.callId}|${seq}|${request.headers.get('Via') ?? ''}|${m}`;
}

/** The parsed CSeq of a message, or undefined when absent or malformed. */
export function cseqOf(message: SipMessage): { seq: number; method: string } | undefined {
  const value = message.headers.get('CSeq');
  if (value === undefined) return undefined;
  try {
    return parseCSeq(value);
  } catch {
    return undefined;
  }
}
