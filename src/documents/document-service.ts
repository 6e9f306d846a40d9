import {
  NotFoundError,
  UniqueError,
  validate,
  type Doc,
  type DocumentStore,
  type ListPage,
  type ListQuery,
  type StoredDoc,
} from '../store/index.ts';
import { deepMerge } from './deep-merge.ts';
import type { DocKind, KindContext } from './doc-kind.ts';
import { UnknownDocument, ValidationFailed, type FieldFailure } from './errors.ts';
import { privateFields, requestFields } from './public-fields.ts';

/** Who is writing: recorded in the doc's private audit fields (reference §1.10). */
export interface WriteMeta {
  readonly requestId?: string;
  readonly authAccountId?: string;
  readonly authUserId?: string;
}

/**
 * Create, read, replace, patch, soft-delete and list the documents of one account, applying a
 * kind's schema, private fields and unique claims — the semantics of KAZOO's `crossbar_doc`.
 */
export class DocumentService {
  readonly #store: DocumentStore;

  /** Timestamps come from the store's clock. */
  constructor(store: DocumentStore) {
    this.#store = store;
  }

  get store(): DocumentStore {
    return this.#store;
  }

  /** Creates a doc of `kind` in `accountId` (`extra` adds private fields, e.g. an account's tree). */
  async create(kind: DocKind, account: StoredDoc | undefined, data: Doc, meta: WriteMeta = {}, extra: Doc = {}): Promise<StoredDoc> {
    const context: KindContext = { account, existing: undefined };
    const prepared = this.#prepare(kind, requestFields(data), context);
    const id = typeof data['id'] === 'string' && data['id'] !== '' ? data['id'] : undefined;
    const doc: Doc = {
      ...prepared,
      ...extra,
      ...this.#audit(meta),
      pvt_type: kind.type,
      pvt_vsn: '1',
      ...(account !== undefined ? { pvt_account_id: account._id } : {}),
    };
    if (id !== undefined) doc['_id'] = id;
    return this.#write(kind, context, (unique) => this.#store.create(doc as Doc & { pvt_type: string }, { unique }), doc);
  }

  /** The live doc `id` of `kind` in `accountId`, or {@link UnknownDocument}. */
  async get(kind: DocKind, accountId: string | undefined, id: string): Promise<StoredDoc> {
    const doc = await this.#store.get(id);
    if (doc === undefined || doc.pvt_type !== kind.type || (accountId !== undefined && doc.pvt_account_id !== accountId)) {
      throw new UnknownDocument(id);
    }
    return doc;
  }

  /** POST: the request's public data replaces the doc; private fields stay (last writer wins unless `rev` is given). */
  async replace(kind: DocKind, account: StoredDoc | undefined, id: string, data: Doc, meta: WriteMeta = {}, rev?: string): Promise<StoredDoc> {
    const existing = await this.get(kind, kind.type === 'account' ? undefined : account?._id, id);
    return this.#update(kind, account, existing, requestFields(data), meta, rev);
  }

  /** PATCH: the request deep-merges over the stored public data, then the whole doc is validated. */
  async patch(kind: DocKind, account: StoredDoc | undefined, id: string, data: Doc, meta: WriteMeta = {}, rev?: string): Promise<StoredDoc> {
    const existing = await this.get(kind, kind.type === 'account' ? undefined : account?._id, id);
    const merged = deepMerge(requestFields(existing), requestFields(data));
    return this.#update(kind, account, existing, merged, meta, rev);
  }

  /** Soft delete (`pvt_deleted: true`); the doc's unique claims are released. */
  async remove(kind: DocKind, accountId: string | undefined, id: string, rev?: string): Promise<StoredDoc> {
    const existing = await this.get(kind, accountId, id);
    return this.#store.softDelete(existing._id, rev ?? existing._rev);
  }

  /** A page of `kind` docs of `accountId`. */
  async list(kind: DocKind, accountId: string | undefined, query: Omit<ListQuery, 'type' | 'accountId'>): Promise<ListPage> {
    return this.#store.list({ ...query, type: kind.type, ...(accountId !== undefined ? { accountId } : {}) });
  }

  async #update(kind: DocKind, account: StoredDoc | undefined, existing: StoredDoc, data: Doc, meta: WriteMeta, rev?: string): Promise<StoredDoc> {
    const context: KindContext = { account, existing };
    const prepared = this.#prepare(kind, data, context);
    const kept = privateFields(existing);
    // Derived private fields the new data recomputes must not be resurrected from the old doc.
    for (const key of Object.keys(prepared)) if (key in kept) delete kept[key];
    const doc = { ...kept, ...prepared, ...this.#audit(meta), _rev: rev ?? existing._rev } as StoredDoc;
    return this.#write(kind, context, (unique) => this.#store.save(doc, { unique }), doc);
  }

  #prepare(kind: DocKind, data: Doc, context: KindContext): Doc {
    const result = validate(kind.schema, data);
    if (!result.ok) throw new ValidationFailed(result.errors);
    const prepared = kind.prepare?.(result.value as Doc, context) ?? (result.value as Doc);
    if (Array.isArray(prepared)) throw new ValidationFailed(prepared as FieldFailure[]);
    return prepared;
  }

  async #write(kind: DocKind, context: KindContext, write: (unique: ReturnType<NonNullable<DocKind['uniqueKeys']>>) => Promise<StoredDoc>, doc: Doc): Promise<StoredDoc> {
    const unique = kind.uniqueKeys?.(doc, context) ?? [];
    try {
      return await write(unique);
    } catch (error) {
      if (error instanceof UniqueError && kind.uniqueFailure !== undefined) {
        throw new ValidationFailed([kind.uniqueFailure({ scope: error.scope, key: error.key }, error.holder)]);
      }
      if (error instanceof NotFoundError) throw new UnknownDocument(error.id);
      throw error;
    }
  }

  #audit(meta: WriteMeta): Doc {
    return {
      ...(meta.requestId !== undefined ? { pvt_request_id: meta.requestId } : {}),
      ...(meta.authAccountId !== undefined ? { pvt_auth_account_id: meta.authAccountId, pvt_is_authenticated: true } : {}),
      ...(meta.authUserId !== undefined ? { pvt_auth_user_id: meta.authUserId } : {}),
    };
  }
}
