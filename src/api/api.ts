import type { FastifyInstance } from 'fastify';
import {
  callflowKind,
  deviceKind,
  mediaKind,
  resourceKind,
  userKind,
  type AccountService,
  type DocumentService,
  type MediaLibrary,
  type TokenService,
} from '../documents/index.ts';
import type { Clock, Logger } from '../lib/index.ts';
import { schemaNames, type DocumentStore } from '../store/index.ts';
import { buildHttpServer } from './http-server.ts';
import { buildOpenApi } from './openapi.ts';
import type { BucketSettings } from '../lib/index.ts';
import type { RouteSpec } from './request-context.ts';
import { accountRoutes } from './resources/accounts.ts';
import { authRoutes } from './resources/auth.ts';
import { crudRoutes } from './resources/crud.ts';
import { mediaRawRoutes } from './resources/media.ts';
import { openApiRoute } from './resources/openapi-route.ts';
import { uiSupportRoutes } from './resources/ui-support.ts';
import { websocketRoutes, type WebsocketDirectory } from './resources/websockets.ts';

/** Everything the crossbar API is built from. */
export interface ApiDeps {
  readonly store: DocumentStore;
  readonly docs: DocumentService;
  readonly accounts: AccountService;
  readonly tokens: TokenService;
  readonly media: MediaLibrary;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly version: string;
  readonly buckets?: BucketSettings;
  /** The WebSocket server, for GET /v2/websockets and the account session listings. */
  readonly websockets?: WebsocketDirectory;
  /** Routes of later layers' resources (channels, metaflows, ...). */
  readonly extraRoutes?: readonly RouteSpec[];
}

/** KAZOO's kz_buckets defaults: 100 tokens, 10 per second. */
export const DEFAULT_BUCKETS: BucketSettings = { capacity: 100, refillPerSecond: 10 };

/** The crossbar route table. */
export function crossbarRoutes(deps: ApiDeps): RouteSpec[] {
  return [
    ...authRoutes(deps),
    ...accountRoutes(deps.accounts, deps.docs),
    ...crudRoutes(userKind, deps.docs),
    ...crudRoutes(deviceKind, deps.docs),
    ...crudRoutes(callflowKind, deps.docs),
    ...crudRoutes(mediaKind, deps.docs),
    ...mediaRawRoutes(deps.docs, deps.media),
    ...crudRoutes(resourceKind, deps.docs),
    ...uiSupportRoutes(),
    ...(deps.websockets !== undefined ? websocketRoutes(deps.websockets) : []),
    ...(deps.extraRoutes ?? []),
  ];
}

/** Builds the crossbar HTTP server (not yet listening). */
export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  const routes = crossbarRoutes(deps);
  let openapi: object | undefined;
  const all: RouteSpec[] = [...routes, openApiRoute(() => (openapi ??= buildOpenApi(all, deps.version, schemaNames())))];
  return buildHttpServer({
    routes: all,
    auth: { tokens: deps.tokens, accounts: deps.accounts, store: deps.store },
    clock: deps.clock,
    logger: deps.logger,
    version: deps.version,
    buckets: deps.buckets ?? DEFAULT_BUCKETS,
  });
}
