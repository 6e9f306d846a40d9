// Public API of Switchboard's document schemas: the schemas themselves (for the store, the REST
// routes and the OpenAPI document) and the validator that reports failures in KAZOO's shape.
export { getSchema, hasSchema, schemaNames, UnknownSchemaError } from './catalog.ts';
export { validate, type ValidateOptions, type ValidationResult } from './validator.ts';
export { toKazooValidationData, type ValidationFailure } from './kazoo-errors.ts';
export { MODULE_SCHEMAS_KEYWORD, type JsonSchema, type JsonType, type JsonValue, type ModuleSchemasOption } from './json-schema.ts';
