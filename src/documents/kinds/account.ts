import { randomHex } from '../../lib/index.ts';
import type { DocKind } from '../doc-kind.ts';
import { pick } from './user.ts';

/** Suffix of realms generated for accounts created without one. */
export const GENERATED_REALM_SUFFIX = 'sip.switchboard.local';

/** Accounts (`cb_accounts`): realms are unique system-wide and select the account for SIP. */
export const accountKind: DocKind = {
  type: 'account',
  noun: 'accounts',
  schema: 'accounts',
  prepare(data) {
    const realm = typeof data['realm'] === 'string' && data['realm'] !== '' ? data['realm'] : `${randomHex(6)}.${GENERATED_REALM_SUFFIX}`;
    const name = typeof data['name'] === 'string' ? data['name'] : '';
    return { ...data, realm: realm.toLowerCase(), pvt_alphanum_name: name.toLowerCase().replace(/[^a-z0-9]/g, '') };
  },
  uniqueKeys(doc) {
    return typeof doc['realm'] === 'string' ? [{ scope: 'realm', key: doc['realm'].toLowerCase() }] : [];
  },
  uniqueFailure(claim) {
    return { path: 'realm', code: 'unique', message: 'Account realm already in use', extra: { cause: claim.key } };
  },
  summary(doc) {
    const tree = Array.isArray(doc['pvt_tree']) ? doc['pvt_tree'] : [];
    return { ...pick(doc, ['id', 'name', 'realm']), tree };
  },
};
