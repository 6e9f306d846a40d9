import type { EndpointDirectory } from '../documents/index.ts';
import type { StoredDoc } from '../store/index.ts';

/** What a dialed number leads to. */
export type Route =
  | { readonly kind: 'devices'; readonly callflow: StoredDoc; readonly devices: readonly StoredDoc[]; readonly ringTimeoutMs: number }
  | { readonly kind: 'not_found' }
  | { readonly kind: 'unsupported'; readonly callflow: StoredDoc; readonly module: string };

/** Default ring time of a device or user target (KAZOO's default endpoint timeout is 20 s). */
export const DEFAULT_RING_TIMEOUT_MS = 30_000;

interface FlowNode {
  readonly module?: unknown;
  readonly data?: Record<string, unknown>;
}

/**
 * Resolves a dialed number through the account's callflows (numbers exact, then patterns) to the
 * devices that ring: `device` rings one device, `user` every device the user owns, in parallel.
 */
export class Router {
  readonly #directory: EndpointDirectory;

  constructor(directory: EndpointDirectory) {
    this.#directory = directory;
  }

  async route(account: StoredDoc, number: string): Promise<Route> {
    const found = await this.#directory.callflowFor(account._id, number);
    if (found === undefined) return { kind: 'not_found' };
    const { callflow } = found;
    const flow = (callflow['flow'] ?? {}) as FlowNode;
    const module = typeof flow.module === 'string' ? flow.module : '';
    const data = flow.data ?? {};
    const timeoutS = typeof data['timeout'] === 'number' && data['timeout'] > 0 ? data['timeout'] : undefined;
    const ringTimeoutMs = timeoutS !== undefined ? timeoutS * 1000 : DEFAULT_RING_TIMEOUT_MS;
    const id = typeof data['id'] === 'string' ? data['id'] : '';
    switch (module) {
      case 'device': {
        const device = await this.#directory.device(account._id, id);
        return { kind: 'devices', callflow, devices: device === undefined ? [] : [device], ringTimeoutMs };
      }
      case 'user': {
        const user = await this.#directory.user(account._id, id);
        const devices = user === undefined ? [] : await this.#directory.devicesOfOwner(account._id, user._id);
        return { kind: 'devices', callflow, devices, ringTimeoutMs };
      }
      default:
        return { kind: 'unsupported', callflow, module };
    }
  }
}
