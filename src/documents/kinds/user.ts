import type { Doc } from '../../store/index.ts';
import { md5Credentials, sha1Credentials } from '../credentials.ts';
import type { DocKind } from '../doc-kind.ts';

/** Users (`cb_users`): passwords are stored only as KAZOO's md5/sha1 credential hashes. */
export const userKind: DocKind = {
  type: 'user',
  noun: 'users',
  schema: 'users',
  prepare(data, { existing }) {
    const doc: Doc = { ...data };
    const username = typeof doc['username'] === 'string' ? doc['username'] : undefined;
    const password = typeof doc['password'] === 'string' ? doc['password'] : undefined;
    delete doc['password'];
    if (typeof doc['credentials'] === 'string') {
      doc['pvt_md5_auth'] = doc['credentials'];
      delete doc['credentials'];
    }
    if (username !== undefined && password !== undefined) {
      doc['pvt_md5_auth'] = md5Credentials(username, password);
      doc['pvt_sha1_auth'] = sha1Credentials(username, password);
    } else if (username !== undefined && existing !== undefined && existing['username'] !== username && doc['pvt_md5_auth'] === undefined) {
      return [{ path: 'password', code: 'required', message: 'Field is required but missing', extra: { value: 'password' } }];
    } else if (password !== undefined) {
      return [{ path: 'username', code: 'required', message: 'Field is required but missing', extra: { value: 'username' } }];
    }
    const first = typeof doc['first_name'] === 'string' ? doc['first_name'] : '';
    const last = typeof doc['last_name'] === 'string' ? doc['last_name'] : '';
    doc['pvt_alphanum_name'] = `${first}${last}`.toLowerCase().replace(/[^a-z0-9]/g, '');
    return doc;
  },
  uniqueKeys(doc, { account }) {
    const username = doc['username'];
    if (typeof username !== 'string' || account === undefined) return [];
    return [{ scope: `username:${account._id}`, key: username.toLowerCase() }];
  },
  uniqueFailure(claim) {
    return { path: 'username', code: 'unique', message: 'Username must be unique within the account', extra: { cause: claim.key } };
  },
  summary(doc) {
    return pick(doc, ['id', 'first_name', 'last_name', 'email', 'username', 'priv_level', 'features', 'presence_id', 'enabled']);
  },
};

/** The listed public keys of a doc (plus `id`). */
export function pick(doc: Doc, keys: readonly string[]): Doc {
  const out: Doc = {};
  for (const k of keys) {
    const v = k === 'id' ? doc['_id'] : doc[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}
