// Validates documents against our schemas the way crossbar does (kazoo-reference §1.4, §1.10):
// all errors at once, defaults inserted, KAZOO's non-strict type fixing, KAZOO's error shape.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import formatsModule from 'ajv-formats';
import { catalog, UnknownSchemaError } from './catalog.ts';
import { coerceTypeErrors } from './coerce-types.ts';
import { pruneBranchErrors, toFailure, type ValidationFailure } from './kazoo-errors.ts';
import { moduleSchemasKeyword } from './module-data-keyword.ts';

/** Outcome of {@link validate}: a deep copy of the data with defaults inserted, or every failure found. */
export type ValidationResult = { readonly ok: true; readonly value: Record<string, unknown> } | { readonly ok: false; readonly errors: ValidationFailure[] };

/** Options of {@link validate}. */
export interface ValidateOptions {
  /**
   * KAZOO's `schema_strict_validation`. When false (KAZOO's default, and ours), a string such as
   * `"20"` where an integer is expected is converted instead of failing.
   */
  readonly strict?: boolean;
}

/** At most this many convert-and-revalidate rounds (one is enough in practice). */
const MAX_FIX_ROUNDS = 3;

let shared: Ajv | undefined;

/** The ajv instance holding every schema; created on first use, each schema compiled once. */
function instance(): Ajv {
  if (shared !== undefined) return shared;
  const schemas = catalog();
  const ajv: Ajv = new Ajv({
    allErrors: true,
    useDefaults: true,
    verbose: true,
    allowUnionTypes: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    logger: false,
    keywords: [moduleSchemasKeyword((id) => (schemas.has(id) ? ajv.getSchema(id) : undefined))],
  });
  formatsModule.default(ajv, { mode: 'fast', formats: ['email', 'uri', 'regex'] });
  for (const schema of schemas.values()) ajv.addSchema(structuredClone(schema) as object);
  shared = ajv;
  return ajv;
}

function compiled(schemaName: string): ValidateFunction {
  if (!catalog().has(schemaName)) throw new UnknownSchemaError(schemaName);
  const fn = instance().getSchema(schemaName);
  if (fn === undefined) throw new UnknownSchemaError(schemaName);
  return fn;
}

function run(fn: ValidateFunction, value: unknown): ErrorObject[] {
  return fn(value) ? [] : pruneBranchErrors(fn.errors ?? []);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Validates `data` (JSON data: objects, arrays, strings, numbers, booleans, null) against the schema
 * `schemaName`. The input is never modified. Throws {@link UnknownSchemaError} for an unknown name.
 */
export function validate(schemaName: string, data: unknown, options: ValidateOptions = {}): ValidationResult {
  const fn = compiled(schemaName);
  const value: unknown = structuredClone(data);
  let errors = run(fn, value);
  for (let round = 0; errors.length > 0 && options.strict !== true && round < MAX_FIX_ROUNDS; round += 1) {
    if (coerceTypeErrors(value, errors) === 0) break;
    errors = run(fn, value);
  }
  if (errors.length > 0) return { ok: false, errors: errors.map(toFailure) };
  if (!isPlainObject(value)) {
    return { ok: false, errors: [{ path: '', code: 'type', message: 'Value did not match type(s): object', extra: { target: 'object', value } }] };
  }
  return { ok: true, value };
}
