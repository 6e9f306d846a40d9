import type { Logger } from '../lib/index.ts';
import type { SqlClient } from './sql-client.ts';

/** One schema change, applied once, in `version` order. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  /** A script of one or more statements, without parameters. */
  readonly sql: string;
}

/** The document store's schema history. Append only: never edit a released migration. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'documents, unique claims, attachments',
    sql: `
      CREATE TABLE documents (
        id text PRIMARY KEY,
        type text NOT NULL,
        account_id text,
        rev text NOT NULL,
        deleted boolean NOT NULL DEFAULT false,
        created bigint NOT NULL,
        modified bigint NOT NULL,
        body jsonb NOT NULL,
        -- insertion order: breaks ties between docs created in the same second
        seq bigint GENERATED ALWAYS AS IDENTITY
      );
      CREATE INDEX documents_listing ON documents (type, account_id, created, seq);
      CREATE INDEX documents_type_created ON documents (type, created, seq);
      CREATE INDEX documents_body ON documents USING gin (body jsonb_path_ops);
      CREATE TABLE unique_claims (
        scope text NOT NULL,
        key text NOT NULL,
        doc_id text NOT NULL REFERENCES documents (id),
        PRIMARY KEY (scope, key)
      );
      CREATE INDEX unique_claims_doc ON unique_claims (doc_id);
      CREATE TABLE attachments (
        doc_id text NOT NULL REFERENCES documents (id),
        name text NOT NULL,
        content_type text NOT NULL,
        data bytea NOT NULL,
        PRIMARY KEY (doc_id, name)
      );
    `,
  },
];

/**
 * Brings the database up to the last migration, all in one transaction. An advisory lock keyed on
 * the current schema keeps two processes from migrating the same schema at once.
 */
export async function runMigrations(client: SqlClient, logger: Logger, migrations: readonly Migration[] = MIGRATIONS): Promise<void> {
  await client.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('switchboard_migrations:' || current_schema()))`);
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const done = new Set(
      (await tx.query<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => r.version),
    );
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(migration.version)) continue;
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1::integer, $2::text)', [
        migration.version,
        migration.name,
      ]);
      logger.info({ version: migration.version, migration: migration.name }, 'store migration applied');
    }
  });
}
