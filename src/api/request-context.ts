import type { Doc } from '../store/index.ts';
import type { StoredDoc } from '../store/index.ts';
import type { RawJson } from './raw-json.ts';

export const HTTP_METHODS = ['GET', 'PUT', 'POST', 'PATCH', 'DELETE'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** Who made the request, once a token has been checked. */
export interface AuthInfo {
  readonly token: string;
  readonly accountId: string;
  readonly ownerId: string | undefined;
  readonly method: string;
  readonly account: StoredDoc;
  readonly isSuperduperAdmin: boolean;
  /** API-key tokens and users with `priv_level: admin`. */
  readonly isAdmin: boolean;
  readonly expiresAt: number;
}

/** One crossbar request after parsing, tunnelling and authentication. */
export interface ApiRequest {
  readonly method: HttpMethod;
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  /** Query string, single values (the last wins), cache-buster `_` removed. */
  readonly query: Readonly<Record<string, string>>;
  /** The whole JSON request envelope (`{}` when there is no body). */
  readonly envelope: Doc;
  /** The envelope's `data` (`{}` when absent). */
  readonly data: Doc;
  /** The raw body when the route takes binary uploads. */
  readonly rawBody: Buffer | undefined;
  readonly contentType: string | undefined;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly requestId: string;
  readonly clientIp: string;
  auth: AuthInfo | undefined;
  /** The URL's account doc, loaded by the auth stage when the path names one. */
  account: StoredDoc | undefined;
}

/** `req_value` (reference §1.2): data, then the query string, then the envelope. */
export function reqValue(req: ApiRequest, key: string): unknown {
  if (req.data[key] !== undefined) return req.data[key];
  if (req.query[key] !== undefined) return req.query[key];
  return req.envelope[key];
}

/** What a handler returns; the server wraps it in the success envelope. */
export interface ApiResult {
  readonly status?: number;
  /** The envelope's `data`: a JSON value, or a {@link RawJson} already serialised (large listings). */
  readonly data: unknown;
  readonly revision?: string;
  readonly pagination?: { readonly pageSize: number; readonly startKey?: string; readonly nextStartKey?: string };
  readonly headers?: Readonly<Record<string, string>>;
  /** A binary answer (media download) sent as-is instead of an envelope. */
  readonly raw?: { readonly contentType: string; readonly body: Buffer };
  /** A top-level `auth_token` to put in the envelope (user_auth, api_auth). */
  readonly authToken?: string;
}

export type Handler = (req: ApiRequest) => Promise<ApiResult>;

/** One verb of one route. */
export interface MethodSpec {
  readonly handler: Handler;
  readonly summary: string;
  /** Our JSON schema of the envelope's `data`, for the OpenAPI document. */
  readonly dataSchema?: string | object;
  /** The route accepts a binary body (media upload) of up to this many bytes. */
  readonly rawBodyLimit?: number;
  /** Successful status for the OpenAPI document (default 200). */
  readonly successStatus?: number;
}

/** Authentication needed by a route. */
export type AuthMode = 'required' | 'public' | 'optional';

/** A crossbar route: a Fastify path pattern and its verbs. */
export interface RouteSpec {
  /** e.g. `/v2/accounts/:account_id/users/:user_id`. */
  readonly path: string;
  readonly tag: string;
  readonly auth: AuthMode;
  readonly methods: Partial<Record<HttpMethod, MethodSpec>>;
}
