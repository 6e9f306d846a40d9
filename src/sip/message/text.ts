import { SipParseError } from './errors.ts';

/** RFC 3261 §25.1 `token` characters: alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~". */
const TOKEN = new Uint8Array(128);
for (const c of 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`\'~') TOKEN[c.charCodeAt(0)] = 1;

/** True when every character of `s` is a §25.1 token character (and `s` is not empty). */
export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || TOKEN[c] !== 1) return false;
  }
  return true;
}

/** True for SP and HTAB (RFC 3261 §25.1 WSP). */
export function isWsp(c: number): boolean {
  return c === 32 || c === 9;
}

/**
 * Splits `text` on `sep` outside quoted-strings and `<...>` (RFC 3261 §7.3.1: lists are
 * comma-separated, but commas inside quotes or angle brackets belong to the value). Elements are
 * trimmed; empty elements are dropped unless `keepEmpty`. Linear, no regular expressions.
 */
export function splitOutside(text: string, sep: string, keepEmpty = false): string[] {
  const sepCode = sep.charCodeAt(0);
  const out: string[] = [];
  let start = 0;
  let inQuote = false;
  let inAngle = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inQuote) {
      if (c === 92) i++; // quoted-pair
      else if (c === 34) inQuote = false;
    } else if (c === 34) inQuote = true;
    else if (inAngle) {
      if (c === 62) inAngle = false;
    } else if (c === 60) inAngle = true;
    else if (c === sepCode) {
      const part = trimWs(text.slice(start, i));
      if (keepEmpty || part.length > 0) out.push(part);
      start = i + 1;
    }
  }
  const last = trimWs(text.slice(start));
  if (keepEmpty || last.length > 0) out.push(last);
  return out;
}

/**
 * Reads the quoted-string starting at `text[at]` (which must be `"`), returns its unescaped content
 * and the index just past the closing quote (RFC 3261 §25.1 quoted-string, quoted-pair).
 */
export function readQuoted(text: string, at: number): { value: string; end: number } {
  let value = '';
  let runStart = at + 1;
  for (let i = at + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 92) {
      if (i + 1 >= text.length) break;
      value += text.slice(runStart, i) + text[i + 1];
      i++;
      runStart = i + 1;
    } else if (c === 34) {
      return { value: value + text.slice(runStart, i), end: i + 1 };
    }
  }
  throw new SipParseError('Unterminated quoted string');
}

/** Encloses `s` in double quotes, escaping `"` and `\` (RFC 3261 §25.1 quoted-pair). */
export function quote(s: string): string {
  let out = '"';
  for (const ch of s) out += ch === '"' || ch === '\\' ? '\\' + ch : ch;
  return out + '"';
}

/** Removes surrounding quotes (and quoted-pairs) when `s` is a quoted-string; otherwise returns `s`. */
export function unquote(s: string): string {
  if (s.length >= 2 && s.charCodeAt(0) === 34) {
    const { value, end } = readQuoted(s, 0);
    if (end === s.length) return value;
  }
  return s;
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** Decodes %HH escapes (RFC 3261 §25.1 `escaped`) as UTF-8; throws on a malformed escape. */
export function percentDecode(s: string): string {
  if (!s.includes('%')) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 37) {
      const h = hexVal(s.charCodeAt(i + 1));
      const l = hexVal(s.charCodeAt(i + 2));
      if (h < 0 || l < 0) throw new SipParseError('Malformed percent escape');
      bytes.push(h * 16 + l);
      i += 2;
    } else if (c < 128) bytes.push(c);
    else for (const b of Buffer.from(s[i] ?? '', 'utf8')) bytes.push(b);
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Percent-encodes every character of `s` not in the `allowed` table (one byte per UTF-8 byte). */
export function percentEncode(s: string, allowed: Uint8Array): string {
  let plain = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || allowed[c] !== 1) {
      plain = false;
      break;
    }
  }
  if (plain) return s;
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    out += b < 128 && allowed[b] === 1 ? String.fromCharCode(b) : '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** Builds a 128-entry membership table for `chars`. */
export function charTable(chars: string): Uint8Array {
  const t = new Uint8Array(128);
  for (const c of chars) t[c.charCodeAt(0)] = 1;
  return t;
}

/** Sets `obj[key] = value` without ever touching the prototype (a `__proto__` parameter name). */
export function setOwn<O extends Record<string, unknown>>(obj: O, key: string, value: O[string]): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else (obj as Record<string, unknown>)[key] = value;
}

/** Trims SP, HTAB, CR and LF only (String#trim would also eat U+FEFF and other Unicode spaces). */
export function trimWs(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isLws(s.charCodeAt(a))) a++;
  while (b > a && isLws(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** Trims trailing SP, HTAB, CR and LF. */
export function trimWsEnd(s: string): string {
  let b = s.length;
  while (b > 0 && isLws(s.charCodeAt(b - 1))) b--;
  return b === s.length ? s : s.slice(0, b);
}

function isLws(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 10;
}
