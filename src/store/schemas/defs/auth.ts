// Request bodies of the two token-creating endpoints: `PUT /v2/user_auth` and `PUT /v2/api_auth`.
import { choice, named, str } from '../json-schema.ts';

/** `user_auth`: log in with md5/sha1 of `username:password` and an account name, realm or number. */
export const userAuth = named(
  'user_auth',
  'Credentials for a user login',
  {
    account_name: str('Name of the account to log in to', { minLength: 1, maxLength: 128 }),
    account_realm: str('Realm of the account to log in to', { minLength: 4, maxLength: 253, pattern: '^[.\\w_-]+$' }),
    credentials: str('Hex hash of "username:password"', { minLength: 1, maxLength: 64 }),
    method: choice('Hash used for credentials', ['md5', 'sha'], 'md5'),
    phone_number: str('A number of the account to log in to', { minLength: 1, maxLength: 64 }),
  },
  { required: ['credentials'] },
);

/** `api_auth`: exchange an account API key for a token. */
export const apiAuth = named(
  'api_auth',
  'An account API key',
  { api_key: str('The account API key', { minLength: 64, maxLength: 64 }) },
  { additionalProperties: false, required: ['api_key'] },
);
