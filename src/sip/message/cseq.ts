import { SipParseError } from './errors.ts';
import { isToken, isWsp, trimWs } from './text.ts';

/** A CSeq value (RFC 3261 §20.16). */
export interface CSeq {
  seq: number;
  method: string;
}

/** Parses `4711 INVITE`; the number must be below 2**31 (RFC 3261 §8.1.1.5). */
export function parseCSeq(value: string): CSeq {
  const s = trimWs(value);
  let i = 0;
  while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
  if (i === 0 || i >= s.length || !isWsp(s.charCodeAt(i))) throw new SipParseError('Malformed CSeq');
  const digits = s.slice(0, i);
  const seq = digits.length > 11 ? Infinity : Number(digits);
  if (seq > 0x7fffffff) throw new SipParseError('CSeq number too large');
  const method = trimWs(s.slice(i));
  if (!isToken(method)) throw new SipParseError('Malformed CSeq method');
  return { seq, method };
}

/** Formats a CSeq value. */
export function formatCSeq(c: CSeq): string {
  return `${c.seq} ${c.method}`;
}
