import { ClosedError, SwitchboardError, TypedEmitter, newId, randomHex, toGregorian } from '../lib/index.ts';
import type { Clock, Logger } from '../lib/index.ts';
import {
  ConflictError,
  NotFoundError,
  UniqueError,
  type DocChange,
  type DocumentStore,
  type ListPage,
  type ListQuery,
  type NewDoc,
  type StoredDoc,
  type UniqueKey,
  type WriteOptions,
} from './document-store.ts';
import { filterToSql } from './filter-sql.ts';
import { runMigrations } from './migrations.ts';
import type { SqlClient, SqlExecutor } from './sql-client.ts';
import { SqlParams } from './sql-params.ts';
import { decodeStartKey, encodeStartKey } from './start-key.ts';

/** Options of {@link SqlDocumentStore}. */
export interface SqlDocumentStoreOptions {
  readonly clock: Clock;
  readonly logger: Logger;
}

/** KAZOO's default `pagination_page_size` (reference §1.8). */
export const DEFAULT_PAGE_SIZE = 50;

const REV = /^([1-9][0-9]*)-[0-9a-f]{32}$/;

type Events = { change: [DocChange] };
type BodyRow = { body: StoredDoc };

/** A CouchDB-style revision: `<n>-<32 hex>` (reference §1.10). */
function newRev(n: number): string {
  return `${n}-${randomHex(16)}`;
}

/** The generation number of a revision, or undefined when it is not one of ours. */
function revNumber(rev: unknown): number | undefined {
  if (typeof rev !== 'string') return undefined;
  const match = REV.exec(rev);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** The doc as the database will hold it: plain JSON (undefined dropped, dates as strings). */
function normalize(doc: StoredDoc): { json: string; doc: StoredDoc } {
  const json = JSON.stringify(doc);
  return { json, doc: JSON.parse(json) as StoredDoc };
}

/** `{a:{b:value}}` for path `[a, b]`: a containment probe the GIN index on `body` can answer. */
function nest(path: readonly string[], value: unknown): unknown {
  return path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value);
}

function invalid(message: string): SwitchboardError {
  return new SwitchboardError('invalid_document', message);
}

/**
 * {@link DocumentStore} over SQL (PGlite or PostgreSQL): one `documents` row per doc with the full
 * JSON in `body`, optimistic revisions checked in the `UPDATE`'s `WHERE`, unique claims in the same
 * transaction as the write, and change events after commit.
 */
export class SqlDocumentStore implements DocumentStore {
  readonly #client: SqlClient;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #events = new TypedEmitter<Events>();
  readonly #inflight = new Set<Promise<unknown>>();
  #closing: Promise<void> | undefined;

  private constructor(client: SqlClient, options: SqlDocumentStoreOptions) {
    this.#client = client;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#events.onListenerError = (error) => this.#logger.warn({ err: error }, 'document change listener threw');
  }

  /** Runs the migrations on `client` and returns a store that owns it (closing the store closes it). */
  static async open(client: SqlClient, options: SqlDocumentStoreOptions): Promise<SqlDocumentStore> {
    try {
      await runMigrations(client, options.logger);
    } catch (error) {
      await client.close();
      throw error;
    }
    return new SqlDocumentStore(client, options);
  }

  get closed(): boolean {
    return this.#closing !== undefined;
  }

  create(doc: NewDoc, options: WriteOptions = {}): Promise<StoredDoc> {
    return this.#run(async () => {
      if (typeof doc.pvt_type !== 'string' || doc.pvt_type === '') throw invalid('pvt_type is required');
      if (doc._id !== undefined && (typeof doc._id !== 'string' || doc._id === '')) throw invalid('_id must be a non-empty string');
      const now = toGregorian(this.#clock.now());
      const { json, doc: stored } = normalize({
        ...doc,
        _id: doc._id ?? newId(),
        _rev: newRev(1),
        pvt_type: doc.pvt_type,
        pvt_created: now,
        pvt_modified: now,
      });
      await this.#client.transaction(async (tx) => {
        const p = new SqlParams();
        const rows = await tx.query(
          `INSERT INTO documents (id, type, account_id, rev, deleted, created, modified, body)
           VALUES (${p.add(stored._id, 'text')}, ${p.add(stored.pvt_type, 'text')}, ${p.add(accountOf(stored), 'text')},
                   ${p.add(stored._rev, 'text')}, ${p.add(stored.pvt_deleted === true, 'boolean')},
                   ${p.add(now, 'bigint')}, ${p.add(now, 'bigint')}, ${p.add(json, 'jsonb')})
           ON CONFLICT (id) DO NOTHING RETURNING id`,
          p.values,
        );
        if (rows.length === 0) throw new ConflictError(stored._id);
        if (options.unique !== undefined) await setClaims(tx, stored._id, stored.pvt_deleted === true ? [] : options.unique);
      });
      this.#emit(stored.pvt_deleted === true ? 'deleted' : 'created', stored);
      return stored;
    });
  }

  get(id: string, options: { includeDeleted?: boolean } = {}): Promise<StoredDoc | undefined> {
    return this.#run(async () => {
      if (id.includes('\0')) return undefined; // PostgreSQL text holds no NUL: nothing can match
      const live = options.includeDeleted === true ? '' : ' AND NOT deleted';
      const rows = await this.#client.query<BodyRow>(`SELECT body FROM documents WHERE id = $1::text${live}`, [id]);
      return rows[0]?.body;
    });
  }

  save(doc: StoredDoc, options: WriteOptions = {}): Promise<StoredDoc> {
    return this.#run(async () => {
      if (typeof doc._id !== 'string' || doc._id === '') throw invalid('_id is required to save');
      if (typeof doc.pvt_type !== 'string' || doc.pvt_type === '') throw invalid('pvt_type is required');
      const n = revNumber(doc._rev);
      if (n === undefined) throw new ConflictError(doc._id);
      const now = toGregorian(this.#clock.now());
      const deleted = doc.pvt_deleted === true;
      const rev = newRev(n + 1);
      const { json } = normalize({ ...doc, _rev: rev, pvt_modified: now });
      const saved = await this.#client.transaction(async (tx) => {
        const p = new SqlParams();
        // pvt_created never changes after the first save, whatever the caller sends.
        const rows = await tx.query<BodyRow>(
          `UPDATE documents
              SET body = jsonb_set(${p.add(json, 'jsonb')}, '{pvt_created}', to_jsonb(created)),
                  rev = ${p.add(rev, 'text')},
                  type = ${p.add(doc.pvt_type, 'text')}, account_id = ${p.add(accountOf(doc), 'text')},
                  deleted = ${p.add(deleted, 'boolean')}, modified = ${p.add(now, 'bigint')}
            WHERE id = ${p.add(doc._id, 'text')} AND rev = ${p.add(doc._rev, 'text')}
            RETURNING body`,
          p.values,
        );
        const row = rows[0];
        if (row === undefined) {
          const exists = await tx.query('SELECT 1 FROM documents WHERE id = $1::text', [doc._id]);
          throw exists.length === 0 ? new NotFoundError(doc._id) : new ConflictError(doc._id);
        }
        if (deleted) await releaseClaims(tx, doc._id);
        else if (options.unique !== undefined) await setClaims(tx, doc._id, options.unique);
        return row.body;
      });
      this.#emit(deleted ? 'deleted' : 'edited', saved);
      return saved;
    });
  }

  softDelete(id: string, rev?: string): Promise<StoredDoc> {
    return this.#run(async () => {
      const now = toGregorian(this.#clock.now());
      const deleted = await this.#client.transaction(async (tx) => {
        const rows = await tx.query<BodyRow & { rev: string; deleted: boolean }>(
          'SELECT body, rev, deleted FROM documents WHERE id = $1::text FOR UPDATE',
          [id],
        );
        const row = rows[0];
        if (row === undefined || row.deleted) throw new NotFoundError(id);
        if (rev !== undefined && rev !== row.rev) throw new ConflictError(id);
        const n = revNumber(row.rev) ?? 0;
        const { json, doc } = normalize({ ...row.body, _rev: newRev(n + 1), pvt_modified: now, pvt_deleted: true });
        await tx.query(
          `UPDATE documents SET body = $1::jsonb, rev = $2::text, deleted = true, modified = $3::bigint
            WHERE id = $4::text`,
          [json, doc._rev, now, id],
        );
        await releaseClaims(tx, id);
        return doc;
      });
      this.#emit('deleted', deleted);
      return deleted;
    });
  }

  list(query: ListQuery): Promise<ListPage> {
    return this.#run(async () => {
      const pageSize = query.pageSize === undefined ? DEFAULT_PAGE_SIZE : query.pageSize;
      if (pageSize !== null && (!Number.isSafeInteger(pageSize) || pageSize < 1)) {
        throw new SwitchboardError('invalid_page_size', `invalid page size: ${String(pageSize)}`);
      }
      const p = new SqlParams();
      const where = [`type = ${p.add(query.type, 'text')}`];
      if (query.accountId !== undefined) where.push(`account_id = ${p.add(query.accountId, 'text')}`);
      if (query.includeDeleted !== true) where.push('NOT deleted');
      for (const filter of query.filters ?? []) where.push(filterToSql(filter, p));
      const ascending = query.ascending === true;
      if (query.startKey !== undefined) {
        const from = decodeStartKey(query.startKey);
        where.push(`(created, seq) ${ascending ? '>=' : '<='} (${p.add(from.created, 'bigint')}, ${p.add(from.seq, 'bigint')})`);
      }
      const dir = ascending ? 'ASC' : 'DESC';
      const limit = pageSize === null ? '' : ` LIMIT ${p.add(pageSize + 1, 'bigint')}`;
      const rows = await this.#client.query<BodyRow & { created: number; seq: number }>(
        `SELECT body, created, seq FROM documents WHERE ${where.join(' AND ')}
          ORDER BY created ${dir}, seq ${dir}${limit}`,
        p.values,
      );
      const next = pageSize === null ? undefined : rows[pageSize];
      const docs = (pageSize === null ? rows : rows.slice(0, pageSize)).map((r) => r.body);
      return {
        docs,
        ...(next === undefined ? {} : { nextStartKey: encodeStartKey({ created: Number(next.created), seq: Number(next.seq) }) }),
        ...(query.startKey === undefined ? {} : { startKey: query.startKey }),
      };
    });
  }

  claimHolder(claim: UniqueKey): Promise<StoredDoc | undefined> {
    return this.#run(async () => {
      if (claim.key.includes('\0') || claim.scope.includes('\0')) return undefined;
      const p = new SqlParams();
      const rows = await this.#client.query<BodyRow>(
        `SELECT d.body FROM unique_claims c JOIN documents d ON d.id = c.doc_id
          WHERE c.scope = ${p.add(claim.scope, 'text')} AND c.key = ${p.add(claim.key, 'text')} AND NOT d.deleted`,
        p.values,
      );
      return rows[0]?.body;
    });
  }

  findBy(type: string, path: readonly string[], value: string | number | boolean, accountId?: string): Promise<StoredDoc[]> {
    return this.#run(async () => {
      if (path.length === 0) throw new SwitchboardError('invalid_path', 'findBy needs a non-empty path');
      if ([...path, value, accountId ?? ''].some((v) => typeof v === 'string' && v.includes('\0'))) return [];
      const p = new SqlParams();
      const where = [
        `type = ${p.add(type, 'text')}`,
        'NOT deleted',
        `body @> ${p.add(JSON.stringify(nest(path, value)), 'jsonb')}`,
        `body #> ${p.add([...path], 'text[]')} = ${p.add(JSON.stringify(value), 'jsonb')}`,
      ];
      if (accountId !== undefined) where.push(`account_id = ${p.add(accountId, 'text')}`);
      const rows = await this.#client.query<BodyRow>(
        `SELECT body FROM documents WHERE ${where.join(' AND ')} ORDER BY created, seq`,
        p.values,
      );
      return rows.map((r) => r.body);
    });
  }

  putAttachment(docId: string, name: string, contentType: string, data: Buffer): Promise<void> {
    return this.#run(async () => {
      const rows = await this.#client.query(
        `INSERT INTO attachments (doc_id, name, content_type, data)
         SELECT $1::text, $2::text, $3::text, $4::bytea
          WHERE EXISTS (SELECT 1 FROM documents WHERE id = $1::text AND NOT deleted)
         ON CONFLICT (doc_id, name) DO UPDATE SET content_type = EXCLUDED.content_type, data = EXCLUDED.data
         RETURNING doc_id`,
        [docId, name, contentType, data],
      );
      if (rows.length === 0) throw new NotFoundError(docId);
    });
  }

  getAttachment(
    docId: string,
    name: string,
    options: { includeDeleted?: boolean } = {},
  ): Promise<{ contentType: string; data: Buffer } | undefined> {
    return this.#run(async () => {
      const live = options.includeDeleted === true ? '' : ' AND NOT d.deleted';
      const rows = await this.#client.query<{ content_type: string; data: Uint8Array }>(
        `SELECT a.content_type, a.data FROM attachments a JOIN documents d ON d.id = a.doc_id
          WHERE a.doc_id = $1::text AND a.name = $2::text${live}`,
        [docId, name],
      );
      const row = rows[0];
      if (row === undefined) return undefined;
      return { contentType: row.content_type, data: Buffer.from(row.data.buffer, row.data.byteOffset, row.data.byteLength) };
    });
  }

  onChange(listener: (change: DocChange) => void): () => void {
    if (this.closed) throw new ClosedError('document store');
    return this.#events.on('change', listener);
  }

  /** Waits for writes under way, then closes the database. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await Promise.allSettled([...this.#inflight]);
      this.#events.removeAllListeners();
      await this.#client.close();
    })();
    return this.#closing;
  }

  async #run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) throw new ClosedError('document store');
    const pending = fn();
    this.#inflight.add(pending);
    try {
      return await pending;
    } finally {
      this.#inflight.delete(pending);
    }
  }

  #emit(kind: DocChange['kind'], doc: StoredDoc): void {
    this.#logger.debug({ id: doc._id, type: doc.pvt_type, rev: doc._rev, kind }, 'document written');
    this.#events.emit('change', { kind, doc });
  }
}

function accountOf(doc: { pvt_account_id?: unknown }): string | null {
  return typeof doc.pvt_account_id === 'string' ? doc.pvt_account_id : null;
}

async function releaseClaims(tx: SqlExecutor, docId: string): Promise<void> {
  await tx.query('DELETE FROM unique_claims WHERE doc_id = $1::text', [docId]);
}

/**
 * Makes `claims` the doc's complete set: releases the others, takes the new ones. A claim held by
 * another live doc throws {@link UniqueError} (the caller's transaction then rolls back); a claim
 * left behind by a doc that is gone or soft-deleted is taken over.
 */
async function setClaims(tx: SqlExecutor, docId: string, claims: readonly UniqueKey[]): Promise<void> {
  await tx.query(
    `DELETE FROM unique_claims WHERE doc_id = $1::text
       AND (scope, key) NOT IN (SELECT s, k FROM unnest($2::text[], $3::text[]) AS u(s, k))`,
    [docId, claims.map((c) => c.scope), claims.map((c) => c.key)],
  );
  for (const claim of claims) await takeClaim(tx, docId, claim);
}

/** Takes one claim for `docId`, retrying when the holder released it between our two reads. */
async function takeClaim(tx: SqlExecutor, docId: string, claim: UniqueKey): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const taken = await tx.query(
      `INSERT INTO unique_claims (scope, key, doc_id) VALUES ($1::text, $2::text, $3::text)
       ON CONFLICT (scope, key) DO NOTHING RETURNING doc_id`,
      [claim.scope, claim.key, docId],
    );
    if (taken.length > 0) return;
    const held = await tx.query<{ doc_id: string; live: boolean | null }>(
      `SELECT c.doc_id, (SELECT NOT d.deleted FROM documents d WHERE d.id = c.doc_id) AS live
         FROM unique_claims c WHERE c.scope = $1::text AND c.key = $2::text FOR UPDATE`,
      [claim.scope, claim.key],
    );
    const holder = held[0];
    if (holder === undefined) continue;
    if (holder.doc_id === docId) return;
    if (holder.live === true) throw new UniqueError(claim, holder.doc_id);
    await tx.query('UPDATE unique_claims SET doc_id = $3::text WHERE scope = $1::text AND key = $2::text', [
      claim.scope,
      claim.key,
      docId,
    ]);
    return;
  }
  throw new SwitchboardError('unique_contention', `could not claim ${claim.scope} '${claim.key}'`);
}
