import { SwitchboardError } from '../lib/index.ts';

/**
 * An error answered with KAZOO's error envelope (reference §1.4): HTTP status, the short `message`,
 * and `data`. Build them with the factories in {@link errors}; {@link toApiError} maps everything
 * else in one place.
 */
export class ApiError extends SwitchboardError {
  readonly status: number;
  readonly data: unknown;
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, message: string, data: unknown, options: { headers?: Record<string, string>; cause?: unknown } = {}) {
    super(`http_${status}`, message, { cause: options.cause });
    this.status = status;
    this.data = data;
    this.headers = options.headers ?? {};
  }
}

/** A KAZOO "system error": `message` is the atom, `data.message` the human text (§1.4). */
function system(status: number, atom: string, text: string, extra: Record<string, unknown> = {}): ApiError {
  return new ApiError(status, atom, { message: text, ...extra });
}

/** The canned and system errors of reference §1.4, named as KAZOO names them. */
export const errors = {
  /** No token at all. */
  noCredentials: () => system(401, 'invalid_credentials', 'invalid credentials'),
  /** Unknown, expired or forged token; bad login. */
  invalidCredentials: () => new ApiError(401, 'invalid credentials', {}),
  /** A token that is well-formed but expired; same shape as invalidCredentials (KAZOO sends one shape). */
  forbidden: () => system(403, 'forbidden', 'forbidden'),
  /** An unknown id of a stored doc (system error with `cause`). */
  badIdentifier: (id: string) => system(404, 'bad_identifier', 'bad identifier', { cause: id }),
  /** The canned form used by channels and api_auth: `data` is an array of ids. */
  badIdentifierList: (id: string) => new ApiError(404, 'bad identifier', [id]),
  notFound: () => system(404, 'not_found', 'not found'),
  invalidAccountId: (id: string) => system(404, 'bad_identifier', `invalid account_id '${id}'`, { cause: id }),
  invalidMethod: (allow: readonly string[]) =>
    new ApiError(405, 'invalid_method', { message: 'method not allowed' }, { headers: { allow: allow.join(', ') } }),
  conflict: () => system(409, 'datastore_conflict', 'conflicting documents'),
  preconditionFailed: () => system(412, 'precondition_failed', 'revision does not match'),
  tooLarge: () => system(413, 'request_entity_too_large', 'request entity too large'),
  unsupportedMedia: (detail: string) => system(415, 'unsupported_media_type', detail),
  tooManyRequests: () => system(429, 'too_many_requests', 'too many requests'),
  parseError: (detail?: string) => system(400, 'parse_error', 'failed to parse request body', detail !== undefined ? { cause: detail } : {}),
  invalidData: (data: unknown = {}) => new ApiError(400, 'invalid data', data),
  /** `data` keyed by dotted path → rule → {message, ...} (§1.4). */
  validation: (data: Record<string, Record<string, unknown>>) => new ApiError(400, 'validation error', data),
  badRequest: (message: string, data: unknown = {}) => new ApiError(400, message, data),
  datastoreUnavailable: () => system(503, 'datastore_unreachable', 'datastore timeout'),
  internal: () => new ApiError(500, 'unknown failure', {}),
} as const;

/** A single-field validation error body. */
export function fieldError(path: string, code: string, message: string, extra: Record<string, unknown> = {}): ApiError {
  return errors.validation({ [path]: { [code]: { message, ...extra } } });
}
