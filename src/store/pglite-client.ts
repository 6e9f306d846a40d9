import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { ClosedError } from '../lib/index.ts';
import type { SqlClient, SqlExecutor, SqlParam } from './sql-client.ts';

/** `memory://` keeps the database in memory (tests); anything else is a data directory path. */
export const MEMORY_DATA_DIR = 'memory://';

type PgliteLike = Pick<PGlite, 'query' | 'exec'> | Transaction;

function executor(db: PgliteLike, isClosed: () => boolean): SqlExecutor {
  return {
    async query<T extends object>(sql: string, params: readonly SqlParam[] = []): Promise<T[]> {
      if (isClosed()) throw new ClosedError('sql client');
      const result = await db.query<T>(sql, [...params]);
      return result.rows;
    },
    async exec(script: string): Promise<void> {
      if (isClosed()) throw new ClosedError('sql client');
      await db.exec(script);
    },
  };
}

/** Embedded PostgreSQL (PGlite, WASM) in `dataDir` (created if missing) or in memory. */
export async function openPgliteClient(dataDir: string): Promise<SqlClient> {
  const dir = dataDir === MEMORY_DATA_DIR ? MEMORY_DATA_DIR : resolve(dataDir);
  if (dir !== MEMORY_DATA_DIR) await mkdir(dir, { recursive: true });
  const db = await PGlite.create(dir);
  let closed = false;
  let closing: Promise<void> | undefined;
  const isClosed = (): boolean => closed;
  const base = executor(db, isClosed);
  return {
    kind: 'pglite',
    get closed() {
      return closed;
    },
    query: base.query,
    exec: base.exec,
    async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      if (closed) throw new ClosedError('sql client');
      return db.transaction((tx) => fn(executor(tx, isClosed)));
    },
    close(): Promise<void> {
      closed = true;
      closing ??= db.close();
      return closing;
    },
  };
}
