import { SipParseError } from './errors.ts';
import type { Params } from './params.ts';
import { charTable, percentDecode, percentEncode, setOwn } from './text.ts';

/**
 * A parsed SIP, SIPS (RFC 3261 §19.1) or tel (RFC 3966) URI. `user`, `password`, parameter and
 * header values are stored unescaped; `formatUri` escapes them again. `host` keeps IPv6 references
 * in brackets (`[::1]`) as on the wire. For `tel:` the number is in `user` and `host` is ''.
 */
export interface SipUri {
  scheme: 'sip' | 'sips' | 'tel';
  user?: string;
  password?: string;
  host: string;
  port?: number;
  params: Params;
  headers: Record<string, string>;
}

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const MARK = "-_.!~*'()";
const USER_CHARS = charTable(ALNUM + MARK + '&=+$,;?/');
const PASSWORD_CHARS = charTable(ALNUM + MARK + '&=+$,');
const PARAM_CHARS = charTable(ALNUM + MARK + '[]/:&+$');
const HEADER_CHARS = charTable(ALNUM + MARK + '[]/?:+$');
const HOST_CHARS = charTable(ALNUM + '-._');
const IPV6_CHARS = charTable('0123456789abcdefABCDEF:.');

/** Parses a SIP/SIPS/tel URI (RFC 3261 §19.1.1, §25.1); throws SipParseError when malformed. */
export function parseUri(text: string): SipUri {
  const colon = text.indexOf(':');
  if (colon <= 0) throw new SipParseError('Malformed URI: no scheme');
  const scheme = text.slice(0, colon).toLowerCase();
  if (scheme !== 'sip' && scheme !== 'sips' && scheme !== 'tel') throw new SipParseError(`Unsupported URI scheme "${scheme.slice(0, 20)}"`);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= 32 || c === 127 || c === 60 || c === 62 || c === 34) throw new SipParseError('Malformed URI: illegal character');
  }
  const rest = text.slice(colon + 1);
  if (scheme === 'tel') return parseTel(rest);

  const uri: SipUri = { scheme, host: '', params: {}, headers: {} };
  let pos = 0;
  const at = rest.indexOf('@');
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    const pw = userinfo.indexOf(':');
    const user = pw < 0 ? userinfo : userinfo.slice(0, pw);
    if (user.length === 0) throw new SipParseError('Malformed URI: empty user');
    checkChars(user, USER_CHARS, 'user');
    uri.user = percentDecode(user);
    if (pw >= 0) {
      const password = userinfo.slice(pw + 1);
      checkChars(password, PASSWORD_CHARS, 'password');
      uri.password = percentDecode(password);
    }
    pos = at + 1;
  }
  pos = readHostPort(rest, pos, uri);
  const q = rest.indexOf('?', pos);
  const paramText = q < 0 ? rest.slice(pos) : rest.slice(pos, q);
  if (paramText.length > 0) {
    if (paramText.charCodeAt(0) !== 59) throw new SipParseError('Malformed URI: junk after host');
    uri.params = parseUriParams(paramText);
  }
  if (q >= 0) uri.headers = parseUriHeaders(rest.slice(q + 1));
  return uri;
}

function parseTel(rest: string): SipUri {
  const semi = rest.indexOf(';');
  const number = semi < 0 ? rest : rest.slice(0, semi);
  if (number.length === 0) throw new SipParseError('Malformed tel URI: empty number');
  checkChars(number, USER_CHARS, 'number');
  const uri: SipUri = { scheme: 'tel', user: percentDecode(number), host: '', params: {}, headers: {} };
  if (semi >= 0) uri.params = parseUriParams(rest.slice(semi));
  return uri;
}

function readHostPort(text: string, from: number, uri: SipUri): number {
  let i = from;
  if (text.charCodeAt(i) === 91) {
    const close = text.indexOf(']', i);
    if (close < 0) throw new SipParseError('Malformed URI: unterminated IPv6 reference');
    const inner = text.slice(i + 1, close);
    if (inner.length < 2 || !inner.includes(':')) throw new SipParseError('Malformed URI: bad IPv6 reference');
    checkChars(inner, IPV6_CHARS, 'IPv6 reference');
    uri.host = text.slice(i, close + 1);
    i = close + 1;
  } else {
    const start = i;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 58 || c === 59 || c === 63) break;
      if (c >= 128 || HOST_CHARS[c] !== 1) throw new SipParseError('Malformed URI: illegal character in host');
      i++;
    }
    if (i === start) throw new SipParseError('Malformed URI: empty host');
    uri.host = text.slice(start, i);
  }
  if (text.charCodeAt(i) === 58) {
    const start = ++i;
    while (i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
    const port = Number(text.slice(start, i));
    if (i === start || i - start > 5 || port > 65535) throw new SipParseError('Malformed URI: bad port');
    uri.port = port;
  }
  return i;
}

function parseUriParams(text: string): Params {
  const params: Params = {};
  for (const part of text.split(';')) {
    if (part.length === 0) continue;
    const eq = part.indexOf('=');
    const rawName = eq < 0 ? part : part.slice(0, eq);
    checkChars(rawName, PARAM_CHARS, 'parameter');
    const name = percentDecode(rawName).toLowerCase();
    if (name.length === 0) throw new SipParseError('Malformed URI: empty parameter name');
    if (eq < 0) {
      setOwn(params, name, null);
    } else {
      const value = part.slice(eq + 1);
      if (value.length === 0) throw new SipParseError('Malformed URI: empty parameter value');
      checkChars(value, PARAM_CHARS, 'parameter');
      setOwn(params, name, percentDecode(value));
    }
  }
  return params;
}

function parseUriHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const part of text.split('&')) {
    if (part.length === 0) continue;
    const eq = part.indexOf('=');
    if (eq <= 0) throw new SipParseError('Malformed URI: bad header');
    const name = part.slice(0, eq);
    const value = part.slice(eq + 1);
    checkChars(name, HEADER_CHARS, 'header');
    checkChars(value, HEADER_CHARS, 'header');
    setOwn(headers, percentDecode(name), percentDecode(value));
  }
  return headers;
}

function checkChars(s: string, table: Uint8Array, what: string): void {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 37) continue;
    if (c >= 128 || table[c] !== 1) throw new SipParseError(`Malformed URI: illegal character in ${what}`);
  }
}

/** Formats a URI back to text, escaping what §25.1 does not allow unescaped. */
export function formatUri(uri: SipUri): string {
  let out = uri.scheme + ':';
  if (uri.scheme === 'tel') {
    out += percentEncode(uri.user ?? '', USER_CHARS);
  } else {
    if (uri.user !== undefined) {
      out += percentEncode(uri.user, USER_CHARS);
      if (uri.password !== undefined) out += ':' + percentEncode(uri.password, PASSWORD_CHARS);
      out += '@';
    }
    out += uri.host;
    if (uri.port !== undefined) out += ':' + uri.port;
  }
  for (const name of Object.keys(uri.params)) {
    const value = uri.params[name];
    out += ';' + percentEncode(name, PARAM_CHARS);
    if (value !== null && value !== undefined) out += '=' + percentEncode(value, PARAM_CHARS);
  }
  const names = Object.keys(uri.headers);
  for (let i = 0; i < names.length; i++) {
    const name = names[i] ?? '';
    out += (i === 0 ? '?' : '&') + percentEncode(name, HEADER_CHARS) + '=' + percentEncode(uri.headers[name] ?? '', HEADER_CHARS);
  }
  return out;
}

/** Parameters that must match when present in either URI (RFC 3261 §19.1.4). */
const STRICT_PARAMS = ['user', 'ttl', 'method', 'maddr', 'transport'] as const;

/**
 * URI equivalence per RFC 3261 §19.1.4: user and password case-sensitive, host case-insensitive,
 * an absent port differs from an explicit one, user/ttl/method/maddr/transport must match when
 * present in either, other parameters only when present in both, headers must all match.
 */
export function uriEquals(a: SipUri, b: SipUri): boolean {
  if (a.scheme !== b.scheme) return false;
  if (a.user !== b.user || a.password !== b.password) return false;
  if (a.host.toLowerCase() !== b.host.toLowerCase() || a.port !== b.port) return false;
  for (const name of STRICT_PARAMS) {
    if (!sameParam(a.params[name], b.params[name])) return false;
  }
  for (const name of Object.keys(a.params)) {
    if (Object.hasOwn(b.params, name) && !sameParam(a.params[name], b.params[name])) return false;
  }
  const ah = Object.keys(a.headers);
  if (ah.length !== Object.keys(b.headers).length) return false;
  for (const name of ah) {
    const other = Object.keys(b.headers).find((n) => n.toLowerCase() === name.toLowerCase());
    if (other === undefined || b.headers[other] !== a.headers[name]) return false;
  }
  return true;
}

function sameParam(x: string | null | undefined, y: string | null | undefined): boolean {
  if (x === undefined || y === undefined) return x === y;
  if (x === null || y === null) return x === y;
  return x.toLowerCase() === y.toLowerCase();
}
