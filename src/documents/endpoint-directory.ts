import type { DocumentStore, StoredDoc } from '../store/index.ts';
import { isAccountEnabled } from './account-service.ts';

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

/**
 * The lookups the switch makes on every REGISTER and INVITE: realm → account, SIP username →
 * device, number → callflow, user → devices. Disabled accounts and devices are invisible.
 */
export class EndpointDirectory {
  readonly #store: DocumentStore;

  constructor(store: DocumentStore) {
    this.#store = store;
  }

  /** The enabled account whose realm is `realm` (case-insensitive). */
  async accountByRealm(realm: string): Promise<StoredDoc | undefined> {
    const account = (await this.#store.findBy('account', ['realm'], realm.toLowerCase()))[0];
    return account !== undefined && isAccountEnabled(account) ? account : undefined;
  }

  async account(accountId: string): Promise<StoredDoc | undefined> {
    const account = await this.#store.get(accountId);
    return account?.pvt_type === 'account' && isAccountEnabled(account) ? account : undefined;
  }

  /** The enabled device with SIP username `username` in `account`. */
  async deviceByUsername(account: StoredDoc, username: string): Promise<StoredDoc | undefined> {
    const devices = await this.#store.findBy('device', ['sip', 'username'], username, account._id);
    return devices.find((d) => d['enabled'] !== false);
  }

  /**
   * The device with SIP username `username` when exactly one enabled account has one (a phone that
   * addresses the switch by IP instead of its realm). Ambiguous or unknown → undefined.
   */
  async deviceByUniqueUsername(username: string): Promise<DeviceEntry | undefined> {
    const devices = (await this.#store.findBy('device', ['sip', 'username'], username)).filter((d) => d['enabled'] !== false);
    if (devices.length !== 1 || devices[0] === undefined) return undefined;
    const account = await this.account(devices[0].pvt_account_id ?? '');
    return account === undefined ? undefined : { account, device: devices[0] };
  }

  async device(accountId: string, deviceId: string): Promise<StoredDoc | undefined> {
    const device = await this.#store.get(deviceId);
    return device?.pvt_type === 'device' && device.pvt_account_id === accountId && device['enabled'] !== false ? device : undefined;
  }

  async user(accountId: string, userId: string): Promise<StoredDoc | undefined> {
    const user = await this.#store.get(userId);
    return user?.pvt_type === 'user' && user.pvt_account_id === accountId && user['enabled'] !== false ? user : undefined;
  }

  /** The enabled devices whose `owner_id` is `userId`. */
  async devicesOfOwner(accountId: string, userId: string): Promise<StoredDoc[]> {
    const devices = await this.#store.findBy('device', ['owner_id'], userId, accountId);
    return devices.filter((d) => d['enabled'] !== false);
  }

  /** The live callflow `callflowId` of an account. */
  async callflow(accountId: string, callflowId: string): Promise<StoredDoc | undefined> {
    const doc = await this.#store.get(callflowId);
    return doc?.pvt_type === 'callflow' && doc.pvt_account_id === accountId ? doc : undefined;
  }

  /**
   * The callflow that routes `number` in an account: the exact number first, then the patterns
   * (JavaScript regexes, tried longest first, as KAZOO prefers the most specific).
   */
  async callflowFor(accountId: string, number: string): Promise<{ callflow: StoredDoc; captures: string[] } | undefined> {
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
}
