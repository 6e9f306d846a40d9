import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { ClosedError, type Logger } from '../../lib/index.ts';
import type { Endpoint } from '../../sip/index.ts';
import type { DocumentStore, StoredDoc } from '../../store/index.ts';
import { gatewaysOf, usableGateway } from './carrier-routes.ts';

/** Host name → its addresses (the system resolver by default). */
export type HostResolver = (host: string) => Promise<readonly string[]>;

export interface ResourceCatalogOptions {
  readonly store: Pick<DocumentStore, 'get' | 'list'>;
  readonly logger: Logger;
  readonly resolveHost?: HostResolver;
}

/** The resource a request's source address belongs to. */
export interface TrunkMatch {
  readonly accountId: string;
  readonly resource: StoredDoc;
}

interface Entry {
  readonly resource: StoredDoc;
  /** `address|port` keys of its gateways. */
  readonly endpoints: readonly string[];
  /** Bare addresses of its gateways. */
  readonly addresses: readonly string[];
}

const systemResolver: HostResolver = async (host) => (await lookup(host, { all: true })).map((a) => a.address);

/**
 * Every account's carriers (`resource` docs) held in memory: the outbound router reads an
 * account's resources from here, and inbound INVITEs are matched against an index of gateway
 * addresses (RFC 3261 §26.3.2.2: a carrier is trusted by where it sends from). Loaded once, then
 * kept current by `refresh(id)` on each resource change; host names are resolved when a resource
 * is loaded, never per call.
 */
export class ResourceCatalog {
  readonly #store: Pick<DocumentStore, 'get' | 'list'>;
  readonly #log: Logger;
  readonly #resolve: HostResolver;
  readonly #entries = new Map<string, Entry>();
  readonly #byAccount = new Map<string, Map<string, StoredDoc>>();
  readonly #byEndpoint = new Map<string, Set<string>>();
  readonly #byAddress = new Map<string, Set<string>>();
  /** Bumped by every refresh of a resource, so a slower, older refresh never wins. */
  readonly #generations = new Map<string, number>();
  #closed = false;

  constructor(options: ResourceCatalogOptions) {
    this.#store = options.store;
    this.#log = options.logger.child({ category: 'carriers' });
    this.#resolve = options.resolveHost ?? systemResolver;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Number of resources held. */
  get size(): number {
    return this.#entries.size;
  }

  /** Reads every live resource of every account (once, at start). */
  async load(): Promise<void> {
    this.#assertOpen();
    const page = await this.#store.list({ type: 'resource', pageSize: null });
    for (const resource of page.docs) {
      if (this.#generations.has(resource._id)) continue;
      const entry = await this.#entryOf(resource);
      if (this.#closed) return;
      if (!this.#generations.has(resource._id)) this.#put(entry);
    }
  }

  /** Re-reads one resource after it was created, edited or deleted. */
  async refresh(resourceId: string): Promise<void> {
    if (this.#closed) return;
    const generation = (this.#generations.get(resourceId) ?? 0) + 1;
    this.#generations.set(resourceId, generation);
    const doc = await this.#store.get(resourceId);
    const entry = doc !== undefined && doc.pvt_type === 'resource' && doc.pvt_deleted !== true ? await this.#entryOf(doc) : undefined;
    if (this.#closed || this.#generations.get(resourceId) !== generation) return;
    this.#remove(resourceId);
    if (entry !== undefined) this.#put(entry);
  }

  /** The account's resources (live ones, enabled or not). */
  resourcesOf(accountId: string): StoredDoc[] {
    return [...(this.#byAccount.get(accountId)?.values() ?? [])];
  }

  /**
   * The enabled resource one of whose enabled gateways is `source`: its address and port over UDP,
   * its address alone over connection transports (their source ports are ephemeral, RFC 3261 §18).
   */
  trunkAt(source: Endpoint): TrunkMatch | undefined {
    const address = normalizeAddress(source.address);
    const ids = source.transport === 'udp' ? this.#byEndpoint.get(`${address}|${source.port}`) : this.#byAddress.get(address);
    for (const id of ids ?? []) {
      const resource = this.#entries.get(id)?.resource;
      if (resource !== undefined && resource['enabled'] !== false && resource.pvt_account_id !== undefined) {
        return { accountId: resource.pvt_account_id, resource };
      }
    }
    return undefined;
  }

  /** Forgets everything; later refreshes are ignored and `load` throws. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#entries.clear();
    this.#byAccount.clear();
    this.#byEndpoint.clear();
    this.#byAddress.clear();
    this.#generations.clear();
  }

  async #entryOf(resource: StoredDoc): Promise<Entry> {
    const endpoints: string[] = [];
    const addresses: string[] = [];
    for (const gateway of gatewaysOf(resource)) {
      if (!usableGateway(gateway)) continue;
      const server = String(gateway['server']).trim().replace(/^\[(.*)\]$/, '$1');
      const port = typeof gateway['port'] === 'number' && gateway['port'] > 0 ? gateway['port'] : 5060;
      for (const address of await this.#addressesOf(server)) {
        addresses.push(address);
        endpoints.push(`${address}|${port}`);
      }
    }
    return { resource, endpoints, addresses };
  }

  async #addressesOf(server: string): Promise<string[]> {
    if (isIP(server) !== 0) return [normalizeAddress(server)];
    try {
      return (await this.#resolve(server)).map(normalizeAddress);
    } catch (error) {
      this.#log.warn({ err: error, server }, 'gateway host not resolved: its calls are not trusted');
      return [];
    }
  }

  #put(entry: Entry): void {
    const { resource } = entry;
    this.#entries.set(resource._id, entry);
    const accountId = resource.pvt_account_id;
    if (accountId !== undefined) {
      let docs = this.#byAccount.get(accountId);
      if (docs === undefined) this.#byAccount.set(accountId, (docs = new Map()));
      docs.set(resource._id, resource);
    }
    for (const key of entry.endpoints) addTo(this.#byEndpoint, key, resource._id);
    for (const key of entry.addresses) addTo(this.#byAddress, key, resource._id);
  }

  #remove(resourceId: string): void {
    const entry = this.#entries.get(resourceId);
    if (entry === undefined) return;
    this.#entries.delete(resourceId);
    const accountId = entry.resource.pvt_account_id;
    if (accountId !== undefined) {
      const docs = this.#byAccount.get(accountId);
      docs?.delete(resourceId);
      if (docs?.size === 0) this.#byAccount.delete(accountId);
    }
    for (const key of entry.endpoints) removeFrom(this.#byEndpoint, key, resourceId);
    for (const key of entry.addresses) removeFrom(this.#byAddress, key, resourceId);
  }

  #assertOpen(): void {
    if (this.#closed) throw new ClosedError('resource catalog');
  }
}

/** Lower case, without brackets, IPv4-mapped IPv6 as plain IPv4. */
export function normalizeAddress(address: string): string {
  const bare = address.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return bare.startsWith('::ffff:') && isIP(bare.slice(7)) === 4 ? bare.slice(7) : bare;
}

function addTo(index: Map<string, Set<string>>, key: string, id: string): void {
  let ids = index.get(key);
  if (ids === undefined) index.set(key, (ids = new Set()));
  ids.add(id);
}

function removeFrom(index: Map<string, Set<string>>, key: string, id: string): void {
  const ids = index.get(key);
  ids?.delete(id);
  if (ids?.size === 0) index.delete(key);
}
