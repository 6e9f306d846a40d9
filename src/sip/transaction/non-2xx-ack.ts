import { Headers, SipRequest } from '../message/index.ts';
import type { SipResponse } from '../message/index.ts';

/**
 * RFC 3261 §17.1.1.3: the ACK the INVITE client transaction builds for a 3xx-6xx response. "The
 * ACK request constructed by the client transaction MUST contain values for the Call-ID, From, and
 * Request-URI that are equal to the values of those header fields in the request passed to the
 * transport by the client transaction ... The To header field in the ACK MUST equal the To header
 * field in the response being acknowledged ... The ACK MUST contain a single Via header field, and
 * this MUST be equal to the top Via header field of the original request ... the CSeq header field
 * in the ACK MUST contain the same value for the sequence number as was present in the original
 * request, but the method parameter MUST be equal to "ACK"." Route headers are copied (§17.1.1.3).
 */
export function buildNon2xxAck(invite: SipRequest, response: SipResponse): SipRequest {
  const h = new Headers();
  const via = invite.headers.get('Via');
  if (via !== undefined) h.append('Via', via);
  h.append('Max-Forwards', '70');
  for (const route of invite.headers.getAll('Route')) h.append('Route', route);
  h.append('From', invite.headers.get('From') ?? '');
  h.append('To', response.headers.get('To') ?? invite.headers.get('To') ?? '');
  h.append('Call-ID', invite.callId);
  h.append('CSeq', `${cseqNumber(invite)} ACK`);
  return new SipRequest('ACK', invite.uri, h);
}

/** The sequence number of a request's CSeq (0 when absent or malformed). */
export function cseqNumber(request: SipRequest | SipResponse): number {
  const match = /^\s*(\d+)/.exec(request.headers.get('CSeq') ?? '');
  return match?.[1] === undefined ? 0 : Number(match[1]);
}
