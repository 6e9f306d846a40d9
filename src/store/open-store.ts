import type { Clock, Logger } from '../lib/index.ts';
import { MEMORY_DATA_DIR, openPgliteClient } from './pglite-client.ts';
import { openPostgresClient } from './postgres-client.ts';
import { SqlDocumentStore } from './sql-document-store.ts';

/** Where and how to open the document store. */
export interface OpenStoreOptions {
  /** PGlite data directory (created if missing); `memory://` for an in-memory store. Default `./data`. */
  readonly dataDir?: string;
  /** PostgreSQL URL; when set, PostgreSQL is used and `dataDir` is ignored. */
  readonly databaseUrl?: string;
  /** PostgreSQL schema to work in (created if missing). */
  readonly pgSchema?: string;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** Opens (and migrates) the document store: PostgreSQL when `databaseUrl` is set, else PGlite. */
export async function openStore(options: OpenStoreOptions): Promise<SqlDocumentStore> {
  const logger = options.logger.child({ category: 'store' });
  const client =
    options.databaseUrl !== undefined
      ? await openPostgresClient(options.databaseUrl, options.pgSchema === undefined ? {} : { schema: options.pgSchema })
      : await openPgliteClient(options.dataDir ?? './data');
  logger.info(
    { backend: client.kind, ...(client.kind === 'pglite' ? { dataDir: options.dataDir ?? './data' } : {}) },
    'document store open',
  );
  return SqlDocumentStore.open(client, { clock: options.clock, logger });
}

export { MEMORY_DATA_DIR };
