import type { Doc } from '../../store/index.ts';
import type { DocKind } from '../doc-kind.ts';
import { pick } from './user.ts';

/** The claim scope of SIP usernames: unique within a realm (the registrar's lookup key). */
export function sipUsernameScope(realm: string): string {
  return `sip_username:${realm.toLowerCase()}`;
}

/** Devices (`cb_devices`): `sip.username` is unique per account realm. */
export const deviceKind: DocKind = {
  type: 'device',
  noun: 'devices',
  schema: 'devices',
  uniqueKeys(doc, { account }) {
    const sip = doc['sip'] as Doc | undefined;
    const username = sip?.['username'];
    const realm = account?.['realm'];
    if (typeof username !== 'string' || typeof realm !== 'string') return [];
    return [
      { scope: sipUsernameScope(realm), key: username.toLowerCase() },
      // System-wide index so a REGISTER to the switch's own address can still find a unique device.
      { scope: 'sip_username_any', key: `${username.toLowerCase()}@${realm.toLowerCase()}` },
    ];
  },
  uniqueFailure(claim) {
    return { path: 'sip.username', code: 'unique', message: 'SIP username already in use', extra: { cause: claim.key } };
  },
  summary(doc) {
    const sip = doc['sip'] as Doc | undefined;
    return {
      ...pick(doc, ['id', 'name', 'mac_address', 'owner_id', 'device_type', 'enabled']),
      ...(sip?.['username'] !== undefined ? { username: sip['username'] } : {}),
    };
  },
};
