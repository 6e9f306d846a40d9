import type { SqlParam } from './sql-client.ts';

/** The SQL types placeholders are cast to; a fixed list, so no caller text ever reaches the SQL. */
export type SqlCast = 'text' | 'text[]' | 'jsonb' | 'bigint' | 'numeric' | 'boolean' | 'bytea';

/** Collects bound values and hands out their cast `$n` placeholders. */
export class SqlParams {
  readonly values: SqlParam[] = [];

  /** Binds `value` and returns its placeholder, e.g. `$3::text[]`. */
  add(value: SqlParam, cast: SqlCast): string {
    this.values.push(value);
    return `$${this.values.length}::${cast}`;
  }
}
