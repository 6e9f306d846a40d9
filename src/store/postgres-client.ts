import postgres from 'postgres';
import { ClosedError, SwitchboardError, asError } from '../lib/index.ts';
import type { SqlClient, SqlExecutor, SqlParam } from './sql-client.ts';

/** Options of {@link openPostgresClient}. */
export interface PostgresClientOptions {
  /**
   * Work inside this schema: created if missing and put first on every connection's `search_path`
   * (tests isolate themselves in a throwaway schema). Lower-case identifier characters only.
   */
  readonly schema?: string;
  /** Pool size (default 10). */
  readonly max?: number;
  /** Seconds to wait for a connection (default 10). */
  readonly connectTimeout?: number;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

type Sql = postgres.Sql<Record<string, unknown>>;
type Unsafe = Pick<Sql, 'unsafe'>;

/** JSON params arrive as text (as with PGlite); `bigint` comes back as a number. */
const TYPES = {
  json: {
    to: 3802,
    from: [114, 3802],
    serialize: (x: unknown): string => (typeof x === 'string' ? x : JSON.stringify(x)),
    parse: (x: string): unknown => JSON.parse(x),
  },
  int8: {
    to: 20,
    from: [20],
    serialize: (x: unknown): string => String(x),
    parse: (x: string): number => Number(x),
  },
};

function executor(sql: Unsafe, isClosed: () => boolean): SqlExecutor {
  return {
    async query<T extends object>(text: string, params: readonly SqlParam[] = []): Promise<T[]> {
      if (isClosed()) throw new ClosedError('sql client');
      const rows = await sql.unsafe(text, params as postgres.ParameterOrJSON<never>[], { prepare: true });
      return Array.from(rows) as unknown as T[];
    },
    async exec(script: string): Promise<void> {
      if (isClosed()) throw new ClosedError('sql client');
      await sql.unsafe(script).simple();
    },
  };
}

/** A PostgreSQL pool (porsager `postgres`) at `url`, optionally confined to one schema. */
export async function openPostgresClient(url: string, options: PostgresClientOptions = {}): Promise<SqlClient> {
  const schema = options.schema;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new SwitchboardError('invalid_schema', `invalid PostgreSQL schema name: ${schema}`);
  }
  const sql: Sql = postgres(url, {
    max: options.max ?? 10,
    connect_timeout: options.connectTimeout ?? 10,
    onnotice: () => {},
    types: TYPES,
    ...(schema === undefined ? {} : { connection: { search_path: schema } }),
  }) as unknown as Sql;
  let closed = false;
  let closing: Promise<void> | undefined;
  const isClosed = (): boolean => closed;
  try {
    if (schema !== undefined) await sql.unsafe(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    else await sql.unsafe('SELECT 1');
  } catch (error) {
    await sql.end({ timeout: 0 });
    throw new SwitchboardError('database_unavailable', `cannot open PostgreSQL: ${asError(error).message}`, { cause: error });
  }
  const base = executor(sql, isClosed);
  return {
    kind: 'postgres',
    get closed() {
      return closed;
    },
    query: base.query,
    exec: base.exec,
    async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      if (closed) throw new ClosedError('sql client');
      return (await sql.begin((tx) => fn(executor(tx, isClosed)))) as T;
    },
    close(): Promise<void> {
      closed = true;
      closing ??= sql.end({ timeout: 5 });
      return closing;
    },
  };
}
