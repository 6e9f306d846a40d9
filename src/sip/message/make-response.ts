import { Headers } from './headers.ts';
import { SipResponse, type SipRequest } from './message.ts';
import { getTag } from './name-addr.ts';
import { reasonPhrase } from './reason-phrase.ts';

/** Options of {@link makeResponse}. */
export interface MakeResponseOptions {
  /** Added to the To header when it has no tag yet (RFC 3261 §8.2.6.2). */
  toTag?: string;
  /** Extra headers, appended in order after the copied ones. */
  headers?: [string, string][];
  body?: Buffer;
  /** Content-Type of `body`. */
  contentType?: string;
}

/**
 * Builds a response to `request` per RFC 3261 §8.2.6: "The From field of the response MUST equal
 * the From header field of the request. The Call-ID header field ... MUST equal ... The CSeq ...
 * MUST equal ... The Via header field values in the response MUST equal the Via header field
 * values in the request and MUST maintain the same ordering." A 100 also copies Timestamp
 * (§8.2.6.1). Record-Route copying for dialog-creating responses (§12.1.1) is the dialog layer's job.
 */
export function makeResponse(request: SipRequest, status: number, reason?: string, opts: MakeResponseOptions = {}): SipResponse {
  const h = new Headers();
  for (const via of request.headers.getAll('Via')) h.append('Via', via);
  const from = request.headers.get('From');
  if (from !== undefined) h.append('From', from);
  const to = request.headers.get('To');
  if (to !== undefined) {
    h.append('To', opts.toTag !== undefined && getTag(to) === undefined ? `${to};tag=${opts.toTag}` : to);
  }
  h.append('Call-ID', request.headers.get('Call-ID') ?? '');
  const cseq = request.headers.get('CSeq');
  if (cseq !== undefined) h.append('CSeq', cseq);
  if (status === 100) {
    const ts = request.headers.get('Timestamp');
    if (ts !== undefined) h.append('Timestamp', ts);
  }
  for (const [name, value] of opts.headers ?? []) h.append(name, value);
  const body = opts.body ?? Buffer.alloc(0);
  if (opts.contentType !== undefined) h.set('Content-Type', opts.contentType);
  return new SipResponse(status, reason ?? reasonPhrase(status), h, body);
}
