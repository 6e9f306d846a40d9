import { getTag, parseNameAddr, parseUri, type SipRequest } from '../sip/index.ts';
import type { StoredDoc } from '../store/index.ts';
import type { ChannelProfile } from './channel.ts';

/** Who sent an INVITE: its account, and the device (or, for a carrier, the resource) it came from. */
export interface InviteSender {
  readonly account: StoredDoc;
  readonly device: StoredDoc;
}

/**
 * The profile of the leg an incoming INVITE creates (KAZOO's inbound channel: caller id from the
 * From display name or the device name, callee id and destination from the Request-URI user,
 * `presence_id` as `<sip username>@<realm>`). `uuid` is the Call-ID unless that is already taken.
 */
export function inboundProfile(
  request: SipRequest,
  sender: InviteSender,
  leg: { readonly uuid: string; readonly authorizingType: 'device' | 'resource'; readonly callflowId?: string },
): ChannelProfile {
  const { account, device } = sender;
  const realm = String(account['realm'] ?? '');
  const fromHeader = request.headers.get('From') ?? '';
  const from = parseNameAddr(fromHeader);
  const sip = (device['sip'] ?? {}) as Record<string, unknown>;
  const username = typeof sip['username'] === 'string' ? sip['username'] : (from.uri.user ?? '');
  const target = parseUri(request.uri);
  const dialed = target.user ?? '';
  const fromTag = getTag(fromHeader);
  const userAgent = request.headers.get('User-Agent');
  return {
    uuid: leg.uuid,
    direction: 'inbound',
    accountId: account._id,
    realm,
    callerIdName: from.displayName ?? (typeof device['name'] === 'string' ? device['name'] : username),
    callerIdNumber: from.uri.user ?? username,
    calleeIdName: dialed,
    calleeIdNumber: dialed,
    destination: dialed,
    username,
    authorizingId: device._id,
    authorizingType: leg.authorizingType,
    ...(typeof device['owner_id'] === 'string' ? { ownerId: device['owner_id'] } : {}),
    presenceId: `${username}@${realm}`,
    ...(leg.callflowId !== undefined ? { callflowId: leg.callflowId } : {}),
    fromUri: `sip:${from.uri.user ?? username}@${from.uri.host}`,
    toUri: `sip:${dialed}@${target.host}`,
    requestUri: request.uri,
    ...(fromTag !== undefined ? { fromTag } : {}),
    ...(userAgent !== undefined ? { userAgent } : {}),
  };
}
