// The `x-module-schemas` keyword: KAZOO's `kazoo-validation` of flow nodes. A node's `data` is
// validated (defaults inserted) against `<prefix>.<module>`; an unknown module either fails with
// "unable to find <kind> schema for module X" (metaflows) or is accepted unchecked (callflows).
import type { ErrorObject, FuncKeywordDefinition, ValidateFunction } from 'ajv';
import type { DataValidationCxt } from 'ajv/dist/types/index.js';
import { MODULE_SCHEMAS_KEYWORD, type ModuleSchemasOption } from './json-schema.ts';
import { ORIGINAL_PARAM } from './kazoo-errors.ts';

/** Finds the compiled data validator of `<prefix>.<module>`, or undefined when we have none. */
export type ModuleValidatorLookup = (schemaId: string) => ValidateFunction | undefined;

interface KeywordFunction {
  (option: ModuleSchemasOption, node: unknown, parentSchema?: unknown, context?: DataValidationCxt): boolean;
  errors?: Partial<ErrorObject>[];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Stores an error's own schema and data where ajv will not overwrite them (the first keyword to do so wins). */
function keepOriginal(error: ErrorObject): ErrorObject {
  const params: Record<string, unknown> = error.params;
  if (params[ORIGINAL_PARAM] !== undefined) return error;
  return { ...error, params: { ...params, [ORIGINAL_PARAM]: { schema: error.schema, data: error.data } } };
}

/** The ajv definition of the keyword; `lookup` resolves module schemas (only for ids we own). */
export function moduleSchemasKeyword(lookup: ModuleValidatorLookup): FuncKeywordDefinition {
  const check: KeywordFunction = (option, node, _parentSchema, context) => {
    check.errors = undefined;
    if (!isPlainObject(node)) return true;
    const module = node['module'];
    if (typeof module !== 'string' || module === '') return true;
    const at = context?.instancePath ?? '';
    const validateData = lookup(`${option.prefix}.${module}`);
    if (validateData === undefined) {
      if (option.unknown === 'accept') return true;
      check.errors = [
        {
          instancePath: `${at}/module`,
          keyword: MODULE_SCHEMAS_KEYWORD,
          params: { message: `unable to find ${option.kind} schema for module ${module}`, value: module },
          message: `unknown ${option.kind} module`,
          data: module,
        },
      ];
      return false;
    }
    const data = node['data'];
    if (!isPlainObject(data)) return true;
    const dataContext: DataValidationCxt = {
      instancePath: `${at}/data`,
      parentData: node,
      parentDataProperty: 'data',
      rootData: context?.rootData ?? node,
      dynamicAnchors: context?.dynamicAnchors ?? {},
    };
    if (validateData(data, dataContext)) return true;
    check.errors = (validateData.errors ?? []).map(keepOriginal);
    return false;
  };
  return {
    keyword: MODULE_SCHEMAS_KEYWORD,
    type: 'object',
    schemaType: 'object',
    modifying: true,
    errors: true,
    validate: check as FuncKeywordDefinition['validate'],
  };
}
