/**
 * An ordered, case-insensitive multimap of SIP header fields (RFC 3261 §7.3). Compact forms are
 * expanded to their long names on insert (§7.3.3), so `get('v')` and `get('Via')` are the same.
 * Values are kept as raw strings, one entry per comma-separated value where the header allows
 * lists (the parser splits them); typed views live in the parse-* helpers.
 */
export class Headers {
  readonly #entries: { name: string; value: string }[] = [];

  constructor(entries: Iterable<readonly [string, string]> = []) {
    for (const [n, v] of entries) this.append(n, v);
  }

  /** Adds a value after the existing ones of that name. */
  append(name: string, value: string): void {
    this.#entries.push({ name: canonicalName(name), value });
  }

  /** Adds a value before the existing ones of that name (a proxy's topmost Via, Record-Route). */
  prepend(name: string, value: string): void {
    const canonical = canonicalName(name);
    const at = this.#entries.findIndex((e) => sameName(e.name, canonical));
    this.#entries.splice(at < 0 ? this.#entries.length : at, 0, { name: canonical, value });
  }

  /** Replaces every value of `name` with `value` (kept at the position of the first one). */
  set(name: string, value: string): void {
    const canonical = canonicalName(name);
    const at = this.#entries.findIndex((e) => sameName(e.name, canonical));
    this.delete(canonical);
    this.#entries.splice(at < 0 ? this.#entries.length : at, 0, { name: canonical, value });
  }

  /** The first value of `name`, or undefined. */
  get(name: string): string | undefined {
    const canonical = canonicalName(name);
    return this.#entries.find((e) => sameName(e.name, canonical))?.value;
  }

  /** Every value of `name`, in order. */
  getAll(name: string): string[] {
    const canonical = canonicalName(name);
    return this.#entries.filter((e) => sameName(e.name, canonical)).map((e) => e.value);
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /** Removes every value of `name`. */
  delete(name: string): void {
    const canonical = canonicalName(name);
    for (let i = this.#entries.length - 1; i >= 0; i--) {
      if (sameName(this.#entries[i]?.name ?? '', canonical)) this.#entries.splice(i, 1);
    }
  }

  /** Removes the first value of `name` (a proxy popping its own Via). */
  shift(name: string): string | undefined {
    const canonical = canonicalName(name);
    const at = this.#entries.findIndex((e) => sameName(e.name, canonical));
    if (at < 0) return undefined;
    return this.#entries.splice(at, 1)[0]?.value;
  }

  /** Every entry in wire order. */
  entries(): { readonly name: string; readonly value: string }[] {
    return this.#entries.map((e) => ({ ...e }));
  }

  clone(): Headers {
    return new Headers(this.#entries.map((e) => [e.name, e.value] as const));
  }
}

/** RFC 3261 §7.3.3 compact forms (and RFC 3515/3891/4028 ones) → long names. */
const COMPACT: Record<string, string> = {
  i: 'Call-ID',
  m: 'Contact',
  e: 'Content-Encoding',
  l: 'Content-Length',
  c: 'Content-Type',
  f: 'From',
  s: 'Subject',
  k: 'Supported',
  t: 'To',
  v: 'Via',
  r: 'Refer-To',
  b: 'Referred-By',
  o: 'Event',
  u: 'Allow-Events',
  x: 'Session-Expires',
};

/** Names whose conventional spelling is not plain Title-Case. */
const SPECIAL: Record<string, string> = {
  'call-id': 'Call-ID',
  cseq: 'CSeq',
  'www-authenticate': 'WWW-Authenticate',
  'mime-version': 'MIME-Version',
  'rack': 'RAck',
  'rseq': 'RSeq',
};

/** The canonical spelling of a header name: compact forms expanded, conventional case. */
export function canonicalName(name: string): string {
  const lower = name.trim().toLowerCase();
  const compact = COMPACT[lower];
  if (compact !== undefined) return compact;
  const special = SPECIAL[lower];
  if (special !== undefined) return special;
  return lower.replace(/(^|-)([a-z])/g, (_m, dash: string, ch: string) => dash + ch.toUpperCase());
}

function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
