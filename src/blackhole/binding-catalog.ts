import { CALL_EVENTS } from '../calls/index.ts';
import { OBJECT_ACTIONS, accountKind, callflowKind, deviceKind, mediaKind, resourceKind, userKind } from '../documents/index.ts';

/** The call events KAZOO's `bh_call` lets a client bind (kazoo-reference §5.4, `LISTEN_TO`). */
const KAZOO_CALL_BINDINGS = [
  'CHANNEL_CREATE',
  'CHANNEL_ANSWER',
  'CHANNEL_DESTROY',
  'CHANNEL_HOLD',
  'CHANNEL_UNHOLD',
  'CHANNEL_BRIDGE',
  'PARK_PARKED',
  'PARK_RETRIEVED',
  'PARK_ABANDONED',
] as const;

/** `doc_created`, `doc_edited`, `doc_deleted`: the object event actions (reference §5.5). */
export const OBJECT_EVENT_ACTIONS: readonly string[] = Object.values(OBJECT_ACTIONS);

/** The stored document types that publish object events today. */
export const DEFAULT_OBJECT_TYPES: readonly string[] = [accountKind, callflowKind, deviceKind, mediaKind, userKind, resourceKind].map((k) => k.type);

/** What a client may bind: only what the server really emits is advertised and accepted. */
export interface BindingCatalog {
  /** Call event names, in KAZOO's order. */
  readonly callEvents: readonly string[];
  /** `pvt_type`s whose changes are published as object events. */
  readonly objectTypes: readonly string[];
}

/**
 * The `GET /v2/websockets` body: binding strings with KAZOO's placeholders (reference §5.6). A type
 * alias, not an interface, so it fits the api layer's Record-typed `WebsocketDirectory`.
 */
export type AdvertisedBindings = {
  readonly call: readonly string[];
  readonly object: readonly string[];
};

/** The catalog for the object types given (the default: every type the store publishes). */
export function bindingCatalog(objectTypes: readonly string[] = DEFAULT_OBJECT_TYPES): BindingCatalog {
  const published = new Set<string>(CALL_EVENTS);
  return {
    callEvents: KAZOO_CALL_BINDINGS.filter((e) => published.has(e)),
    objectTypes: [...new Set(objectTypes)],
  };
}

/** The advertised list, as KAZOO's modules write it into `blackhole.bindings` (action-major for objects). */
export function advertisedBindings(catalog: BindingCatalog): AdvertisedBindings {
  return {
    call: catalog.callEvents.map((e) => `call.${e}.{CALL_ID}`),
    object: OBJECT_EVENT_ACTIONS.flatMap((action) => catalog.objectTypes.map((type) => `object.${action}.${type}`)),
  };
}
