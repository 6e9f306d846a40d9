import type { EndpointDirectory } from '../../documents/index.ts';
import type { Endpoint } from '../../sip/index.ts';
import { parseUri } from '../../sip/index.ts';
import type { StoredDoc } from '../../store/index.ts';
import { deviceTargets, ringTimeout } from '../callflow/index.ts';
import type { DialTarget } from '../dialer.ts';
import type { HangupCause } from '../hangup-cause.ts';
import type { ContactLocator } from '../ports.ts';

/** Where an originate (or its `connect` step) rings: KAZOO's endpoint kinds, or a raw SIP contact. */
export type OriginateEndpoint =
  | { readonly type: 'device'; readonly id: string }
  | { readonly type: 'user'; readonly id: string }
  /** Routed through the account's callflows (`device`, `user`, `ring_group` nodes; see {@link EndpointTargets}). */
  | { readonly type: 'number'; readonly number: string }
  /** A SIP URI rung as is; `destination` sends the INVITE elsewhere than the URI's host (NAT). */
  | { readonly type: 'uri'; readonly uri: string; readonly destination?: Endpoint };

/** The dial an endpoint turned into. */
export interface ResolvedTargets {
  readonly targets: readonly DialTarget[];
  readonly strategy: 'simultaneous' | 'single';
  /** Ring time the callflow node asks for (its `timeout`), when it names one. */
  readonly timeoutMs?: number;
  readonly callflowId?: string;
}

/** An endpoint that cannot be rung: nothing by that id or number. */
export interface UnresolvedTargets {
  readonly failure: HangupCause;
}

/** The lookups target resolution makes (EndpointDirectory implements them). */
export type EndpointLookups = Pick<EndpointDirectory, 'device' | 'user' | 'devicesOfOwner' | 'callflowFor'>;

/** A callflow node as stored (`module`, `data`, `children`). */
export interface FlowNodeDoc {
  readonly module?: unknown;
  readonly data?: Readonly<Record<string, unknown>>;
  readonly children?: Readonly<Record<string, FlowNodeDoc>>;
}

/**
 * Dial targets of a callflow module beyond `device`, `user` and `ring_group` (extension point for
 * features such as carriers); undefined lets the walk go on to the node's `_` child.
 */
export type ModuleTargets = (account: StoredDoc, data: Readonly<Record<string, unknown>>) => Promise<ResolvedTargets | undefined>;

const MAX_DEPTH = 16;
const DEVICE_RING_MS = 20_000;

/**
 * Turns an originate endpoint into dial targets: a device's registered contacts, a user's devices,
 * a raw URI, or a number routed through the account's callflows. Without a caller to run the flow
 * on, a number's flow is walked from its root along the `_` children to the first node that rings
 * something (`device`, `user`, `ring_group`, or a registered {@link ModuleTargets}); other nodes
 * (`record_call`, `set_cid`...) are passed over.
 */
export class EndpointTargets {
  readonly #endpoints: EndpointLookups;
  readonly #locator: ContactLocator;
  readonly #modules: ReadonlyMap<string, ModuleTargets>;

  constructor(deps: { endpoints: EndpointLookups; locator: ContactLocator; modules?: Readonly<Record<string, ModuleTargets>> }) {
    this.#endpoints = deps.endpoints;
    this.#locator = deps.locator;
    this.#modules = new Map(Object.entries(deps.modules ?? {}));
  }

  async resolve(account: StoredDoc, endpoint: OriginateEndpoint): Promise<ResolvedTargets | UnresolvedTargets> {
    switch (endpoint.type) {
      case 'device':
      case 'user': {
        const devices = await this.devices(account, endpoint.type, endpoint.id);
        if (devices === undefined) return { failure: 'UNALLOCATED_NUMBER' };
        return { targets: this.targetsOf(account, devices), strategy: 'simultaneous' };
      }
      case 'uri':
        return { targets: [uriTarget(endpoint.uri, endpoint.destination)], strategy: 'simultaneous' };
      case 'number': {
        const route = await this.#endpoints.callflowFor(account._id, endpoint.number);
        if (route === undefined) return { failure: 'UNALLOCATED_NUMBER' };
        const found = await this.#walk(account, (route.callflow['flow'] ?? {}) as FlowNodeDoc, 0);
        return found === undefined ? { failure: 'UNALLOCATED_NUMBER' } : { ...found, callflowId: route.callflow._id };
      }
    }
  }

  /** The enabled devices of a device id or a user id; undefined when no such device or user exists. */
  async devices(account: StoredDoc, type: 'device' | 'user', id: string): Promise<StoredDoc[] | undefined> {
    if (type === 'device') {
      const device = await this.#endpoints.device(account._id, id);
      return device === undefined ? undefined : [device];
    }
    const user = await this.#endpoints.user(account._id, id);
    return user === undefined ? undefined : this.#endpoints.devicesOfOwner(account._id, user._id);
  }

  /** Every registered contact of `devices`, as dial targets. */
  targetsOf(account: StoredDoc, devices: readonly StoredDoc[]): DialTarget[] {
    return devices.flatMap((device) => deviceTargets(device, account, this.#locator));
  }

  async #walk(account: StoredDoc, node: FlowNodeDoc | undefined, depth: number): Promise<Omit<ResolvedTargets, 'callflowId'> | undefined> {
    if (node === undefined || depth > MAX_DEPTH) return undefined;
    const data = node.data ?? {};
    const id = typeof data['id'] === 'string' ? data['id'] : '';
    switch (node.module) {
      case 'device':
      case 'user': {
        const devices = (await this.devices(account, node.module, id)) ?? [];
        return { targets: this.targetsOf(account, devices), strategy: 'simultaneous', timeoutMs: ringTimeout(data, DEVICE_RING_MS) };
      }
      case 'ring_group':
        return this.#ringGroup(account, data);
      default: {
        const custom = typeof node.module === 'string' ? this.#modules.get(node.module) : undefined;
        const found = custom === undefined ? undefined : await custom(account, data);
        return found ?? this.#walk(account, node.children?.['_'], depth + 1);
      }
    }
  }

  /** A `ring_group` node: its device and user members (deduplicated), member delays and ring times, the group's strategy. */
  async #ringGroup(account: StoredDoc, data: Readonly<Record<string, unknown>>): Promise<Omit<ResolvedTargets, 'callflowId'>> {
    const listed = Array.isArray(data['endpoints']) ? (data['endpoints'] as unknown[]) : [];
    const strategy = data['strategy'] === 'single' || data['strategy'] === 'weighted_random' ? 'single' : 'simultaneous';
    const seen = new Set<string>();
    const targets: DialTarget[] = [];
    for (const entry of listed) {
      if (typeof entry !== 'object' || entry === null) continue;
      const e = entry as Record<string, unknown>;
      const type = e['endpoint_type'] === 'user' ? 'user' : e['endpoint_type'] === undefined || e['endpoint_type'] === 'device' ? 'device' : undefined;
      if (type === undefined || typeof e['id'] !== 'string') continue;
      const devices = ((await this.devices(account, type, e['id'])) ?? []).filter((d) => !seen.has(d._id));
      for (const d of devices) seen.add(d._id);
      const delayMs = typeof e['delay'] === 'number' && e['delay'] > 0 ? e['delay'] * 1000 : 0;
      const timeoutMs = typeof e['timeout'] === 'number' && e['timeout'] > 0 ? e['timeout'] * 1000 : DEVICE_RING_MS;
      for (const target of this.targetsOf(account, devices)) {
        targets.push({ ...target, timeoutMs, ...(delayMs > 0 && strategy === 'simultaneous' ? { delayMs } : {}) });
      }
    }
    return { targets, strategy, timeoutMs: ringTimeout(data, DEVICE_RING_MS) };
  }
}

/** A raw SIP URI as a dial target (its user part names the far end). */
export function uriTarget(uri: string, destination?: Endpoint): DialTarget {
  const user = parseUri(uri).user ?? '';
  return {
    uri,
    ...(destination !== undefined ? { destination } : {}),
    profile: { calleeIdName: user, calleeIdNumber: user, destination: user },
  };
}
