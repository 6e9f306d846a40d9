import { newUuid, randomHex } from '../lib/index.ts';
import { createOffer, SdpOrigin, type G711Codec, type LocalMedia, type MediaEndpoint } from '../media/index.ts';
import { formatNameAddr, Headers, parseUri, SipRequest } from '../sip/index.ts';
import type { CallContext, LegMedia } from './call-context.ts';
import { Channel } from './channel.ts';
import type { DialOptions, DialTarget } from './dial-types.ts';
import { ALLOW, USER_AGENT } from './inbound-leg.ts';

const BOTH_CODECS: readonly G711Codec[] = ['PCMA', 'PCMU'];

/**
 * The INVITE and the outbound channel for one dial target (RFC 3261 §8.1.1): our SDP offer on the
 * leg's own anchored endpoint — exactly the peer's codec when there is a peer whose codec is
 * agreed (no transcoding), both G.711 codecs otherwise — and the channel's KAZOO profile.
 */
export function prepareOutbound(ctx: CallContext, target: DialTarget, o: DialOptions, endpoint: MediaEndpoint): { invite: SipRequest; channel: Channel; media: LegMedia } {
  // A peer whose own offer/answer is not done (late offer) has no codec to impose yet.
  const peerFormat = o.peer !== undefined && o.peer.localMedia?.awaitingAnswer !== true ? o.peer.media.format : undefined;
  const local: LocalMedia = {
    address: ctx.engine.advertisedAddress,
    port: endpoint.port,
    rtcpPort: endpoint.rtcpPort,
    codecs: peerFormat !== undefined ? [peerFormat.codec] : BOTH_CODECS,
    dtmfPayloadType: peerFormat?.telephoneEventPayloadType ?? 101,
  };
  const media: LegMedia = { local, origin: new SdpOrigin({ address: ctx.engine.advertisedAddress }) };
  const callId = newUuid();
  const requestUri = parseUri(target.uri);
  const toUri = target.toUri ?? target.uri;
  const username = target.profile.username ?? requestUri.user ?? '';
  const protocol = target.destination?.transport ?? (requestUri.params['transport'] === 'tcp' ? 'tcp' : 'udp');
  const invite = new SipRequest(
    'INVITE',
    target.uri,
    new Headers([
      ['From', formatNameAddr({ displayName: o.callerIdName, uri: { scheme: 'sip', user: o.callerIdNumber, host: o.realm, params: {}, headers: {} }, params: { tag: randomHex(8) } })],
      ['To', `<${toUri}>`],
      ['Call-ID', callId],
      ['CSeq', '1 INVITE'],
      ['Max-Forwards', '70'],
      ['Contact', ctx.localContact(protocol)],
      ['Allow', ALLOW],
      ['User-Agent', USER_AGENT],
      ...(target.headers ?? []),
      ['Content-Type', 'application/sdp'],
    ]),
    Buffer.from(createOffer(local, media.origin)),
  );
  const channel = new Channel(
    {
      uuid: callId,
      direction: 'outbound',
      accountId: o.accountId,
      realm: o.realm,
      callerIdName: o.callerIdName,
      callerIdNumber: o.callerIdNumber,
      calleeIdName: target.profile.calleeIdName ?? username,
      calleeIdNumber: target.profile.calleeIdNumber ?? username,
      destination: target.profile.destination ?? username,
      username,
      ...pickDefined(target.profile, ['authorizingId', 'authorizingType', 'ownerId', 'presenceId']),
      ...(o.callflowId !== undefined ? { callflowId: o.callflowId } : {}),
      fromUri: `sip:${o.callerIdNumber}@${o.realm}`,
      toUri,
      requestUri: target.uri,
      customChannelVars: { ...o.customChannelVars, ...(o.peer !== undefined ? { other_leg_call_id: o.peer.uuid } : {}) },
      ...(o.customApplicationVars !== undefined ? { customApplicationVars: o.customApplicationVars } : {}),
    },
    endpoint,
    ctx.clock,
    ctx.logger,
  );
  return { invite, channel, media };
}

function pickDefined<T extends object, K extends keyof T>(obj: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (obj[k] !== undefined) out[k] = obj[k];
  return out;
}
