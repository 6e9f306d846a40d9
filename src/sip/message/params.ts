import { SipParseError } from './errors.ts';
import { isToken, readQuoted, setOwn, splitOutside, trimWs } from './text.ts';

/** Header or URI parameters, names lower-cased; a flag parameter (`;lr`) has the value null. */
export type Params = Record<string, string | null>;

/**
 * Parses a `;a=b;c` list (RFC 3261 §25.1 generic-param; the leading `;` is optional). Whitespace
 * around `;` and `=` is allowed; values keep their quotes when quoted (so `formatParams` round-trips).
 */
export function parseParams(text: string): Params {
  const params: Params = {};
  if (trimWs(text).length === 0) return params;
  const parts = splitOutside(text, ';', true);
  if (trimWs(text).startsWith(';')) parts.shift();
  for (const part of parts) {
    if (part.length === 0) throw new SipParseError('Empty parameter');
    const eq = part.indexOf('=');
    const name = trimWs(eq < 0 ? part : part.slice(0, eq)).toLowerCase();
    if (!isToken(name)) throw new SipParseError(`Malformed parameter "${name.slice(0, 40)}"`);
    if (eq < 0) {
      setOwn(params, name, null);
      continue;
    }
    const value = trimWs(part.slice(eq + 1));
    if (!validValue(value)) throw new SipParseError(`Malformed value for parameter "${name.slice(0, 40)}"`);
    setOwn(params, name, value);
  }
  return params;
}

/** Formats parameters as `;a=b;c` (empty string when there are none). */
export function formatParams(params: Params): string {
  let out = '';
  for (const name of Object.keys(params)) {
    const value = params[name];
    out += value === null || value === undefined ? `;${name}` : `;${name}=${value}`;
  }
  return out;
}

/** gen-value = token / host / quoted-string: reject empty values, stray quotes, brackets and whitespace. */
function validValue(value: string): boolean {
  if (value.length === 0) return false;
  if (value.charCodeAt(0) === 34) {
    try {
      return unquoteEnd(value) === value.length;
    } catch {
      return false;
    }
  }
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c <= 32 || c === 34 || c === 60 || c === 62 || c === 44 || c === 127) return false;
  }
  return true;
}

function unquoteEnd(value: string): number {
  return readQuoted(value, 0).end;
}
