// Turns ajv errors into KAZOO's validation failures: flat dot-joined paths and the rule codes,
// messages and extra keys of kz_json_schema:error_to_jobj (kazoo-reference §1.4).
import type { ErrorObject } from 'ajv';
import { MODULE_SCHEMAS_KEYWORD } from './json-schema.ts';

/** One failed rule at one field, as KAZOO reports it. */
export interface ValidationFailure {
  /** Dot-joined JSON path, one flat key; a `.` inside a segment is written `%2E`. */
  readonly path: string;
  /** Rule code (`required`, `type`, `maxLength`, `additionalProperties`, `wrong_format`, `error`...). */
  readonly code: string;
  readonly message: string;
  /** The other keys KAZOO puts next to `message` (`value`, `target`, `cause`, `format`). */
  readonly extra: Record<string, unknown>;
}

/** The `data` of KAZOO's 400 `validation error` envelope: `{ "<path>": { "<code>": { message, ...extra } } }`. */
export function toKazooValidationData(failures: readonly ValidationFailure[]): Record<string, Record<string, Record<string, unknown>>> {
  const data: Record<string, Record<string, Record<string, unknown>>> = {};
  for (const failure of failures) {
    const byCode = (data[failure.path] ??= {});
    byCode[failure.code] ??= { message: failure.message, ...failure.extra };
  }
  return data;
}

/** JSON-pointer segments of an ajv `instancePath` (`/a/b~1c` → `['a', 'b/c']`). */
export function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** KAZOO's flat key for a path: segments joined by `.`, with `.` inside a segment escaped as `%2E`. */
export function kazooPath(segments: readonly string[]): string {
  return segments.map((s) => s.replace(/\./g, '%2E')).join('.');
}

const COMBINATORS = new Set(['oneOf', 'anyOf']);

/**
 * Drops the per-branch errors of a failed `oneOf`/`anyOf`: KAZOO reports the combinator, not each
 * branch. ajv emits the branch errors just before the combinator's own error.
 */
export function pruneBranchErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  const kept: ErrorObject[] = [];
  for (const error of errors) {
    if (COMBINATORS.has(error.keyword)) {
      const base = schemaBase(error.schemaPath);
      while (kept.length > 0) {
        const last = kept[kept.length - 1];
        if (last === undefined || !isWithin(last.instancePath, error.instancePath)) break;
        const sameSchema = schemaBase(last.schemaPath) === base;
        if (sameSchema && !last.schemaPath.startsWith(`${error.schemaPath}/`)) break;
        kept.pop();
      }
    }
    kept.push(error);
  }
  return kept;
}

function schemaBase(schemaPath: string): string {
  return schemaPath.split('/')[0] ?? '';
}

function isWithin(path: string, ancestor: string): boolean {
  return path === ancestor || path.startsWith(`${ancestor}/`);
}

function param(error: ErrorObject, name: string): unknown {
  const params: Record<string, unknown> = error.params;
  return params[name];
}

/**
 * ajv overwrites `schema` and `data` of errors passed up through a custom keyword with the
 * keyword's own; the module-data keyword keeps the originals in this param.
 */
export const ORIGINAL_PARAM = 'original';

interface Original {
  readonly schema: unknown;
  readonly data: unknown;
}

function original(error: ErrorObject): Original | undefined {
  const kept = param(error, ORIGINAL_PARAM);
  return typeof kept === 'object' && kept !== null && 'schema' in kept && 'data' in kept ? (kept as Original) : undefined;
}

/** The failing value of an error (before any custom keyword rewrote it). */
export function errorData(error: ErrorObject): unknown {
  const kept = original(error);
  return kept === undefined ? error.data : kept.data;
}

/** The failing keyword's schema value of an error (before any custom keyword rewrote it). */
export function errorSchema(error: ErrorObject): unknown {
  const kept = original(error);
  return kept === undefined ? error.schema : kept.schema;
}

function typeNames(error: ErrorObject): string {
  const type: unknown = errorSchema(error) ?? param(error, 'type');
  if (Array.isArray(type)) return type.map(String).join(', ');
  return typeof type === 'string' ? type : String(type);
}

/** One ajv error as a KAZOO failure. */
export function toFailure(error: ErrorObject): ValidationFailure {
  const segments = pointerSegments(error.instancePath);
  const at = (code: string, message: string, extra: Record<string, unknown>): ValidationFailure => ({ path: kazooPath(segments), code, message, extra });
  const value: unknown = errorData(error);
  const limit = param(error, 'limit');
  switch (error.keyword) {
    case 'required': {
      const missing = String(param(error, 'missingProperty'));
      return { path: kazooPath([...segments, missing]), code: 'required', message: 'Field is required but missing', extra: { value: missing } };
    }
    case 'additionalProperties': {
      const extraKey = String(param(error, 'additionalProperty'));
      return {
        path: kazooPath([...segments, extraKey]),
        code: 'additionalProperties',
        message: 'Strict checking of data is enabled; only include schema-defined properties',
        extra: { value },
      };
    }
    case 'type': {
      const types = typeNames(error);
      return at('type', `Value did not match type(s): ${types}`, { target: types, value });
    }
    case 'minLength':
      return at('minLength', `String must be at least ${String(limit)} characters`, { target: limit, cause: value, value });
    case 'maxLength':
      return at('maxLength', `String must not be more than ${String(limit)} characters`, { target: limit, cause: value, value });
    case 'minimum':
      return at('minimum', `Value must be at least ${String(limit)}`, { target: limit, value });
    case 'maximum':
      return at('maximum', `Value must be at most ${String(limit)}`, { target: limit, value });
    case 'enum':
      return at('enum', 'Value not found in enumerated list of values', { target: param(error, 'allowedValues'), value });
    case 'pattern': {
      const pattern = String(param(error, 'pattern'));
      return at('pattern', `Failed to match pattern '${pattern}'`, { target: pattern, value });
    }
    case 'minItems':
      return at('minItems', `The list must have at least ${String(limit)} items`, { target: limit, value });
    case 'maxItems':
      return at('maxItems', `The list is more than ${String(limit)} items`, { target: limit, value });
    case 'uniqueItems':
      return at('uniqueItems', 'List of items is not unique', { value });
    case 'format':
      return at('wrong_format', 'Field is not in the correct format', { value, format: param(error, 'format') });
    case 'oneOf':
      return at('not_one_schema_valid', 'Value must match exactly one of the allowed forms', { value });
    case 'anyOf':
      return at('any_schemas_not_valid', 'Value must match at least one of the allowed forms', { value });
    case MODULE_SCHEMAS_KEYWORD:
      return at('error', String(param(error, 'message')), { value: param(error, 'value') });
    default:
      return at(error.keyword, 'failed to validate', { value });
  }
}
