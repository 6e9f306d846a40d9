import { SipParseError } from './errors.ts';
import type { Headers } from './headers.ts';
import { checkNameAddr } from './name-addr.ts';
import { parseParams } from './params.ts';
import { isToken, trimWs } from './text.ts';

/**
 * Syntax checks of the scalar and address headers a UA relies on (RFC 3261 §20, §25): Max-Forwards
 * (0-255), Expires (delta-seconds, at most 2**32-1), Content-Type (media-type), Contact, Route and
 * Record-Route addresses. Unknown headers are not checked.
 */
export function validateHeaderValues(headers: Headers): void {
  const maxForwards = headers.get('Max-Forwards');
  if (maxForwards !== undefined && !(/^[0-9]{1,10}$/.test(maxForwards) && Number(maxForwards) <= 255)) {
    throw new SipParseError('Malformed Max-Forwards');
  }
  const expires = headers.get('Expires');
  if (expires !== undefined && !(/^[0-9]{1,10}$/.test(expires) && Number(expires) <= 0xffffffff)) {
    throw new SipParseError('Malformed Expires');
  }
  const contentType = headers.get('Content-Type');
  if (contentType !== undefined) checkMediaType(contentType);
  for (const contact of headers.getAll('Contact')) {
    if (contact !== '*') checkNameAddr(contact);
  }
  for (const name of ['Route', 'Record-Route'] as const) {
    for (const value of headers.getAll(name)) checkNameAddr(value);
  }
}

/** media-type = m-type SLASH m-subtype *(SEMI m-parameter) (RFC 3261 §20.15). */
function checkMediaType(value: string): void {
  const semi = value.indexOf(';');
  const type = semi < 0 ? value : value.slice(0, semi);
  const slash = type.indexOf('/');
  if (slash < 0 || !isToken(trimWs(type.slice(0, slash))) || !isToken(trimWs(type.slice(slash + 1)))) {
    throw new SipParseError('Malformed Content-Type');
  }
  if (semi >= 0) parseParams(value.slice(semi));
}
