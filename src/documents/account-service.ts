import { newId, randomHex } from '../lib/index.ts';
import type { Doc, DocumentStore, StoredDoc } from '../store/index.ts';
import type { DocumentService, WriteMeta } from './document-service.ts';
import { UnknownDocument } from './errors.ts';
import { accountKind } from './kinds/account.ts';

/** The account tree (KAZOO `pvt_tree`: ancestors, root first) and account lookups. */
export class AccountService {
  readonly #docs: DocumentService;
  readonly #store: DocumentStore;

  constructor(docs: DocumentService) {
    this.#docs = docs;
    this.#store = docs.store;
  }

  /** Creates an account under `parent` (a top-level account when undefined). */
  async create(data: Doc, parent: StoredDoc | undefined, meta: WriteMeta = {}, options: { superduperAdmin?: boolean } = {}): Promise<StoredDoc> {
    const id = typeof data['id'] === 'string' && data['id'] !== '' ? data['id'] : newId();
    const tree = parent === undefined ? [] : [...treeOf(parent), parent._id];
    return this.#docs.create(accountKind, undefined, { ...data, id }, meta, {
      pvt_account_id: id,
      pvt_tree: tree,
      pvt_api_key: randomHex(32),
      pvt_enabled: true,
      ...(options.superduperAdmin === true ? { pvt_superduper_admin: true } : {}),
    });
  }

  /** The live account doc, or {@link UnknownDocument}. */
  async get(accountId: string): Promise<StoredDoc> {
    return this.#docs.get(accountKind, undefined, accountId);
  }

  /** The live account doc, or undefined. */
  async find(accountId: string): Promise<StoredDoc | undefined> {
    try {
      return await this.get(accountId);
    } catch (error) {
      if (error instanceof UnknownDocument) return undefined;
      throw error;
    }
  }

  /** True when `accountId` is `ancestorId` or lies below it in the tree. */
  async isWithin(accountId: string, ancestorId: string): Promise<boolean> {
    if (accountId === ancestorId) return true;
    const account = await this.find(accountId);
    return account !== undefined && treeOf(account).includes(ancestorId);
  }

  /** Direct children of an account. */
  async children(accountId: string): Promise<StoredDoc[]> {
    return (await this.#all()).filter((a) => treeOf(a).at(-1) === accountId);
  }

  /** Every account below an account. */
  async descendants(accountId: string): Promise<StoredDoc[]> {
    return (await this.#all()).filter((a) => treeOf(a).includes(accountId));
  }

  async byRealm(realm: string): Promise<StoredDoc | undefined> {
    return (await this.#store.findBy('account', ['realm'], realm.toLowerCase()))[0];
  }

  /** Accounts whose name, lower-cased without non-alphanumerics, matches (KAZOO's name lookup). */
  async byName(name: string): Promise<StoredDoc[]> {
    return this.#store.findBy('account', ['pvt_alphanum_name'], name.toLowerCase().replace(/[^a-z0-9]/g, ''));
  }

  async byApiKey(apiKey: string): Promise<StoredDoc | undefined> {
    return (await this.#store.findBy('account', ['pvt_api_key'], apiKey))[0];
  }

  /** True when no account exists yet (the first one becomes the superduper admin). */
  async isEmpty(): Promise<boolean> {
    const page = await this.#store.list({ type: 'account', pageSize: 1 });
    return page.docs.length === 0;
  }

  async #all(): Promise<StoredDoc[]> {
    return (await this.#store.list({ type: 'account', pageSize: null, ascending: true })).docs;
  }
}

/** An account's ancestors, root first. */
export function treeOf(account: StoredDoc): string[] {
  return Array.isArray(account['pvt_tree']) ? account['pvt_tree'].map(String) : [];
}

/** True when the account is enabled (KAZOO `pvt_enabled`, and the public `enabled` flag). */
export function isAccountEnabled(account: StoredDoc): boolean {
  return account['pvt_enabled'] !== false && account['enabled'] !== false;
}

/** True for the superduper admin account. */
export function isSuperduperAdmin(account: StoredDoc): boolean {
  return account['pvt_superduper_admin'] === true;
}
