import type { Doc, StoredDoc } from '../../store/index.ts';

/** Digest credentials of a gateway; `realm`, when set, is the only realm we answer (RFC 3261 §22.2). */
export interface GatewayCredentials {
  readonly username: string;
  readonly password: string;
  readonly realm?: string;
}

/** One gateway to try for a number (KAZOO stepswitch: one endpoint of a local resource). */
export interface CarrierRoute {
  readonly resource: StoredDoc;
  /** Position of the gateway in the resource's `gateways`. */
  readonly gatewayIndex: number;
  /** The number sent: the rule's first capture group, or the whole dialed number. */
  readonly number: string;
  /** `sip:<prefix><number><suffix>@<server>:<port>`. */
  readonly uri: string;
  readonly credentials?: GatewayCredentials;
  /** The gateway's `custom_sip_headers`. */
  readonly headers: readonly (readonly [string, string])[];
  /** The gateway's `progress_timeout` in ms: how long to wait for 18x before the next gateway. */
  readonly progressTimeoutMs?: number;
}

/** What to route: the dialed number, and flags the carrier must offer (`outbound_flags`). */
export interface RouteQuery {
  readonly number: string;
  readonly flags?: readonly string[];
}

const DEFAULT_WEIGHT = 50;
const DEFAULT_PORT = 5060;

/**
 * The gateways that carry `query.number`, in the order to try them (KAZOO local resources): enabled
 * resources whose `rules` match, lowest `weight_cost` first (ties by id), each resource's enabled
 * SIP gateways in their listed order. A resource without rules carries nothing.
 */
export function carrierRoutes(resources: readonly StoredDoc[], query: RouteQuery): CarrierRoute[] {
  const candidates = resources
    .filter((r) => r.pvt_deleted !== true && r['enabled'] !== false && hasFlags(r, query.flags ?? []))
    .map((resource) => ({ resource, number: matchRules(stringList(resource['rules']), query.number) }))
    .filter((c): c is { resource: StoredDoc; number: string } => c.number !== undefined)
    .sort((a, b) => weightOf(a.resource) - weightOf(b.resource) || (a.resource._id < b.resource._id ? -1 : a.resource._id > b.resource._id ? 1 : 0));
  const routes: CarrierRoute[] = [];
  for (const { resource, number } of candidates) {
    gatewaysOf(resource).forEach((gateway, gatewayIndex) => {
      if (!usableGateway(gateway)) return;
      const credentials = gatewayCredentials(gateway);
      const progress = gateway['progress_timeout'];
      routes.push({
        resource,
        gatewayIndex,
        number,
        uri: gatewayUri(gateway, number),
        ...(credentials !== undefined ? { credentials } : {}),
        headers: sipHeaders(gateway['custom_sip_headers']),
        ...(typeof progress === 'number' && progress > 0 ? { progressTimeoutMs: progress * 1000 } : {}),
      });
    });
  }
  return routes;
}

/**
 * The number a rule set sends for `number`: the first rule (a regular expression) that matches
 * gives its first capture group when it has one, else the whole number; undefined when none
 * matches. Invalid expressions are skipped.
 */
export function matchRules(rules: readonly string[], number: string): string | undefined {
  for (const rule of rules) {
    let match: RegExpExecArray | null;
    try {
      match = new RegExp(rule).exec(number);
    } catch {
      continue;
    }
    if (match === null) continue;
    const capture = match[1];
    return capture !== undefined && capture !== '' ? capture : number;
  }
  return undefined;
}

/** True when `number` matches one of the resource's `cid_rules` (or it has none). */
export function callerIdAllowed(resource: Doc, callerIdNumber: string): boolean {
  const rules = stringList(resource['cid_rules']);
  return rules.length === 0 || matchRules(rules, callerIdNumber) !== undefined;
}

/** The Request-URI for a gateway (RFC 3261 §19.1.1): `sip:<prefix><number><suffix>@<server>:<port>`. */
export function gatewayUri(gateway: Doc, number: string): string {
  const user = `${text(gateway['prefix'])}${number}${text(gateway['suffix'])}`;
  const server = text(gateway['server']).trim();
  const host = server.includes(':') && !server.startsWith('[') ? `[${server}]` : server;
  const port = typeof gateway['port'] === 'number' && gateway['port'] > 0 ? gateway['port'] : DEFAULT_PORT;
  return `sip:${escapeUser(user)}@${host}:${port}`;
}

/** The gateways of a resource as given (objects only). */
export function gatewaysOf(resource: Doc): Doc[] {
  const gateways = resource['gateways'];
  return Array.isArray(gateways) ? gateways.filter((g): g is Doc => typeof g === 'object' && g !== null && !Array.isArray(g)) : [];
}

/** An enabled SIP gateway with a server. */
export function usableGateway(gateway: Doc): boolean {
  const type = gateway['endpoint_type'];
  return gateway['enabled'] !== false && (type === undefined || type === 'sip') && text(gateway['server']).trim() !== '';
}

function gatewayCredentials(gateway: Doc): GatewayCredentials | undefined {
  const username = text(gateway['username']);
  const password = text(gateway['password']);
  if (username === '' || password === '') return undefined;
  const realm = text(gateway['realm']);
  return { username, password, ...(realm !== '' ? { realm } : {}) };
}

function hasFlags(resource: Doc, wanted: readonly string[]): boolean {
  if (wanted.length === 0) return true;
  const offered = new Set(stringList(resource['flags']));
  return wanted.every((f) => offered.has(f));
}

function weightOf(resource: Doc): number {
  const w = resource['weight_cost'];
  return typeof w === 'number' && Number.isFinite(w) ? w : DEFAULT_WEIGHT;
}

function sipHeaders(value: unknown): [string, string][] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string' && /^[\w-]+$/.test(e[0]));
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** RFC 3261 §25.1 `user`: unreserved and user-unreserved characters as they are, the rest escaped. */
function escapeUser(user: string): string {
  return user.replace(/[^A-Za-z0-9\-_.!~*'()&=+$,;?/]/g, (c) =>
    [...Buffer.from(c, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
}
