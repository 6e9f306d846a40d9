import { SipParseError } from './errors.ts';
import { formatParams, parseParams, type Params } from './params.ts';
import { isToken, isWsp, quote, readQuoted, splitOutside, trimWs, trimWsEnd } from './text.ts';
import { formatUri, parseUri, type SipUri } from './uri.ts';

/** A From/To/Contact/Route value (RFC 3261 §20.10, §25.1 name-addr / addr-spec plus header params). */
export interface NameAddr {
  displayName?: string;
  uri: SipUri;
  params: Params;
}

interface NameAddrParts {
  displayName?: string;
  uriText: string;
  paramsText: string;
}

/**
 * Splits `"Bob" <sip:b@x>;tag=1`, `Bob <sip:b@x>` or the addr-spec form `sip:b@x;tag=1` (where,
 * per RFC 3261 §20, the parameters after an unbracketed URI belong to the header, not the URI).
 */
function splitNameAddr(value: string): NameAddrParts {
  const text = trimWs(value);
  if (text.length === 0) throw new SipParseError('Empty address');
  let displayName: string | undefined;
  let lt: number;
  if (text.charCodeAt(0) === 34) {
    const q = readQuoted(text, 0);
    displayName = q.value;
    lt = q.end;
    while (lt < text.length && isWsp(text.charCodeAt(lt))) lt++;
    if (text.charCodeAt(lt) !== 60) throw new SipParseError('Quoted display name not followed by <URI>');
  } else {
    lt = text.indexOf('<');
    if (lt < 0) {
      const semi = text.indexOf(';');
      const uriText = semi < 0 ? text : trimWsEnd(text.slice(0, semi));
      // RFC 3261 §20: "if the URI contains a comma, question mark or semicolon, the URI MUST be enclosed in angle brackets".
      if (uriText.includes('?') || uriText.includes(',')) throw new SipParseError('URI with headers must be enclosed in <>');
      return { uriText, paramsText: semi < 0 ? '' : text.slice(semi) };
    }
    const words = trimWs(text.slice(0, lt));
    if (words.length > 0) {
      for (const word of words.split(/[ \t]+/)) {
        if (!isToken(word)) throw new SipParseError('Display name has characters that need quoting');
      }
      displayName = words;
    }
  }
  const gt = text.indexOf('>', lt + 1);
  if (gt < 0) throw new SipParseError('Unterminated <URI>');
  const uriText = text.slice(lt + 1, gt);
  const paramsText = trimWs(text.slice(gt + 1));
  if (paramsText.length > 0 && paramsText.charCodeAt(0) !== 59) throw new SipParseError('Junk after <URI>');
  return displayName === undefined ? { uriText, paramsText } : { displayName, uriText, paramsText };
}

/** Parses a name-addr or addr-spec with header parameters (RFC 3261 §25.1); throws SipParseError. */
export function parseNameAddr(value: string): NameAddr {
  const parts = splitNameAddr(value);
  const result: NameAddr = { uri: parseUri(parts.uriText), params: parseParams(parts.paramsText) };
  if (parts.displayName !== undefined) result.displayName = parts.displayName;
  return result;
}

/**
 * Checks the syntax of a From/To-like value without requiring a SIP scheme: an absoluteURI of
 * another scheme (RFC 3261 §25.1 `absoluteURI`) is accepted when it has no whitespace or brackets.
 */
export function checkNameAddr(value: string): void {
  const parts = splitNameAddr(value);
  const colon = parts.uriText.indexOf(':');
  const scheme = colon > 0 ? parts.uriText.slice(0, colon).toLowerCase() : '';
  if (scheme === 'sip' || scheme === 'sips' || scheme === 'tel') parseUri(parts.uriText);
  else if (!/^[a-z][a-z0-9+.-]*$/.test(scheme) || /[\s<>"]/.test(parts.uriText)) throw new SipParseError('Malformed URI');
  parseParams(parts.paramsText);
}

/** Formats a NameAddr, always in the bracketed name-addr form (quoted display name when present). */
export function formatNameAddr(n: NameAddr): string {
  const display = n.displayName === undefined || n.displayName === '' ? '' : quote(n.displayName) + ' ';
  return `${display}<${formatUri(n.uri)}>${formatParams(n.params)}`;
}

/** Parses a Contact header value (RFC 3261 §20.10): a comma-separated list or the `*` wildcard. */
export function parseContacts(value: string): NameAddr[] | '*' {
  if (trimWs(value) === '*') return '*';
  return splitOutside(value, ',').map(parseNameAddr);
}

/** The `tag` parameter of a From or To value (RFC 3261 §19.3), or undefined (also when malformed). */
export function getTag(headerValue: string): string | undefined {
  try {
    const { paramsText } = splitNameAddr(headerValue);
    if (paramsText.length === 0) return undefined;
    return parseParams(paramsText)['tag'] ?? undefined;
  } catch {
    return undefined;
  }
}
