import { isAccountEnabled, isSuperduperAdmin, type AccountService, type TokenService } from '../documents/index.ts';
import { isAccountId } from '../lib/index.ts';
import type { DocumentStore } from '../store/index.ts';
import { BLACKHOLE_ERRORS } from './error-texts.ts';

/** Who a socket acts for, once a token has been accepted. */
export interface SocketAuth {
  readonly token: string;
  readonly accountId: string;
  readonly isSuperduperAdmin: boolean;
  /** Unix seconds. */
  readonly expiresAt: number;
}

export type AuthOutcome = { readonly ok: true; readonly auth: SocketAuth } | { readonly ok: false; readonly error: string };

/** What the authenticator reads. */
export interface SocketAuthDeps {
  readonly tokens: TokenService;
  readonly accounts: AccountService;
  readonly store: DocumentStore;
}

/** A JWT is three base64url segments. */
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * Token checks and subscription authorization for sockets (KAZOO `bh_token_auth` and
 * `bh_authz_subscribe`, reference §5.2), with the same rules as the REST API's `checkToken`: the
 * token verifies, its account exists and is enabled, its owner (if any) is an enabled user of that
 * account; superduper = the account flag held by an admin.
 */
export class SocketAuthenticator {
  readonly #deps: SocketAuthDeps;

  constructor(deps: SocketAuthDeps) {
    this.#deps = deps;
  }

  /** Full check of a token sent in a message (`auth_token` as received). */
  async authenticate(token: unknown): Promise<AuthOutcome> {
    if (token === undefined) return { ok: false, error: BLACKHOLE_ERRORS.tokenRequired };
    if (typeof token !== 'string' || !JWT_SHAPE.test(token)) return { ok: false, error: BLACKHOLE_ERRORS.tokenFormat };
    const failed: AuthOutcome = { ok: false, error: BLACKHOLE_ERRORS.tokenFailed(token) };
    const check = await this.#deps.tokens.verify(token);
    if (!check.ok) return failed;
    const { claims } = check;
    const account = await this.#deps.accounts.find(claims.accountId);
    if (account === undefined || !isAccountEnabled(account)) return failed;
    let isAdmin = claims.method === 'cb_api_auth';
    if (claims.ownerId !== undefined) {
      const user = await this.#deps.store.get(claims.ownerId);
      if (user === undefined || user.pvt_account_id !== account._id || user['enabled'] === false) return failed;
      isAdmin = user['priv_level'] === 'admin';
    }
    return { ok: true, auth: { token, accountId: account._id, isSuperduperAdmin: isSuperduperAdmin(account) && isAdmin, expiresAt: claims.expiresAt } };
  }

  /** Re-checks an accepted token (expiry and revocation) on a later message; an error text when it no longer holds. */
  async recheck(auth: SocketAuth): Promise<string | undefined> {
    const check = await this.#deps.tokens.verify(auth.token);
    return check.ok ? undefined : BLACKHOLE_ERRORS.tokenFailed(auth.token);
  }

  /** Whether `auth` may subscribe to `accountId` (`*` or an id); an error text when not. */
  async authorize(auth: SocketAuth, accountId: string): Promise<string | undefined> {
    if (accountId === '*') return auth.isSuperduperAdmin ? undefined : BLACKHOLE_ERRORS.wildcardAccount;
    if (!isAccountId(accountId)) return BLACKHOLE_ERRORS.unauthorizedAccount;
    if (auth.isSuperduperAdmin || (await this.#deps.accounts.isWithin(accountId, auth.accountId))) return undefined;
    return BLACKHOLE_ERRORS.unauthorizedAccount;
  }
}
