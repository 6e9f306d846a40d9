import { publicFields, type DocKind, type DocumentService } from '../../documents/index.ts';
import type { StoredDoc } from '../../store/index.ts';
import { errors } from '../api-error.ts';
import { listOptions, listResult } from '../listing.ts';
import type { ApiRequest, ApiResult, MethodSpec, RouteSpec } from '../request-context.ts';
import { expectedRevision, writeMeta } from '../write-meta.ts';

/** The URL's account doc (set by the auth stage on every `/accounts/{A}/...` route). */
export function accountOf(req: ApiRequest): StoredDoc {
  if (req.account === undefined) throw errors.notFound();
  return req.account;
}

/** A doc's API view with its revision. */
export function docResult(doc: StoredDoc, status = 200): ApiResult {
  return { status, data: publicFields(doc), revision: doc._rev };
}

/** Users below admin may only change their own user doc (and never their priv_level). */
export function requireWriter(req: ApiRequest, kind: DocKind, id: string | undefined): void {
  const auth = req.auth;
  if (auth === undefined || auth.isAdmin || auth.isSuperduperAdmin) return;
  if (kind.type === 'user' && id !== undefined && id === auth.ownerId && req.data['priv_level'] === undefined) return;
  throw errors.forbidden();
}

/** Options of a CRUD resource. */
export interface CrudOptions {
  /** Extra verbs or overrides on the entity route (e.g. media's raw upload lives elsewhere). */
  readonly entityExtras?: Partial<Record<'GET' | 'POST' | 'PATCH' | 'DELETE', MethodSpec>>;
}

/**
 * The two routes of an account-scoped document type: collection (GET summary, PUT create) and
 * entity (GET, POST replace, PATCH merge, DELETE soft delete), with KAZOO's status codes
 * (list 200, PUT 201, the rest 200).
 */
export function crudRoutes(kind: DocKind, docs: DocumentService, options: CrudOptions = {}): RouteSpec[] {
  const idParam = `${kind.noun === 'media' ? 'media' : kind.type}_id`;
  const base = `/v2/accounts/:account_id/${kind.noun}`;
  const entityId = (req: ApiRequest): string => req.params[idParam] ?? '';
  return [
    {
      path: base,
      tag: kind.noun,
      auth: 'required',
      methods: {
        GET: {
          summary: `List the account's ${kind.noun}`,
          handler: async (req) => {
            const query = listOptions(req);
            const page = await docs.list(kind, accountOf(req)._id, query);
            return listResult(page, page.docs.map((d) => kind.summary(d)), query.pageSize !== null);
          },
        },
        PUT: {
          summary: `Create a ${kind.type}`,
          dataSchema: kind.schema,
          successStatus: 201,
          handler: async (req) => {
            requireWriter(req, kind, undefined);
            const doc = await docs.create(kind, accountOf(req), req.data, writeMeta(req));
            return { ...docResult(doc, 201), headers: { location: `${base.replace(':account_id', accountOf(req)._id)}/${doc._id}` } };
          },
        },
      },
    },
    {
      path: `${base}/:${idParam}`,
      tag: kind.noun,
      auth: 'required',
      methods: {
        GET: {
          summary: `Read a ${kind.type}`,
          handler: async (req) => docResult(await docs.get(kind, accountOf(req)._id, entityId(req))),
        },
        POST: {
          summary: `Replace a ${kind.type}`,
          dataSchema: kind.schema,
          handler: async (req) => {
            requireWriter(req, kind, entityId(req));
            return docResult(await docs.replace(kind, accountOf(req), entityId(req), req.data, writeMeta(req), expectedRevision(req)));
          },
        },
        PATCH: {
          summary: `Change some fields of a ${kind.type}`,
          handler: async (req) => {
            requireWriter(req, kind, entityId(req));
            return docResult(await docs.patch(kind, accountOf(req), entityId(req), req.data, writeMeta(req), expectedRevision(req)));
          },
        },
        DELETE: {
          summary: `Delete a ${kind.type}`,
          handler: async (req) => {
            requireWriter(req, kind, entityId(req));
            const doc = await docs.remove(kind, accountOf(req)._id, entityId(req), expectedRevision(req));
            return { data: { ...publicFields(doc), _read_only: { deleted: true } }, revision: doc._rev };
          },
        },
        ...options.entityExtras,
      },
    },
  ];
}
