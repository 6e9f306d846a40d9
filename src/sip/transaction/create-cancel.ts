import { Headers, SipRequest } from '../message/index.ts';
import { cseqOf } from './transaction-key.ts';

/**
 * RFC 3261 §9.1: "The Request-URI, Call-ID, To, the numeric part of CSeq, and From header fields in
 * the CANCEL request MUST be identical to those in the request being cancelled, including tags. A
 * CANCEL constructed by a client MUST have only a single Via header field value matching the top
 * Via value in the request being cancelled." Route headers are copied too ("If the request being
 * cancelled contains a Route header field, the CANCEL request MUST include that Route header
 * field's values"). The transaction layer keeps this Via, so the CANCEL follows the INVITE's path.
 */
export function createCancel(invite: SipRequest): SipRequest {
  const h = new Headers();
  const via = invite.headers.get('Via');
  if (via !== undefined) h.append('Via', via);
  for (const route of invite.headers.getAll('Route')) h.append('Route', route);
  h.append('Max-Forwards', '70');
  h.append('From', invite.headers.get('From') ?? '');
  h.append('To', invite.headers.get('To') ?? '');
  h.append('Call-ID', invite.callId);
  h.append('CSeq', `${cseqOf(invite)?.seq ?? 0} CANCEL`);
  return new SipRequest('CANCEL', invite.uri, h);
}
