import type { Filter } from './document-store.ts';
import type { SqlParams } from './sql-params.ts';

/** A JSON value counts as empty for `has_value`/`value_missing` (reference §1.9). */
const EMPTY_JSON = `('null'::jsonb, '""'::jsonb, '[]'::jsonb, '{}'::jsonb)`;

/**
 * One crossbar filter (reference §1.9) as a SQL condition over the `documents` row: `body` is the
 * full stored doc (private fields included), `created`/`modified` are Gregorian seconds. Paths and
 * values are always bound parameters.
 */
export function filterToSql(filter: Filter, params: SqlParams): string {
  switch (filter.op) {
    case 'eq':
    case 'not_eq': {
      const at = `(body #>> ${params.add([...filter.path], 'text[]')})`;
      const test =
        typeof filter.value === 'string'
          ? `${at} = ${params.add(filter.value, 'text')}`
          : `${at} = ANY(${params.add([...filter.value], 'text[]')})`;
      return filter.op === 'eq' ? `COALESCE(${test}, false)` : `NOT COALESCE(${test}, false)`;
    }
    case 'has_key':
      return `(body #> ${params.add([...filter.path], 'text[]')}) IS NOT NULL`;
    case 'key_missing':
      return `(body #> ${params.add([...filter.path], 'text[]')}) IS NULL`;
    case 'has_value':
    case 'value_missing': {
      const test = `COALESCE((body #> ${params.add([...filter.path], 'text[]')}) NOT IN ${EMPTY_JSON}, false)`;
      return filter.op === 'has_value' ? test : `NOT ${test}`;
    }
    case 'created_from':
      return `created >= ${params.add(filter.value, 'numeric')}`;
    case 'created_to':
      return `created <= ${params.add(filter.value, 'numeric')}`;
    case 'modified_from':
      return `modified >= ${params.add(filter.value, 'numeric')}`;
    case 'modified_to':
      return `modified <= ${params.add(filter.value, 'numeric')}`;
  }
}
