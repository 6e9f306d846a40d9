// The JSON-Schema (draft-07) subset our document schemas use, and the small builders that keep the
// schema files short. Field names, types, enums, defaults and limits follow KAZOO's crossbar schemas
// (checked by parity.test.ts); the structure and descriptions are ours.

/** A JSON value as it appears in a schema's `default` or `enum`. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** The primitive type names of JSON Schema. */
export type JsonType = 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array' | 'null';

/**
 * Our extension keyword: validate a flow node's `data` against the schema `<prefix>.<module>`
 * (KAZOO's `kazoo-validation` on `metaflow.data` / `callflows.action.data`). With `unknown: 'error'`
 * a module without a schema fails as KAZOO's "unable to find <kind> schema for module X".
 */
export interface ModuleSchemasOption {
  readonly prefix: string;
  readonly kind: string;
  readonly unknown: 'error' | 'accept';
}

/** Name of the extension keyword carrying a {@link ModuleSchemasOption}. */
export const MODULE_SCHEMAS_KEYWORD = 'x-module-schemas';

/** One JSON-Schema node. */
export interface JsonSchema {
  readonly $id?: string;
  readonly $ref?: string;
  readonly description?: string;
  readonly type?: JsonType | readonly JsonType[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly patternProperties?: Readonly<Record<string, JsonSchema>>;
  readonly additionalProperties?: boolean | JsonSchema;
  readonly required?: readonly string[];
  readonly items?: JsonSchema;
  readonly enum?: readonly JsonValue[];
  readonly default?: JsonValue;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly format?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly uniqueItems?: boolean;
  readonly oneOf?: readonly JsonSchema[];
  readonly anyOf?: readonly JsonSchema[];
  readonly [MODULE_SCHEMAS_KEYWORD]?: ModuleSchemasOption;
}

/** Extra keywords a builder may add to the node it makes. */
type Extra = Omit<JsonSchema, 'type' | 'description'>;
type Props = Readonly<Record<string, JsonSchema>>;

/** A string property. */
export function str(description: string, extra: Extra = {}): JsonSchema {
  return { type: 'string', description, ...extra };
}

/** A string property restricted to `values`, with an optional default. */
export function choice(description: string, values: readonly string[], def?: string): JsonSchema {
  return def === undefined ? { type: 'string', description, enum: values } : { type: 'string', description, enum: values, default: def };
}

/** An integer property. */
export function int(description: string, extra: Extra = {}): JsonSchema {
  return { type: 'integer', description, ...extra };
}

/** A number (integer or float) property. */
export function num(description: string, extra: Extra = {}): JsonSchema {
  return { type: 'number', description, ...extra };
}

/** A boolean property, with an optional default. */
export function bool(description: string, def?: boolean): JsonSchema {
  return def === undefined ? { type: 'boolean', description } : { type: 'boolean', description, default: def };
}

/** An object property with the given member properties. */
export function obj(description: string, properties: Props = {}, extra: Extra = {}): JsonSchema {
  return { type: 'object', description, properties, ...extra };
}

/** An array property whose elements match `items`. */
export function arr(description: string, items: JsonSchema, extra: Extra = {}): JsonSchema {
  return { type: 'array', description, items, ...extra };
}

/** An array of strings. */
export function strings(description: string, extra: Extra = {}): JsonSchema {
  return arr(description, { type: 'string' }, extra);
}

/** A reference to another of our schemas by its `$id`. */
export function ref(id: string, description?: string): JsonSchema {
  return description === undefined ? { $ref: id } : { $ref: id, description };
}

/** Every schema accepts this key: monster-ui adds `{version, ui, origin}` to every document it writes. */
export const UI_METADATA: JsonSchema = { type: 'object', description: 'Bookkeeping added by the web UI on every write' };

/**
 * A named top-level schema: an object schema with `$id`, whose properties always include
 * `ui_metadata` (so it is accepted even with `additionalProperties: false`).
 */
export function named(id: string, description: string, properties: Props, extra: Omit<Extra, '$id' | 'properties'> = {}): JsonSchema {
  return { $id: id, type: 'object', description, properties: { ...properties, ui_metadata: UI_METADATA }, ...extra };
}

/** Custom SIP headers, either flat or split by direction (`in` / `out`), as devices, gateways and flows take them. */
export function customSipHeaders(description: string): JsonSchema {
  return {
    type: 'object',
    description,
    anyOf: [
      ref('custom_sip_headers'),
      { properties: { in: ref('custom_sip_headers', 'Headers for calls arriving from the endpoint'), out: ref('custom_sip_headers', 'Headers for calls sent to the endpoint') } },
    ],
  };
}

/** `bypass_media`: a boolean, or one of the legacy strings `auto`, `false`, `true`. */
export function bypassMedia(description: string): JsonSchema {
  return { description, oneOf: [{ type: 'boolean' }, { type: 'string', enum: ['auto', 'false', 'true'] }] };
}

/** The twelve DTMF keys in KAZOO's usual order (used for defaults of terminator lists). */
export const DTMF_TERMINATORS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'] as const;
