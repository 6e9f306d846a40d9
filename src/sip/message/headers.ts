/**
 * An ordered, case-insensitive multimap of SIP header fields (RFC 3261 §7.3). Compact forms are
 * expanded to their long names on insert (§7.3.3), so `get('v')` and `get('Via')` are the same.
 * Values are kept as raw strings, one entry per comma-separated value where the header allows
 * lists (the parser splits them); typed views live in the parse-* helpers.
 */
export class Headers {
  readonly #entries: Entry[] = [];

  constructor(entries: Iterable<readonly [string, string]> = []) {
    for (const [n, v] of entries) this.append(n, v);
  }

  /** Adds a value after the existing ones of that name. */
  append(name: string, value: string): void {
    const canonical = canonicalName(name);
    this.#entries.push({ name: canonical, key: canonical.toLowerCase(), value });
  }

  /** Adds a value before the existing ones of that name (a proxy's topmost Via, Record-Route). */
  prepend(name: string, value: string): void {
    const canonical = canonicalName(name);
    const key = canonical.toLowerCase();
    const at = this.#entries.findIndex((e) => e.key === key);
    this.#entries.splice(at < 0 ? this.#entries.length : at, 0, { name: canonical, key, value });
  }

  /** Replaces every value of `name` with `value` (kept at the position of the first one). */
  set(name: string, value: string): void {
    const canonical = canonicalName(name);
    const key = canonical.toLowerCase();
    const at = this.#entries.findIndex((e) => e.key === key);
    this.delete(canonical);
    this.#entries.splice(at < 0 ? this.#entries.length : at, 0, { name: canonical, key, value });
  }

  /** The first value of `name`, or undefined. */
  get(name: string): string | undefined {
    const key = keyOf(name);
    for (const e of this.#entries) if (e.key === key) return e.value;
    return undefined;
  }

  /** Every value of `name`, in order. */
  getAll(name: string): string[] {
    const key = keyOf(name);
    const out: string[] = [];
    for (const e of this.#entries) if (e.key === key) out.push(e.value);
    return out;
  }

  /** How many values of `name` there are. */
  count(name: string): number {
    const key = keyOf(name);
    let n = 0;
    for (const e of this.#entries) if (e.key === key) n++;
    return n;
  }

  /** Number of entries (values), all names together. */
  get size(): number {
    return this.#entries.length;
  }

  /** True when at least one value of `name` is present. */
  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /** Removes every value of `name`. */
  delete(name: string): void {
    const key = keyOf(name);
    for (let i = this.#entries.length - 1; i >= 0; i--) {
      if (this.#entries[i]?.key === key) this.#entries.splice(i, 1);
    }
  }

  /** Removes the first value of `name` (a proxy popping its own Via). */
  shift(name: string): string | undefined {
    const key = keyOf(name);
    const at = this.#entries.findIndex((e) => e.key === key);
    if (at < 0) return undefined;
    return this.#entries.splice(at, 1)[0]?.value;
  }

  /** Every entry in wire order. */
  entries(): { readonly name: string; readonly value: string }[] {
    return this.#entries.map((e) => ({ name: e.name, value: e.value }));
  }

  /** An independent copy (same order). */
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

/** Standard header names (RFC 3261 §20 and common extensions) in their conventional spelling. */
const KNOWN: Record<string, string> = {};
for (const name of [
  'Accept', 'Accept-Contact', 'Accept-Encoding', 'Accept-Language', 'Alert-Info', 'Allow', 'Allow-Events',
  'Authentication-Info', 'Authorization', 'Call-ID', 'Call-Info', 'Contact', 'Content-Disposition',
  'Content-Encoding', 'Content-Language', 'Content-Length', 'Content-Type', 'CSeq', 'Date', 'Error-Info',
  'Event', 'Expires', 'From', 'History-Info', 'Identity', 'In-Reply-To', 'Max-Forwards', 'Min-Expires',
  'Min-SE', 'MIME-Version', 'Organization', 'P-Asserted-Identity', 'P-Preferred-Identity', 'Path',
  'Priority', 'Privacy', 'Proxy-Authenticate', 'Proxy-Authorization', 'Proxy-Require', 'RAck', 'Reason',
  'Record-Route', 'Refer-Sub', 'Refer-To', 'Referred-By', 'Reject-Contact', 'Replaces', 'Reply-To',
  'Request-Disposition', 'Require', 'Retry-After', 'Route', 'RSeq', 'Security-Client', 'Security-Server',
  'Security-Verify', 'Server', 'Service-Route', 'Session-Expires', 'SIP-ETag', 'SIP-If-Match', 'Subject',
  'Subscription-State', 'Supported', 'Timestamp', 'To', 'Unsupported', 'User-Agent', 'Via', 'Warning',
  'WWW-Authenticate',
]) {
  KNOWN[name.toLowerCase()] = name;
}

/** Memo of spellings seen → canonical name; bounded so hostile peers cannot grow it forever. */
const CACHE = new Map<string, string>();
const CACHE_LIMIT = 2000;

/**
 * The canonical spelling of a header name: compact forms expanded, standard names in their
 * conventional case (`cseq` → `CSeq`); an unknown extension name keeps the spelling it was given.
 */
export function canonicalName(name: string): string {
  const cached = CACHE.get(name);
  if (cached !== undefined) return cached;
  const trimmed = name.trim();
  const lower = trimmed.toLowerCase();
  const result =
    (Object.hasOwn(COMPACT, lower) ? COMPACT[lower] : undefined) ??
    (Object.hasOwn(KNOWN, lower) ? KNOWN[lower] : undefined) ??
    trimmed;
  if (CACHE.size < CACHE_LIMIT) CACHE.set(name, result);
  return result;
}

/** The comparison key of a header name (lower-case canonical name). */
function keyOf(name: string): string {
  return canonicalName(name).toLowerCase();
}

interface Entry {
  name: string;
  key: string;
  value: string;
}
