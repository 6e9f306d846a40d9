import { SwitchboardError } from '../lib/index.ts';

/** A stored JSON document: public fields plus `_id`, `_rev` and `pvt_*` private fields. */
export type Doc = { [key: string]: unknown };

/**
 * What every saved doc carries (KAZOO reference §1.10). The store sets `_id` (32 hex unless given),
 * `_rev` (`<n>-<32 hex>`), `pvt_created` (first save only) and `pvt_modified` (every save), both in
 * Gregorian seconds from the injected clock.
 */
export interface StoredDoc extends Doc {
  _id: string;
  _rev: string;
  pvt_type: string;
  /** Owning account; an account doc owns itself. Absent for system docs. */
  pvt_account_id?: string;
  pvt_created: number;
  pvt_modified: number;
  pvt_deleted?: boolean;
}

/** A document about to be created: its type is required, its id optional. */
export type NewDoc = Doc & { pvt_type: string; pvt_account_id?: string; _id?: string };

/** A claim on a value that must be unique within a scope (realm, SIP username in realm, callflow number...). */
export interface UniqueKey {
  /** e.g. `realm`, `sip_username:<realm>`, `callflow_number:<account>`. */
  readonly scope: string;
  /** The value, compared exactly (callers lower-case where case does not matter). */
  readonly key: string;
}

/** Options of a create or save. */
export interface WriteOptions {
  /**
   * The doc's complete set of unique claims after this write. Claims the doc held before and not
   * listed are released; a claim held by another live doc fails the write with {@link UniqueError}.
   * Omitted = the doc's claims are left as they are.
   */
  readonly unique?: readonly UniqueKey[];
}

/** One query-string filter of KAZOO's crossbar_filter (reference §1.9), already parsed. */
export type Filter =
  | { readonly op: 'eq' | 'not_eq'; readonly path: readonly string[]; readonly value: string | readonly string[] }
  | { readonly op: 'has_key' | 'key_missing' | 'has_value' | 'value_missing'; readonly path: readonly string[] }
  | { readonly op: 'created_from' | 'created_to' | 'modified_from' | 'modified_to'; readonly value: number };

/** A listing request. */
export interface ListQuery {
  readonly type: string;
  /** Limit to one account's docs; omitted = every account (system listings). */
  readonly accountId?: string;
  readonly filters?: readonly Filter[];
  /** Default 50 (KAZOO `pagination_page_size`); `null` = no pagination (everything). */
  readonly pageSize?: number | null;
  /** An opaque key from a previous page's `nextStartKey`. */
  readonly startKey?: string;
  /** KAZOO lists descending by default. */
  readonly ascending?: boolean;
  /** Include soft-deleted docs (default false). */
  readonly includeDeleted?: boolean;
}

export interface ListPage {
  readonly docs: StoredDoc[];
  /** Present when there is a next page. */
  readonly nextStartKey?: string;
  /** The start key this page began at (echoed back as KAZOO's `start_key`). */
  readonly startKey?: string;
}

/** What happened to a doc, reported to {@link DocumentStore.onChange} listeners after commit. */
export interface DocChange {
  readonly kind: 'created' | 'edited' | 'deleted';
  readonly doc: StoredDoc;
}

/**
 * CouchDB-like document storage (KAZOO reference §1.10) over SQL. Two implementations share one
 * SQL dialect: embedded PGlite (default) and PostgreSQL (`DATABASE_URL`).
 */
export interface DocumentStore {
  /** Saves a new doc. Throws {@link ConflictError} if the id exists (even soft-deleted). */
  create(doc: NewDoc, options?: WriteOptions): Promise<StoredDoc>;
  /** The doc, or undefined. Soft-deleted docs are returned only with `includeDeleted`. */
  get(id: string, options?: { includeDeleted?: boolean }): Promise<StoredDoc | undefined>;
  /**
   * Saves a new revision. `doc._rev` must equal the stored revision, else {@link ConflictError}
   * (a stale write never overwrites). Private fields are kept as given: callers merge them.
   * `pvt_created` always keeps its first value. An unknown id throws {@link NotFoundError}.
   */
  save(doc: StoredDoc, options?: WriteOptions): Promise<StoredDoc>;
  /** Soft delete: saves `pvt_deleted: true` as a new revision and releases the doc's unique claims. */
  softDelete(id: string, rev?: string): Promise<StoredDoc>;
  /** The live doc holding a unique claim (e.g. the callflow that owns a number), if any. */
  claimHolder(claim: UniqueKey): Promise<StoredDoc | undefined>;
  /** A page of docs of one type. */
  list(query: ListQuery): Promise<ListPage>;
  /** Live docs of `type` whose value at `path` equals `value` (lookups: realm, api key, sip username...). */
  findBy(type: string, path: readonly string[], value: string | number | boolean, accountId?: string): Promise<StoredDoc[]>;
  /** Binary attachments (media audio, recordings), replaced whole. The doc must be live, else {@link NotFoundError}. */
  putAttachment(docId: string, name: string, contentType: string, data: Buffer): Promise<void>;
  /** Undefined when missing or when the doc is soft-deleted (unless `includeDeleted`). */
  getAttachment(
    docId: string,
    name: string,
    options?: { includeDeleted?: boolean },
  ): Promise<{ contentType: string; data: Buffer } | undefined>;
  /** Called after every committed create/save/softDelete. Returns an unsubscribe function. */
  onChange(listener: (change: DocChange) => void): () => void;
  /** Waits for writes under way, then closes. Idempotent; every method afterwards throws `ClosedError`. */
  close(): Promise<void>;
  readonly closed: boolean;
}

/** A stale revision or an existing id: KAZOO's 409 `datastore_conflict`. */
export class ConflictError extends SwitchboardError {
  constructor(id: string) {
    super('datastore_conflict', `conflicting documents: ${id}`);
  }
}

/** A unique claim held by another live doc. */
export class UniqueError extends SwitchboardError {
  readonly scope: string;
  readonly key: string;
  readonly holder: string;
  constructor(claim: UniqueKey, holder: string) {
    super('unique', `${claim.scope} '${claim.key}' is already used by ${holder}`);
    this.scope = claim.scope;
    this.key = claim.key;
    this.holder = holder;
  }
}

/** A doc that does not exist (or is soft-deleted) where one is required. */
export class NotFoundError extends SwitchboardError {
  readonly id: string;
  constructor(id: string) {
    super('bad_identifier', `bad identifier: ${id}`);
    this.id = id;
  }
}
