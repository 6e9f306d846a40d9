import type { WriteMeta } from '../documents/index.ts';
import type { ApiRequest } from './request-context.ts';

/** The audit fields of a write made by this request. */
export function writeMeta(req: ApiRequest): WriteMeta {
  return {
    requestId: req.requestId,
    ...(req.auth !== undefined ? { authAccountId: req.auth.accountId } : {}),
    ...(req.auth?.ownerId !== undefined ? { authUserId: req.auth.ownerId } : {}),
  };
}

/** The revision the client says it edits: `If-Match` header or `_rev` in the data (optional). */
export function expectedRevision(req: ApiRequest): string | undefined {
  const header = req.headers['if-match'];
  if (header !== undefined && header !== '*') return header.replace(/^W\//, '').replace(/^"|"$/g, '');
  const rev = req.data['_rev'];
  return typeof rev === 'string' ? rev : undefined;
}
