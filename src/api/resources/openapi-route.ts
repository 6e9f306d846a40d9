import type { RouteSpec } from '../request-context.ts';

/** `GET /v2/openapi.json`: the document is built once the route table is complete. */
export function openApiRoute(document: () => object): RouteSpec {
  return {
    path: '/v2/openapi.json',
    tag: 'meta',
    auth: 'public',
    methods: {
      GET: {
        summary: 'This OpenAPI document',
        handler: async () => ({ data: null, raw: { contentType: 'application/json', body: Buffer.from(JSON.stringify(document())) } }),
      },
    },
  };
}
