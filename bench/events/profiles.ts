// Channel profiles for benchmark legs: the fields a phone call's leg carries (reference §2.2).
import type { ChannelProfile } from '../../src/calls/index.ts';

/** Who a benchmark leg belongs to: the account, and optionally the device and its owner. */
export interface LegOwner {
  readonly accountId: string;
  readonly realm: string;
  readonly username?: string;
  readonly deviceId?: string;
  readonly ownerId?: string;
}

/** The profile of benchmark leg `i` (odd legs outbound), with a SIP-looking Call-ID. */
export function benchProfile(i: number, owner: LegOwner, run: string): ChannelProfile {
  const ext = 1000 + (i % 9000);
  const user = owner.username ?? `bench${i}`;
  return {
    uuid: `${run}-${i}-bench@127.0.0.1`,
    direction: i % 2 === 0 ? 'inbound' : 'outbound',
    accountId: owner.accountId,
    realm: owner.realm,
    callerIdName: `Bench Caller ${i}`,
    callerIdNumber: String(ext),
    calleeIdName: `Bench Callee ${i}`,
    calleeIdNumber: String(ext + 1),
    destination: String(ext + 1),
    username: user,
    ...(owner.deviceId !== undefined ? { authorizingId: owner.deviceId, authorizingType: 'device' as const } : {}),
    ...(owner.ownerId !== undefined ? { ownerId: owner.ownerId, presenceId: `${user}@${owner.realm}` } : {}),
    fromUri: `sip:${user}@${owner.realm}`,
    toUri: `sip:${ext + 1}@${owner.realm}`,
    requestUri: `sip:${ext + 1}@${owner.realm}`,
    fromTag: `tag${i}`,
    userAgent: 'bench/1.0',
  };
}
