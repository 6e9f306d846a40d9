/**
 * A value bound to a `$n` placeholder. JSON goes in as text (`JSON.stringify`) and is cast in SQL
 * (`$1::jsonb`); binary goes in as a Buffer.
 */
export type SqlParam = string | number | boolean | null | Buffer | readonly string[];

/** Runs parameterized SQL. Both backends speak the PostgreSQL dialect. */
export interface SqlExecutor {
  /** One statement with `$1..$n` placeholders; every placeholder must be cast or typed by context. */
  query<T extends object = Record<string, unknown>>(sql: string, params?: readonly SqlParam[]): Promise<T[]>;
  /** A parameterless script of one or more statements (migrations). */
  exec(script: string): Promise<void>;
}

/**
 * A connection (PGlite) or pool (PostgreSQL). Rows come back uniformly: `jsonb` parsed, `bigint`
 * as number, `bytea` as Uint8Array/Buffer.
 */
export interface SqlClient extends SqlExecutor {
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Idempotent. */
  close(): Promise<void>;
  readonly closed: boolean;
  /** Which backend, for logs. */
  readonly kind: 'pglite' | 'postgres';
}
