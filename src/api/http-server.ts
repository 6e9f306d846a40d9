import cors from '@fastify/cors';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { newUuid, RateBuckets, type BucketSettings, type Clock, type Logger } from '../lib/index.ts';
import type { Doc } from '../store/index.ts';
import { ApiError, errors } from './api-error.ts';
import { authenticate, extractToken, type AuthDeps } from './authenticate.ts';
import { envelopeBytes, errorEnvelope, successEnvelope, wantsPretty, type EnvelopeBase } from './envelope.ts';
import { toApiError } from './error-mapping.ts';

import { HTTP_METHODS, type ApiRequest, type ApiResult, type HttpMethod, type RouteSpec } from './request-context.ts';

export interface HttpServerOptions {
  readonly routes: readonly RouteSpec[];
  readonly auth: AuthDeps;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly version: string;
  readonly buckets: BucketSettings;
  /** Largest JSON body (default 1 MiB); larger → 413. */
  readonly jsonBodyLimit?: number;
}

/** Bucket cost of requests without a valid token, per path (KAZOO charges 35 for a login). */
const LOGIN_COST = 35;
const LOGIN_PATHS = new Set(['/v2/user_auth', '/v2/api_auth']);

/** CORS as KAZOO answers it: any origin, its request headers, its exposed headers (monster-ui). */
const CORS = {
  origin: '*',
  methods: ['GET', 'PUT', 'POST', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'],
  allowedHeaders: [
    'Content-Type', 'Depth', 'User-Agent', 'X-Http-Method-Override', 'X-File-Size', 'X-Requested-With',
    'If-Modified-Since', 'X-File-Name', 'Cache-Control', 'X-Auth-Token', 'If-Match', 'X-Request-ID',
    'X-Pretty-Print', 'Accept', 'Authorization', 'X-Auth-Account-ID',
  ],
  exposedHeaders: ['Content-Type', 'X-Auth-Token', 'X-Request-ID', 'Location', 'Etag', 'ETag', 'Allow'],
  maxAge: 86400,
};

/**
 * Builds the crossbar HTTP server (Fastify): KAZOO envelopes, one error mapping, verb tunnelling,
 * 405 with `Allow`, token auth and authz, rate buckets. Nothing listens until `listen` is called.
 */
export async function buildHttpServer(options: HttpServerOptions): Promise<FastifyInstance> {
  const jsonLimit = options.jsonBodyLimit ?? 1024 * 1024;
  const buckets = new RateBuckets(options.buckets, options.clock);
  const app = Fastify({ logger: false, bodyLimit: jsonLimit, return503OnClosing: true, forceCloseConnections: true });

  // Bodies are parsed by the dispatcher so a bad one still gets KAZOO's envelope and request id.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  await app.register(cors, CORS);

  const base = (req: FastifyRequest, partial: Partial<EnvelopeBase> = {}): EnvelopeBase => ({
    requestId: requestIdOf(req),
    authToken: undefined,
    authenticated: false,
    version: options.version,
    now: new Date(options.clock.now()),
    ...partial,
  });

  const sendError = (reply: FastifyReply, error: ApiError, env: EnvelopeBase, pretty: boolean): void => {
    if (error.status >= 500) options.logger.error({ err: error.cause ?? error, requestId: env.requestId }, 'request failed');
    for (const [k, v] of Object.entries(error.headers)) reply.header(k, v);
    send(reply, error.status, errorEnvelope(error, env), env.requestId, pretty);
  };

  for (const spec of options.routes) {
    const allowed = HTTP_METHODS.filter((m) => spec.methods[m] !== undefined);
    const rawLimit = Math.max(0, ...Object.values(spec.methods).map((m) => m?.rawBodyLimit ?? 0));
    app.route({
      method: [...HTTP_METHODS],
      url: spec.path,
      bodyLimit: Math.max(jsonLimit, rawLimit),
      handler: async (request, reply) => {
        let req: ApiRequest | undefined;
        let pretty = false;
        try {
          req = toApiRequest(request);
          pretty = wantsPretty(req);
          const method = spec.methods[req.method];
          if (method === undefined) throw errors.invalidMethod(allowed);
          const raw = request.body instanceof Buffer ? request.body : undefined;
          if (raw !== undefined && raw.length > jsonLimit && method.rawBodyLimit === undefined) throw errors.tooLarge();
          const hadToken = extractToken(req) !== undefined;
          await authenticate(req, spec.auth, options.auth);
          let tokens: EnvelopeBase['tokens'];
          if (req.auth === undefined) {
            const client = req.clientIp;
            const cost = LOGIN_PATHS.has(spec.path) ? LOGIN_COST : 1;
            if (!buckets.consume(client, cost)) throw errors.tooManyRequests();
            tokens = { consumed: cost, remaining: buckets.remaining(client) };
          }
          const result: ApiResult = await method.handler(req);
          if (result.raw !== undefined) {
            reply.header('x-request-id', req.requestId);
            for (const [k, v] of Object.entries(result.headers ?? {})) reply.header(k, v);
            reply.code(result.status ?? 200).header('content-type', result.raw.contentType).send(result.raw.body);
            return reply;
          }
          const env = base(request, {
            authToken: req.auth?.token ?? (hadToken ? extractToken(req) : undefined),
            authenticated: req.auth !== undefined,
            ...(tokens !== undefined ? { tokens } : {}),
          });
          for (const [k, v] of Object.entries(result.headers ?? {})) reply.header(k, v);
          if (result.revision !== undefined) reply.header('etag', `"${result.revision}"`);
          send(reply, result.status ?? 200, successEnvelope(result, env), env.requestId, pretty);
        } catch (error) {
          sendError(reply, toApiError(error), base(request, { authToken: req?.auth?.token, authenticated: req?.auth !== undefined }), pretty);
        }
        return reply;
      },
    });
  }

  app.setNotFoundHandler((request, reply) => {
    sendError(reply, errors.notFound(), base(request), false);
  });
  app.setErrorHandler((error, request, reply) => {
    sendError(reply, toApiError(error), base(request), false);
  });
  return app;
}

function send(reply: FastifyReply, status: number, body: Record<string, unknown>, requestId: string, pretty: boolean): void {
  // Exactly `application/json`: monster-ui cannot read an error body with a charset suffix.
  reply
    .code(status)
    .header('content-type', 'application/json')
    .header('x-request-id', requestId)
    .send(envelopeBytes(body, pretty));
}

function requestIdOf(req: FastifyRequest): string {
  const given = req.headers['x-request-id'];
  const id = (req as FastifyRequest & { sbRequestId?: string }).sbRequestId;
  if (id !== undefined) return id;
  const chosen = typeof given === 'string' && given !== '' ? given : newUuid();
  (req as FastifyRequest & { sbRequestId?: string }).sbRequestId = chosen;
  return chosen;
}

function single(value: unknown): string | undefined {
  if (Array.isArray(value)) return single(value.at(-1));
  return typeof value === 'string' ? value : undefined;
}

/** Parses query, body and verb tunnelling into an {@link ApiRequest} (throws 400 `parse_error`). */
function toApiRequest(request: FastifyRequest): ApiRequest {
  const query: Record<string, string> = {};
  for (const [k, v] of Object.entries((request.query ?? {}) as Record<string, unknown>)) {
    const s = single(v);
    if (s !== undefined && k !== '_') query[k] = s;
  }
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(request.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  const contentType = headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  const body = request.body instanceof Buffer ? request.body : undefined;
  let envelope: Doc = {};
  let rawBody: Buffer | undefined;
  if (body !== undefined && body.length > 0) {
    const looksJson = contentType === undefined || contentType === 'application/json' || contentType.endsWith('+json') || contentType === 'text/plain';
    if (looksJson) envelope = parseEnvelope(body);
    else rawBody = body;
  }
  const data = typeof envelope['data'] === 'object' && envelope['data'] !== null && !Array.isArray(envelope['data']) ? (envelope['data'] as Doc) : {};
  let method = request.method.toUpperCase() as HttpMethod;
  const verb = (query['verb'] ?? (typeof envelope['verb'] === 'string' ? envelope['verb'] : undefined))?.toUpperCase();
  if (method === 'POST' && verb !== undefined && (HTTP_METHODS as readonly string[]).includes(verb)) method = verb as HttpMethod;
  const path = request.url.split('?')[0] ?? request.url;
  return {
    method,
    path: path.replace(/\/+$/, '') || '/',
    params: (request.params ?? {}) as Record<string, string>,
    query,
    envelope,
    data,
    rawBody,
    contentType,
    headers,
    requestId: requestIdOf(request),
    clientIp: request.ip,
    auth: undefined,
    account: undefined,
  };
}

function parseEnvelope(body: Buffer): Doc {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw errors.parseError(error instanceof Error ? error.message : undefined);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw errors.parseError('the request body must be a JSON object');
  return parsed as Doc;
}
