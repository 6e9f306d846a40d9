import { getSchema } from '../store/index.ts';
import { HTTP_METHODS, type RouteSpec } from './request-context.ts';

/** KAZOO's success envelope around a `data` schema. */
function envelopeOf(data: object): object {
  return {
    type: 'object',
    required: ['status', 'data', 'request_id'],
    properties: {
      status: { type: 'string', enum: ['success'] },
      data,
      request_id: { type: 'string' },
      revision: { type: 'string' },
      auth_token: { type: 'string' },
      page_size: { type: 'integer' },
      start_key: { type: 'string' },
      next_start_key: { type: 'string' },
      node: { type: 'string' },
      timestamp: { type: 'string' },
      version: { type: 'string' },
    },
  };
}

const ERROR_ENVELOPE = {
  type: 'object',
  required: ['status', 'error', 'message', 'data'],
  properties: {
    status: { type: 'string', enum: ['error'] },
    error: { type: 'string', description: 'HTTP status as a string' },
    message: { type: 'string' },
    data: {},
    request_id: { type: 'string' },
  },
};

/** Strips keys OpenAPI 3.0 schema objects do not take (`$id`, `$schema`) and rewrites `$ref`s. */
function openApiSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(openApiSchema);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === '$id' || k === '$schema') continue;
    if (k === '$ref' && typeof v === 'string' && !v.startsWith('#')) {
      out[k] = `#/components/schemas/${v.replace(/#.*$/, '')}`;
      continue;
    }
    out[k] = openApiSchema(v);
  }
  return out;
}

/**
 * The OpenAPI 3 document of every route, built from the same route table and JSON schemas that
 * serve and validate the requests (`GET /v2/openapi.json`).
 */
export function buildOpenApi(routes: readonly RouteSpec[], version: string, schemaNames: readonly string[]): object {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:([a-z_]+)/g, '{$1}');
    const params = [...route.path.matchAll(/:([a-z_]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const item: Record<string, unknown> = {};
    for (const method of HTTP_METHODS) {
      const spec = route.methods[method];
      if (spec === undefined) continue;
      const data = spec.dataSchema === undefined ? {} : typeof spec.dataSchema === 'string' ? { $ref: `#/components/schemas/${spec.dataSchema}` } : openApiSchema(spec.dataSchema);
      const ok = String(spec.successStatus ?? 200);
      item[method.toLowerCase()] = {
        tags: [route.tag],
        summary: spec.summary,
        operationId: `${method.toLowerCase()}${route.path.replace(/[/:_]+([a-z])/g, (_m, c: string) => c.toUpperCase())}`,
        ...(route.auth === 'public' ? { security: [] } : {}),
        ...(params.length > 0 ? { parameters: params } : {}),
        ...(spec.rawBodyLimit !== undefined
          ? { requestBody: { content: { 'audio/wav': { schema: { type: 'string', format: 'binary' } } } } }
          : spec.dataSchema !== undefined
            ? { requestBody: { content: { 'application/json': { schema: { type: 'object', required: ['data'], properties: { data } } } } } }
            : {}),
        responses: {
          [ok]: { description: 'success', content: { 'application/json': { schema: envelopeOf({}) } } },
          default: { description: 'KAZOO error envelope', content: { 'application/json': { schema: { $ref: '#/components/schemas/error_envelope' } } } },
        },
      };
    }
    paths[path] = item;
  }
  const schemas: Record<string, unknown> = { error_envelope: ERROR_ENVELOPE };
  for (const name of schemaNames) schemas[name] = openApiSchema(getSchema(name));
  return {
    openapi: '3.0.3',
    info: { title: 'Switchboard crossbar API', version, description: 'KAZOO-compatible REST API (crossbar v2 conventions).' },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: { authToken: { type: 'apiKey', in: 'header', name: 'X-Auth-Token' } },
      schemas,
    },
    security: [{ authToken: [] }],
    paths,
  };
}
