import { isAccountEnabled, isSuperduperAdmin, type AccountService, type TokenService, type UnknownDocument } from '../documents/index.ts';
import { isAccountId } from '../lib/index.ts';
import type { DocumentStore } from '../store/index.ts';
import { errors } from './api-error.ts';
import type { ApiRequest, AuthInfo, AuthMode } from './request-context.ts';

/** What the auth stage needs. */
export interface AuthDeps {
  readonly tokens: TokenService;
  readonly accounts: AccountService;
  readonly store: DocumentStore;
}

/**
 * Token extraction (reference §1.6): `X-Auth-Token`, then `auth_token` from data, query or envelope,
 * then `Authorization: Bearer`. monster-ui sends the literal `undefined` before login: no token.
 */
export function extractToken(req: Pick<ApiRequest, 'headers' | 'data' | 'query' | 'envelope'>): string | undefined {
  const usable = (v: unknown): v is string => typeof v === 'string' && v !== '' && v !== 'undefined' && v !== 'null';
  const header = req.headers['x-auth-token'];
  if (usable(header)) return header;
  for (const v of [req.data['auth_token'], req.query['auth_token'], req.envelope['auth_token']]) if (usable(v)) return v;
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers['authorization'] ?? '');
  return bearer?.[1];
}

/** Checks a token and loads its account; undefined for an unknown, expired, revoked or orphaned token. */
export async function checkToken(token: string, deps: AuthDeps): Promise<AuthInfo | undefined> {
  const check = await deps.tokens.verify(token);
  if (!check.ok) return undefined;
  const { claims } = check;
  const account = await deps.accounts.find(claims.accountId);
  if (account === undefined || !isAccountEnabled(account)) return undefined;
  let isAdmin = claims.method === 'cb_api_auth';
  if (claims.ownerId !== undefined) {
    const user = await deps.store.get(claims.ownerId);
    if (user === undefined || user.pvt_account_id !== account._id || user['enabled'] === false) return undefined;
    isAdmin = user['priv_level'] === 'admin';
  }
  return {
    token,
    accountId: account._id,
    ownerId: claims.ownerId,
    method: claims.method,
    account,
    // The account flag grants system-wide powers to its admins only, not to every user in it.
    isSuperduperAdmin: isSuperduperAdmin(account) && isAdmin,
    isAdmin,
    expiresAt: claims.expiresAt,
  };
}

/**
 * Authenticates and authorizes one request (`cb_token_auth` + `cb_simple_authz`): sets `req.auth`
 * and `req.account`. A token may act on its own account and its descendants; the superduper admin
 * anywhere; routes without an account are superduper-only unless public.
 */
export async function authenticate(req: ApiRequest, mode: AuthMode, deps: AuthDeps): Promise<void> {
  const token = extractToken(req);
  if (token !== undefined && mode !== 'public') {
    req.auth = await checkToken(token, deps);
    if (req.auth === undefined) throw errors.invalidCredentials();
  }
  if (mode === 'required' && req.auth === undefined) throw errors.noCredentials();

  const accountId = req.params['account_id'];
  if (accountId !== undefined) {
    if (!isAccountId(accountId)) throw errors.invalidAccountId(accountId);
    if (mode === 'public') return;
    const auth = req.auth;
    if (auth === undefined) return;
    if (!auth.isSuperduperAdmin && !(await deps.accounts.isWithin(accountId, auth.accountId))) throw errors.forbidden();
    // The token's own account was just read by checkToken: no second read of the same document.
    req.account =
      accountId === auth.accountId
        ? auth.account
        : await deps.accounts.get(accountId).catch((e: UnknownDocument) => {
            throw errors.badIdentifier(e.id ?? accountId);
          });
  } else if (mode === 'required' && req.auth !== undefined && !req.auth.isSuperduperAdmin && !selfServicePath(req.path)) {
    throw errors.forbidden();
  }
}

/** Account-less routes any authenticated caller may use. */
function selfServicePath(path: string): boolean {
  return path.startsWith('/v2/token_auth') || path.startsWith('/v2/user_auth') || path === '/v2/accounts' || path.startsWith('/v2/auth/');
}
