import type { Clock } from '../lib/index.ts';
import type { DocumentStore, StoredDoc } from '../store/index.ts';
import { isAccountEnabled } from './account-service.ts';
import { LOOKUP_MAX_ENTRIES, LOOKUP_TTL_MS, LookupCache, type LookupCacheStats } from './lookup-cache.ts';
import { LookupScope, scopesOfChange, scopesOfDocs } from './lookup-scopes.ts';

/** A device with the account it belongs to. */
export interface DeviceEntry {
  readonly account: StoredDoc;
  readonly device: StoredDoc;
}

/** The SIP credentials of a device (`sip.username`, `sip.password`). */
export function sipCredentials(device: StoredDoc): { username: string; password: string } | undefined {
  const sip = device['sip'];
  if (typeof sip !== 'object' || sip === null) return undefined;
  const { username, password } = sip as Record<string, unknown>;
  return typeof username === 'string' && typeof password === 'string' ? { username, password } : undefined;
}

/** Settings of the directory's lookup cache (see {@link LookupCache}). */
export interface EndpointCacheOptions {
  readonly clock: Clock;
  /** Default {@link LOOKUP_TTL_MS}.singleWriter. */
  readonly ttlMs?: number;
  /** Default {@link LOOKUP_MAX_ENTRIES}. */
  readonly maxEntries?: number;
}

/**
 * The lookups the switch makes on every REGISTER and INVITE: realm → account, SIP username →
 * device, number → callflow, user → devices. Disabled accounts and devices are invisible.
 *
 * With `cache`, answers (found or not) are kept in a {@link LookupCache} that the store's change
 * listener invalidates synchronously after every committed write, so the next lookup after a
 * write sees it. Cached documents are frozen and shared: callers must not change them.
 */
export class EndpointDirectory {
  readonly #store: DocumentStore;
  readonly #cache: LookupCache | undefined;
  readonly #unsubscribe: () => void;
  #closed = false;

  constructor(store: DocumentStore, options: { cache?: EndpointCacheOptions } = {}) {
    this.#store = store;
    const cache = options.cache;
    if (cache === undefined) {
      this.#cache = undefined;
      this.#unsubscribe = () => {};
      return;
    }
    const lookups = new LookupCache({
      clock: cache.clock,
      ttlMs: cache.ttlMs ?? LOOKUP_TTL_MS.singleWriter,
      maxEntries: cache.maxEntries ?? LOOKUP_MAX_ENTRIES,
    });
    this.#cache = lookups;
    this.#unsubscribe = store.onChange((change) => lookups.invalidate(scopesOfChange(change.doc)));
  }

  /** Hits, misses and size of the cache (zeros without one). */
  get cacheStats(): LookupCacheStats {
    return this.#cache?.stats ?? { hits: 0, misses: 0, size: 0 };
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Stops caching: forgets the store's changes and empties the cache. Lookups keep working,
   * straight from the store (the API may still ask while the app shuts down). Idempotent.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe();
    this.#cache?.clear();
  }

  /** The enabled account whose realm is `realm` (case-insensitive). */
  async accountByRealm(realm: string): Promise<StoredDoc | undefined> {
    const lower = realm.toLowerCase();
    return this.#cached(['accountByRealm', lower], [LookupScope.realms], async () => {
      const account = (await this.#store.findBy('account', ['realm'], lower))[0];
      return account !== undefined && isAccountEnabled(account) ? account : undefined;
    }, (account) => scopesOfDocs([account]));
  }

  async account(accountId: string): Promise<StoredDoc | undefined> {
    return this.#cached(['account', accountId], [LookupScope.doc(accountId)], async () => {
      const account = await this.#store.get(accountId);
      return account?.pvt_type === 'account' && isAccountEnabled(account) ? account : undefined;
    });
  }

  /** The enabled device with SIP username `username` in `account`. */
  async deviceByUsername(account: StoredDoc, username: string): Promise<StoredDoc | undefined> {
    return this.#cached(['deviceByUsername', account._id, username], [LookupScope.type(account._id, 'device')], async () => {
      const devices = await this.#store.findBy('device', ['sip', 'username'], username, account._id);
      return devices.find((d) => d['enabled'] !== false);
    }, (device) => scopesOfDocs([device]));
  }

  /**
   * The device with SIP username `username` when exactly one enabled account has one (a phone that
   * addresses the switch by IP instead of its realm). Ambiguous or unknown → undefined.
   */
  async deviceByUniqueUsername(username: string): Promise<DeviceEntry | undefined> {
    const entry = await this.#cached(['deviceByUniqueUsername', username], [LookupScope.sipUsernames], async () => {
      const devices = (await this.#store.findBy('device', ['sip', 'username'], username)).filter((d) => d['enabled'] !== false);
      if (devices.length !== 1 || devices[0] === undefined) return undefined;
      const account = await this.#store.get(devices[0].pvt_account_id ?? '');
      return account?.pvt_type === 'account' && isAccountEnabled(account) ? { account, device: devices[0] } : undefined;
    }, (found) => scopesOfDocs([found?.account, found?.device]));
    return entry === undefined ? undefined : { ...entry };
  }

  async device(accountId: string, deviceId: string): Promise<StoredDoc | undefined> {
    return this.#cached(['device', accountId, deviceId], [LookupScope.doc(deviceId)], async () => {
      const device = await this.#store.get(deviceId);
      return device?.pvt_type === 'device' && device.pvt_account_id === accountId && device['enabled'] !== false ? device : undefined;
    });
  }

  async user(accountId: string, userId: string): Promise<StoredDoc | undefined> {
    return this.#cached(['user', accountId, userId], [LookupScope.doc(userId)], async () => {
      const user = await this.#store.get(userId);
      return user?.pvt_type === 'user' && user.pvt_account_id === accountId && user['enabled'] !== false ? user : undefined;
    });
  }

  /** The enabled devices whose `owner_id` is `userId`. */
  async devicesOfOwner(accountId: string, userId: string): Promise<StoredDoc[]> {
    const devices = await this.#cached(['devicesOfOwner', accountId, userId], [LookupScope.type(accountId, 'device')], async () => {
      const owned = await this.#store.findBy('device', ['owner_id'], userId, accountId);
      return owned.filter((d) => d['enabled'] !== false);
    }, (found) => scopesOfDocs(found));
    return [...devices];
  }

  /** The live callflow `callflowId` of an account. */
  async callflow(accountId: string, callflowId: string): Promise<StoredDoc | undefined> {
    return this.#cached(['callflow', accountId, callflowId], [LookupScope.doc(callflowId)], async () => {
      const doc = await this.#store.get(callflowId);
      return doc?.pvt_type === 'callflow' && doc.pvt_account_id === accountId ? doc : undefined;
    });
  }

  /**
   * The callflow that routes `number` in an account: the exact number first, then the patterns
   * (JavaScript regexes, tried longest first, as KAZOO prefers the most specific).
   */
  async callflowFor(accountId: string, number: string): Promise<{ callflow: StoredDoc; captures: string[] } | undefined> {
    const route = await this.#cached(
      ['callflowFor', accountId, number],
      [LookupScope.type(accountId, 'callflow')],
      () => this.#routeOf(accountId, number),
      (found) => scopesOfDocs([found?.callflow]),
    );
    return route === undefined ? undefined : { callflow: route.callflow, captures: [...route.captures] };
  }

  async #routeOf(accountId: string, number: string): Promise<{ callflow: StoredDoc; captures: string[] } | undefined> {
    const exact = await this.#store.claimHolder({ scope: `callflow_number:${accountId}`, key: number });
    if (exact !== undefined) return { callflow: exact, captures: [] };
    const withPatterns = await this.#store.list({
      type: 'callflow',
      accountId,
      pageSize: null,
      filters: [{ op: 'has_value', path: ['patterns'] }],
    });
    const candidates = withPatterns.docs.flatMap((callflow) =>
      (Array.isArray(callflow['patterns']) ? callflow['patterns'].map(String) : []).map((pattern) => ({ callflow, pattern })),
    );
    candidates.sort((a, b) => b.pattern.length - a.pattern.length);
    for (const { callflow, pattern } of candidates) {
      let match: RegExpExecArray | null;
      try {
        match = new RegExp(pattern).exec(number);
      } catch {
        continue;
      }
      if (match !== null) return { callflow, captures: match.slice(1).filter((c): c is string => c !== undefined) };
    }
    return undefined;
  }

  /** Through the cache when there is one and it is open; `key` parts are JSON-encoded, so they cannot collide. */
  #cached<T>(key: readonly string[], scopes: readonly string[], load: () => Promise<T>, dependsOn?: (value: T) => readonly string[]): Promise<T> {
    if (this.#cache === undefined || this.#closed) return load();
    return this.#cache.get(JSON.stringify(key), scopes, load, dependsOn);
  }
}
