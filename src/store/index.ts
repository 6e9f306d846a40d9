export {
  ConflictError,
  NotFoundError,
  UniqueError,
  type Doc,
  type DocChange,
  type DocumentStore,
  type Filter,
  type ListPage,
  type ListQuery,
  type NewDoc,
  type StoredDoc,
  type UniqueKey,
  type WriteOptions,
} from './document-store.ts';
export { openStore, MEMORY_DATA_DIR, type OpenStoreOptions } from './open-store.ts';
export { SqlDocumentStore, DEFAULT_PAGE_SIZE, type SqlDocumentStoreOptions } from './sql-document-store.ts';
export type { SqlClient, SqlExecutor, SqlParam } from './sql-client.ts';
export { openPgliteClient } from './pglite-client.ts';
export { openPostgresClient, type PostgresClientOptions } from './postgres-client.ts';
export { MIGRATIONS, runMigrations, type Migration } from './migrations.ts';
export { parseFilters, type QueryParams } from './parse-filters.ts';
export {
  validate,
  toKazooValidationData,
  schemaNames,
  getSchema,
  hasSchema,
  UnknownSchemaError,
  type ValidationResult,
  type ValidationFailure,
  type JsonSchema,
} from './schemas/index.ts';
