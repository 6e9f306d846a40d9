import { LoginService, type AccountService, type TokenService } from '../../documents/index.ts';
import { isAccountEnabled } from '../../documents/index.ts';
import { validate } from '../../store/index.ts';
import { errors } from '../api-error.ts';
import { checkToken, type AuthDeps } from '../authenticate.ts';
import { validationData } from '../error-mapping.ts';
import type { ApiResult, RouteSpec } from '../request-context.ts';

/** The login answer KAZOO's clients read: top-level `auth_token`, `data.account_id`/`owner_id` (CLIENTS.md). */
async function loginResult(tokens: TokenService, account: { _id: string; [k: string]: unknown }, ownerId: string | undefined, method: string): Promise<ApiResult> {
  const { token } = await tokens.issue({ accountId: account._id, ...(ownerId !== undefined ? { ownerId } : {}), method });
  return {
    status: 201,
    authToken: token,
    data: {
      account_id: account._id,
      ...(ownerId !== undefined ? { owner_id: ownerId } : {}),
      account_name: account['name'],
      language: typeof account['language'] === 'string' ? account['language'] : 'en-us',
      is_reseller: false,
      is_master_account: account['pvt_superduper_admin'] === true,
      apps: [],
    },
  };
}

/** `user_auth`, `api_auth`, `token_auth` and `auth/tokeninfo` (reference §1.6–1.7, CLIENTS.md). */
export function authRoutes(deps: AuthDeps & { readonly accounts: AccountService }): RouteSpec[] {
  const login = new LoginService(deps.accounts, deps.store);
  return [
    {
      path: '/v2/user_auth',
      tag: 'auth',
      auth: 'public',
      methods: {
        PUT: {
          summary: 'Log in with md5(lowercase(username):password) and an account name, realm or phone number',
          dataSchema: 'user_auth',
          successStatus: 201,
          handler: async (req) => {
            const checked = validate('user_auth', req.data);
            if (!checked.ok) throw errors.validation(validationData(checked.errors));
            const data = checked.value as Record<string, unknown>;
            const str = (k: string): string | undefined => (typeof data[k] === 'string' ? (data[k] as string) : undefined);
            const realm = str('account_realm') ?? str('realm');
            const name = str('account_name');
            const phoneNumber = str('phone_number');
            const credentials = str('credentials') ?? '';
            const found = await login.userAuth(credentials, str('method') === 'sha' ? 'sha' : 'md5', {
              ...(realm !== undefined ? { realm } : {}),
              ...(name !== undefined ? { name } : {}),
              ...(phoneNumber !== undefined ? { phoneNumber } : {}),
            });
            if (found === undefined) throw errors.noCredentials();
            return loginResult(deps.tokens, found.account, found.user._id, 'cb_user_auth');
          },
        },
      },
    },
    {
      path: '/v2/user_auth/:token',
      tag: 'auth',
      auth: 'required',
      methods: {
        GET: {
          summary: 'Read the token presented (only the same token)',
          handler: async (req) => {
            const auth = req.auth;
            if (auth === undefined || req.params['token'] !== auth.token) throw errors.forbidden();
            return { data: { account_id: auth.accountId, owner_id: auth.ownerId, method: auth.method } };
          },
        },
      },
    },
    {
      path: '/v2/api_auth',
      tag: 'auth',
      auth: 'public',
      methods: {
        PUT: {
          summary: "Log in with the account's API key",
          dataSchema: 'api_auth',
          successStatus: 201,
          handler: async (req) => {
            const key = req.data['api_key'];
            if (typeof key !== 'string' || key === '') throw errors.noCredentials();
            const checked = validate('api_auth', req.data);
            if (!checked.ok) throw errors.validation(validationData(checked.errors));
            const account = await deps.accounts.byApiKey(key);
            if (account === undefined) throw errors.badIdentifierList(key);
            if (!isAccountEnabled(account)) throw errors.validation({ account: { disabled: { message: 'account disabled' } } });
            return loginResult(deps.tokens, account, undefined, 'cb_api_auth');
          },
        },
      },
    },
    {
      path: '/v2/token_auth',
      tag: 'auth',
      auth: 'required',
      methods: {
        GET: {
          summary: 'Read what the presented token grants',
          handler: async (req) => {
            const auth = req.auth!;
            return {
              data: {
                account_id: auth.accountId,
                ...(auth.ownerId !== undefined ? { owner_id: auth.ownerId } : {}),
                method: auth.method,
                exp: auth.expiresAt,
                is_superduper_admin: auth.isSuperduperAdmin,
              },
            };
          },
        },
        DELETE: {
          summary: 'Revoke the presented token',
          handler: async (req) => {
            const check = await deps.tokens.verify(req.auth!.token);
            if (check.ok) await deps.tokens.revoke(check.claims);
            return { data: {} };
          },
        },
      },
    },
    {
      path: '/v2/auth/tokeninfo',
      tag: 'auth',
      auth: 'public',
      methods: {
        POST: {
          summary: 'Describe a token (monster-ui resumes a session with it after a reload)',
          handler: async (req) => {
            const token = req.data['token'];
            if (typeof token !== 'string') throw errors.validation({ token: { required: { message: 'Field is required but missing', value: 'token' } } });
            const auth = await checkToken(token, deps);
            if (auth === undefined) throw errors.invalidCredentials();
            return {
              data: {
                account_id: auth.accountId,
                ...(auth.ownerId !== undefined ? { owner_id: auth.ownerId } : {}),
                method: auth.method,
                exp: auth.expiresAt,
              },
            };
          },
        },
      },
    },
  ];
}
