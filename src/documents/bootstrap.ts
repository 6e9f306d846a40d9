import type { StoredDoc } from '../store/index.ts';
import type { AccountService } from './account-service.ts';
import type { DocumentService } from './document-service.ts';
import { userKind } from './kinds/user.ts';

/** What `switchboard create-account` takes (like KAZOO's `crossbar_maintenance create_account`). */
export interface NewAccountRequest {
  readonly name: string;
  readonly realm: string;
  readonly username: string;
  readonly password: string;
}

/**
 * Creates a top-level account with an admin user. The very first account of an installation
 * becomes the superduper admin (KAZOO's master account).
 */
export async function createAccountWithAdmin(accounts: AccountService, docs: DocumentService, request: NewAccountRequest): Promise<{ account: StoredDoc; user: StoredDoc }> {
  const first = await accounts.isEmpty();
  const account = await accounts.create({ name: request.name, realm: request.realm }, undefined, {}, { superduperAdmin: first });
  const user = await docs.create(userKind, account, {
    username: request.username,
    password: request.password,
    first_name: 'Account',
    last_name: 'Admin',
    priv_level: 'admin',
  });
  return { account, user };
}
