import { SwitchboardError } from '../../lib/index.ts';

/** A malformed Authorization / WWW-Authenticate value. */
export class DigestSyntaxError extends SwitchboardError {
  constructor(message: string) {
    super('digest_syntax', message);
  }
}

/** One challenge or credentials: its scheme (`Digest`) and auth-params, names lower-cased. */
export interface AuthChallenge {
  scheme: string;
  params: Record<string, string>;
}

function isTokenChar(c: number): boolean {
  return (
    (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) ||
    c === 45 || c === 46 || c === 33 || c === 37 || c === 42 || c === 95 || c === 43 || c === 96 || c === 39 || c === 126
  );
}

/**
 * Parses a header value holding one or more challenges/credentials (RFC 3261 §25.1 challenge,
 * credentials; RFC 7616 §3.3): `Digest realm="a, b", nonce="x", Digest ...`. Quoted-string aware;
 * throws DigestSyntaxError on malformed input.
 */
export function parseAuthHeader(value: string): AuthChallenge[] {
  const s = value;
  const out: AuthChallenge[] = [];
  let i = 0;
  const skip = (): void => {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t' || s[i] === '\r' || s[i] === '\n')) i++;
  };
  const token = (): string => {
    const start = i;
    while (i < s.length && isTokenChar(s.charCodeAt(i))) i++;
    return s.slice(start, i);
  };
  let current: AuthChallenge | undefined;
  for (;;) {
    skip();
    while (s[i] === ',') {
      i++;
      skip();
    }
    if (i >= s.length) break;
    const name = token();
    if (name.length === 0) throw new DigestSyntaxError('Expected a token');
    skip();
    if (s[i] !== '=') {
      current = { scheme: name, params: {} };
      out.push(current);
      continue;
    }
    if (current === undefined) throw new DigestSyntaxError('Auth parameter before the scheme');
    i++;
    skip();
    let val: string;
    if (s[i] === '"') {
      i++;
      val = '';
      let closed = false;
      while (i < s.length) {
        const ch = s[i];
        if (ch === '\\' && i + 1 < s.length) {
          val += s[i + 1];
          i += 2;
        } else if (ch === '"') {
          i++;
          closed = true;
          break;
        } else {
          val += ch;
          i++;
        }
      }
      if (!closed) throw new DigestSyntaxError('Unterminated quoted string');
    } else {
      const start = i;
      while (i < s.length && s[i] !== ',' && s[i] !== ' ' && s[i] !== '\t' && s[i] !== '"') i++;
      val = s.slice(start, i);
      if (val.length === 0) throw new DigestSyntaxError(`Empty value for ${name}`);
    }
    const key = name.toLowerCase();
    if (key !== '__proto__') current.params[key] = val;
    skip();
    if (i < s.length && s[i] !== ',') throw new DigestSyntaxError('Expected a comma between parameters');
  }
  return out;
}

/** The parameters of a single Digest challenge or credentials value (names lower-cased). */
export function parseDigest(headerValue: string): Record<string, string> {
  const all = parseAuthHeader(headerValue);
  const first = all[0];
  if (all.length !== 1 || first === undefined || first.scheme.toLowerCase() !== 'digest') {
    throw new DigestSyntaxError('Expected exactly one Digest value');
  }
  return first.params;
}

/** Parameters sent as tokens rather than quoted-strings (RFC 7616 §3.3, §3.4). */
const TOKEN_PARAMS = new Set(['algorithm', 'nc', 'stale', 'userhash', 'charset']);

/**
 * Formats `Digest a="b", ...`. In credentials `qop` is a token; in a challenge it is the quoted
 * qop-options list (RFC 7616 §3.3 vs §3.4).
 */
export function formatDigest(params: Record<string, string>, kind: 'challenge' | 'credentials' = 'credentials'): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(params)) {
    const bare = TOKEN_PARAMS.has(name) || (name === 'qop' && kind === 'credentials');
    parts.push(bare ? `${name}=${value}` : `${name}="${value.replace(/(["\\])/g, '\\$1')}"`);
  }
  return `Digest ${parts.join(', ')}`;
}
