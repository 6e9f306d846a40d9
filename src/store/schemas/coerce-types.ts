// KAZOO's non-strict validation (crossbar `schema_strict_validation` false, the default): when a
// value fails `type` integer/number/boolean but converts cleanly (kz_json_schema:fix_js_types), it
// is converted in place and the document is validated again.
import type { ErrorObject } from 'ajv';
import { errorData, errorSchema, pointerSegments } from './kazoo-errors.ts';

const INTEGER_TEXT = /^[+-]?\d+$/;
const FLOAT_TEXT = /^[+-]?\d+\.\d+(?:[eE][+-]?\d+)?$/;

/** Erlang `round/1`: halves go away from zero. */
function erlangRound(n: number): number {
  return Math.sign(n) * Math.round(Math.abs(n));
}

/** kz_term:to_integer/1 on a JSON value, or undefined when KAZOO would not convert it. */
function toInteger(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return erlangRound(value);
  if (typeof value !== 'string') return undefined;
  if (INTEGER_TEXT.test(value)) return Number.parseInt(value, 10);
  if (FLOAT_TEXT.test(value)) return erlangRound(Number.parseFloat(value));
  return undefined;
}

/** kz_term:to_number/1 on a string. */
function toNumber(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  if (INTEGER_TEXT.test(value)) return Number.parseInt(value, 10);
  if (FLOAT_TEXT.test(value)) return Number.parseFloat(value);
  return undefined;
}

/** kz_term:to_boolean/1 on a string. */
function toBoolean(value: unknown): boolean | undefined {
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

function convert(type: unknown, value: unknown): unknown {
  if (type === 'integer') return toInteger(value);
  if (type === 'number') return toNumber(value);
  if (type === 'boolean') return toBoolean(value);
  return undefined;
}

function setAt(root: unknown, segments: readonly string[], value: unknown): boolean {
  if (segments.length === 0) return false;
  let node: unknown = root;
  for (const segment of segments.slice(0, -1)) {
    if (typeof node !== 'object' || node === null) return false;
    node = (node as Record<string, unknown>)[segment];
  }
  const last = segments[segments.length - 1];
  if (typeof node !== 'object' || node === null || last === undefined) return false;
  if (Array.isArray(node)) {
    const index = Number(last);
    if (!Number.isInteger(index) || index < 0 || index >= node.length) return false;
    node[index] = value;
  } else {
    (node as Record<string, unknown>)[last] = value;
  }
  return true;
}

/**
 * Converts, inside `document`, every value behind a `type` error whose schema type is exactly
 * `integer`, `number` or `boolean` and whose value converts as KAZOO converts it. Returns how
 * many values were changed.
 */
export function coerceTypeErrors(document: unknown, errors: readonly ErrorObject[]): number {
  let changed = 0;
  for (const error of errors) {
    if (error.keyword !== 'type') continue;
    const converted = convert(errorSchema(error), errorData(error));
    if (converted === undefined) continue;
    if (setAt(document, pointerSegments(error.instancePath), converted)) changed += 1;
  }
  return changed;
}
