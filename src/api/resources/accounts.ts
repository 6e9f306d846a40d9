import { accountKind, publicFields, type AccountService, type DocumentService } from '../../documents/index.ts';
import type { StoredDoc } from '../../store/index.ts';
import { errors } from '../api-error.ts';
import type { ApiRequest, RouteSpec } from '../request-context.ts';
import { expectedRevision, writeMeta } from '../write-meta.ts';
import { accountOf, docResult } from './crud.ts';

function requireAdmin(req: ApiRequest): void {
  if (req.auth !== undefined && !req.auth.isAdmin && !req.auth.isSuperduperAdmin) throw errors.forbidden();
}

/** The account view: public fields (KAZOO adds no tree to the doc; `/parents`, `/children` list it). */
function accountView(doc: StoredDoc): Record<string, unknown> {
  return publicFields(doc);
}

/** Accounts (`cb_accounts`): the tree, create under a parent, children/descendants/parents, api_key. */
export function accountRoutes(accounts: AccountService, docs: DocumentService): RouteSpec[] {
  const create = async (req: ApiRequest, parent: StoredDoc | undefined) => {
    requireAdmin(req);
    const doc = await accounts.create(req.data, parent, writeMeta(req));
    return { ...docResult(doc, 201), data: accountView(doc) };
  };
  const listing = (pick: (id: string) => Promise<StoredDoc[]>) => async (req: ApiRequest) => ({
    data: (await pick(accountOf(req)._id)).map((d) => accountKind.summary(d)),
  });
  return [
    {
      path: '/v2/accounts',
      tag: 'accounts',
      auth: 'required',
      methods: {
        PUT: {
          summary: "Create an account under the caller's own account",
          dataSchema: 'accounts',
          successStatus: 201,
          handler: async (req) => create(req, req.auth?.account),
        },
      },
    },
    {
      path: '/v2/accounts/:account_id',
      tag: 'accounts',
      auth: 'required',
      methods: {
        GET: { summary: 'Read an account', handler: async (req) => docResult(accountOf(req)) },
        PUT: {
          summary: 'Create a child account under this account',
          dataSchema: 'accounts',
          successStatus: 201,
          handler: async (req) => create(req, accountOf(req)),
        },
        POST: {
          summary: 'Replace an account',
          dataSchema: 'accounts',
          handler: async (req) => {
            requireAdmin(req);
            const id = accountOf(req)._id;
            return docResult(await docs.replace(accountKind, accountOf(req), id, req.data, writeMeta(req), expectedRevision(req)));
          },
        },
        PATCH: {
          summary: 'Change some fields of an account',
          handler: async (req) => {
            requireAdmin(req);
            const id = accountOf(req)._id;
            return docResult(await docs.patch(accountKind, accountOf(req), id, req.data, writeMeta(req), expectedRevision(req)));
          },
        },
        DELETE: {
          summary: 'Delete an account (it must have no sub-accounts)',
          handler: async (req) => {
            requireAdmin(req);
            const account = accountOf(req);
            if (req.auth?.accountId === account._id) throw errors.forbidden();
            if ((await accounts.children(account._id)).length > 0) {
              throw errors.validation({ account: { descendants: { message: 'account has sub-accounts; delete them first' } } });
            }
            const doc = await docs.remove(accountKind, undefined, account._id, expectedRevision(req));
            return { data: { ...publicFields(doc), _read_only: { deleted: true } }, revision: doc._rev };
          },
        },
      },
    },
    {
      path: '/v2/accounts/:account_id/children',
      tag: 'accounts',
      auth: 'required',
      methods: { GET: { summary: 'List the direct sub-accounts', handler: listing((id) => accounts.children(id)) } },
    },
    {
      path: '/v2/accounts/:account_id/descendants',
      tag: 'accounts',
      auth: 'required',
      methods: { GET: { summary: 'List every account below this one', handler: listing((id) => accounts.descendants(id)) } },
    },
    {
      path: '/v2/accounts/:account_id/parents',
      tag: 'accounts',
      auth: 'required',
      methods: {
        GET: {
          summary: "List the account's ancestors the caller may see, root first",
          handler: async (req) => {
            const tree = Array.isArray(accountOf(req)['pvt_tree']) ? (accountOf(req)['pvt_tree'] as string[]) : [];
            const visible = req.auth?.isSuperduperAdmin === true ? tree : tree.slice(Math.max(0, tree.indexOf(req.auth?.accountId ?? '')));
            const docsFound = await Promise.all(visible.map((id) => accounts.find(id)));
            return { data: docsFound.filter((d): d is StoredDoc => d !== undefined).map((d) => ({ id: d._id, name: d['name'] })) };
          },
        },
      },
    },
    {
      path: '/v2/accounts/:account_id/api_key',
      tag: 'accounts',
      auth: 'required',
      methods: {
        GET: {
          summary: "Read the account's API key (for PUT /v2/api_auth)",
          handler: async (req) => {
            requireAdmin(req);
            return { data: { api_key: accountOf(req)['pvt_api_key'] } };
          },
        },
      },
    },
  ];
}
