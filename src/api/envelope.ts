import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import type { ApiError } from './api-error.ts';
import { RawJson } from './raw-json.ts';
import type { ApiRequest, ApiResult } from './request-context.ts';

/** Values every envelope carries. */
export interface EnvelopeBase {
  readonly requestId: string;
  readonly authToken: string | undefined;
  readonly authenticated: boolean;
  readonly version: string;
  readonly tokens?: { consumed: number; remaining: number };
  readonly now: Date;
}

/** base64url of md5(node name), as KAZOO's `node` key (§1.3). */
export const NODE_ID = createHash('md5').update(`switchboard@${hostname()}`).digest('base64url');

/** `YYYY-MM-DDTHH:MM:SSZ`. */
function isoSeconds(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

function common(base: EnvelopeBase): Record<string, unknown> {
  return {
    ...(base.authToken !== undefined ? { auth_token: base.authToken } : {}),
    ...(base.tokens !== undefined ? { tokens: base.tokens } : {}),
    request_id: base.requestId,
    node: NODE_ID,
    timestamp: isoSeconds(base.now),
    ...(base.authenticated ? { version: base.version } : {}),
  };
}

/** The success envelope (reference §1.3). */
export function successEnvelope(result: ApiResult, base: EnvelopeBase): Record<string, unknown> {
  const p = result.pagination;
  return {
    ...common(base),
    ...(result.authToken !== undefined ? { auth_token: result.authToken } : {}),
    data: result.data,
    ...(result.revision !== undefined ? { revision: result.revision } : {}),
    ...(p !== undefined
      ? {
          page_size: p.pageSize,
          ...(p.startKey !== undefined ? { start_key: p.startKey } : {}),
          ...(p.nextStartKey !== undefined ? { next_start_key: p.nextStartKey } : {}),
        }
      : {}),
    status: 'success',
  };
}

/** The error envelope (reference §1.4): `error` is the status as a string. */
export function errorEnvelope(error: ApiError, base: EnvelopeBase): Record<string, unknown> {
  return { ...common(base), data: error.data, error: String(error.status), message: error.message, status: 'error' };
}

/**
 * The envelope as the bytes sent: its JSON, indented when `pretty`. A {@link RawJson} `data` is
 * framed as is by the keys before and after it, so a large pre-serialised listing is neither
 * walked nor (usually) copied again; the text equals `JSON.stringify(body)`.
 */
export function envelopeBytes(body: Readonly<Record<string, unknown>>, pretty: boolean): Buffer {
  const data = body['data'];
  if (pretty || !(data instanceof RawJson)) return Buffer.from(JSON.stringify(body, null, pretty ? 2 : undefined), 'utf8');
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  let side = before;
  for (const [key, value] of Object.entries(body)) {
    if (key === 'data') side = after;
    else side[key] = value;
  }
  const head = JSON.stringify(before);
  const tail = JSON.stringify(after);
  return data.framed(
    Buffer.from(`${head.slice(0, -1)}${head.length > 2 ? ',' : ''}"data":`, 'utf8'),
    Buffer.from(`${tail.length > 2 ? ',' : ''}${tail.slice(1)}`, 'utf8'),
  );
}

/** True when the client asked for indented JSON (`X-Pretty-Print` or `pretty_print`). */
export function wantsPretty(req: Pick<ApiRequest, 'headers' | 'query' | 'envelope'>): boolean {
  return req.headers['x-pretty-print'] === 'true' || req.query['pretty_print'] === 'true' || req.envelope['pretty_print'] === true;
}
