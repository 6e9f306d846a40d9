import type { DocumentStore, StoredDoc } from '../store/index.ts';
import type { AccountService } from './account-service.ts';
import { isAccountEnabled } from './account-service.ts';
import { AccountDisabled } from './errors.ts';

/** How a user_auth request names its account (§1.7: phone number, then realm, then name). */
export interface AccountLocator {
  readonly phoneNumber?: string;
  readonly realm?: string;
  readonly name?: string;
}

/** Finds the user behind KAZOO user_auth credentials. */
export class LoginService {
  readonly #accounts: AccountService;
  readonly #store: DocumentStore;

  constructor(accounts: AccountService, store: DocumentStore) {
    this.#accounts = accounts;
    this.#store = store;
  }

  /**
   * The account and enabled user whose `pvt_md5_auth` (or `pvt_sha1_auth` for method `sha`) equals
   * `credentials`, trying each account the locator names in turn. Undefined when nothing matches;
   * {@link AccountDisabled} when the match is in a disabled account.
   */
  async userAuth(credentials: string, method: 'md5' | 'sha', locator: AccountLocator): Promise<{ account: StoredDoc; user: StoredDoc } | undefined> {
    const candidates: StoredDoc[] = [];
    if (locator.realm !== undefined) {
      const byRealm = await this.#accounts.byRealm(locator.realm);
      if (byRealm !== undefined) candidates.push(byRealm);
    }
    if (locator.name !== undefined) candidates.push(...(await this.#accounts.byName(locator.name)));
    const field = method === 'sha' ? 'pvt_sha1_auth' : 'pvt_md5_auth';
    for (const account of candidates) {
      const users = await this.#store.findBy('user', [field], credentials.toLowerCase(), account._id);
      const user = users.find((u) => u['enabled'] !== false);
      if (user === undefined) continue;
      if (!isAccountEnabled(account)) throw new AccountDisabled(account._id);
      return { account, user };
    }
    return undefined;
  }
}
