// The two document-store backends every integration test runs against: embedded PGlite and the
// PostgreSQL service (a throwaway schema per test file, dropped at the end).
import postgres from 'postgres';
import { randomBytes } from 'node:crypto';

export interface Backend {
  readonly name: 'pglite' | 'postgres';
  /** Environment for readConfig. */
  readonly env: Record<string, string>;
  readonly pgSchema?: string;
  /** Drops what the backend created. */
  cleanup(): Promise<void>;
}

export const POSTGRES_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/** PGlite in memory: nothing to clean up. End-to-end tests use it alone. */
export function pglite(): Backend {
  return { name: 'pglite', env: { SWITCHBOARD_DATA_DIR: 'memory://' }, cleanup: async () => {} };
}

/** PGlite in memory, and PostgreSQL unless SWITCHBOARD_SKIP_POSTGRES=1. */
export function backends(): (() => Backend)[] {
  const list: (() => Backend)[] = [pglite];
  if (process.env['SWITCHBOARD_SKIP_POSTGRES'] !== '1') {
    list.push(() => {
      const pgSchema = `sb_test_${randomBytes(6).toString('hex')}`;
      return {
        name: 'postgres',
        env: { DATABASE_URL: POSTGRES_URL },
        pgSchema,
        cleanup: async () => {
          const sql = postgres(POSTGRES_URL, { max: 1, onnotice: () => {} });
          try {
            await sql.unsafe(`DROP SCHEMA IF EXISTS ${pgSchema} CASCADE`);
          } finally {
            await sql.end();
          }
        },
      };
    });
  }
  return list;
}
