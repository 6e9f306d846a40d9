// Every schema we own, by `$id`. Schemas reference each other by these ids (`{"$ref": "caller_id"}`).
import { SwitchboardError } from '../../lib/index.ts';
import type { JsonSchema } from './json-schema.ts';
import { accounts } from './defs/accounts.ts';
import { apiAuth, userAuth } from './defs/auth.ts';
import {
  callflowAction, callflowDevice, callflowOffnet, callflowPark, callflowPlay, callflowRecordCall, callflowResources,
  callflowResponse, callflowRingGroup, callflowUser, callflows,
} from './defs/callflows.ts';
import { clicktocall } from './defs/clicktocall.ts';
import { comboKey, devices } from './defs/devices.ts';
import { media } from './defs/media.ts';
import { metaflowModules } from './defs/metaflow-modules.ts';
import { metaflow, metaflows } from './defs/metaflows.ts';
import { resources } from './defs/resources.ts';
import {
  callerId, callRecording, callRecordingParameters, callRecordingSource, callWaiting, customSipHeaders, dialplans,
  endpointMedia, formatOptions, formatters, notifyCallback, profile,
} from './defs/shared.ts';
import { users } from './defs/users.ts';

const ALL: readonly JsonSchema[] = [
  accounts, users, devices, comboKey, callflows, callflowAction, callflowDevice, callflowUser, callflowRingGroup,
  callflowPark, callflowPlay, callflowOffnet, callflowResources, callflowRecordCall, callflowResponse, media, resources,
  metaflows, metaflow, ...metaflowModules, clicktocall, userAuth, apiAuth, callerId, callWaiting, customSipHeaders,
  callRecording, callRecordingSource, callRecordingParameters, endpointMedia, formatters, formatOptions, dialplans,
  profile, notifyCallback,
];

/** Thrown by {@link getSchema} for a name we have no schema for. */
export class UnknownSchemaError extends SwitchboardError {
  constructor(name: string) {
    super('unknown_schema', `no schema named '${name}'`);
  }
}

let byId: ReadonlyMap<string, JsonSchema> | undefined;

/** The catalog keyed by `$id`, built on first use. */
export function catalog(): ReadonlyMap<string, JsonSchema> {
  if (byId === undefined) {
    const map = new Map<string, JsonSchema>();
    for (const schema of ALL) {
      const id = schema.$id;
      if (id === undefined || map.has(id)) throw new Error(`schema catalog: missing or duplicate $id ${String(id)}`);
      map.set(id, schema);
    }
    byId = map;
  }
  return byId;
}

/** Names (`$id`s) of all our schemas, sorted. */
export function schemaNames(): string[] {
  return [...catalog().keys()].sort();
}

/** A deep copy of the named schema (safe to hand to Fastify or an OpenAPI generator). */
export function getSchema(name: string): JsonSchema {
  const schema = catalog().get(name);
  if (schema === undefined) throw new UnknownSchemaError(name);
  return structuredClone(schema);
}

/** True when we have a schema of that name. */
export function hasSchema(name: string): boolean {
  return catalog().has(name);
}
