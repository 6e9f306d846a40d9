import { SwitchboardError } from '../lib/index.ts';
import type { Filter } from './document-store.ts';

/** A query string as parsed by the HTTP layer: repeated params arrive as arrays. */
export type QueryParams = Record<string, string | string[] | undefined>;

const PATH_OPS = ['has_key', 'key_missing', 'has_value', 'value_missing'] as const;
const RANGE_OPS = ['created_from', 'created_to', 'modified_from', 'modified_to'] as const;
const NUMBER = /^-?[0-9]+(\.[0-9]+)?$/;

function invalid(param: string, why: string): SwitchboardError {
  return new SwitchboardError('invalid_filter', `invalid filter ${param}: ${why}`);
}

/** A dotted KAZOO key (`level1.level2`) as a path; empty segments are refused. */
function toPath(param: string, dotted: string): string[] {
  const path = dotted.split('.');
  if (path.some((segment) => segment === '')) throw invalid(param, `bad key '${dotted}'`);
  return path;
}

/** `["a","b"]` → one-of list (members rendered as strings); anything else is the value itself. */
function toValue(raw: string): string | string[] {
  if (!raw.startsWith('[')) return raw;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (!Array.isArray(parsed)) return raw;
    return parsed.map((member: unknown) => (typeof member === 'string' ? member : JSON.stringify(member)));
  } catch {
    return raw;
  }
}

function isOneOf<T extends string>(list: readonly T[], key: string): key is T {
  return (list as readonly string[]).includes(key);
}

/**
 * KAZOO's crossbar_filter query-string params (reference §1.9) as {@link Filter}s: `filter_<path>`,
 * `filter_not_<path>`, `has_key`, `key_missing`, `has_value`, `value_missing` (value = dotted path),
 * and `created_from/_to`, `modified_from/_to` (Gregorian seconds). Other params are ignored. A
 * repeated param yields one filter per occurrence (all ANDed). Bad input throws `invalid_filter`.
 */
export function parseFilters(query: QueryParams): Filter[] {
  const filters: Filter[] = [];
  for (const [param, given] of Object.entries(query)) {
    if (given === undefined) continue;
    const values = Array.isArray(given) ? given : [given];
    for (const raw of values) {
      if (param.startsWith('filter_not_')) {
        filters.push({ op: 'not_eq', path: toPath(param, param.slice('filter_not_'.length)), value: toValue(raw) });
      } else if (param.startsWith('filter_')) {
        filters.push({ op: 'eq', path: toPath(param, param.slice('filter_'.length)), value: toValue(raw) });
      } else if (isOneOf(PATH_OPS, param)) {
        filters.push({ op: param, path: toPath(param, raw) });
      } else if (isOneOf(RANGE_OPS, param)) {
        const trimmed = raw.trim();
        if (!NUMBER.test(trimmed)) throw invalid(param, `'${raw}' is not a number`);
        filters.push({ op: param, value: Number(trimmed) });
      }
    }
  }
  return filters;
}
