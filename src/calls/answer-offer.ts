import type { Logger } from '../lib/index.ts';
import {
  createAnswer,
  SdpNegotiationError,
  SdpOrigin,
  SdpParseError,
  type G711Codec,
  type LocalMedia,
  type MediaEndpoint,
  type MediaEngine,
} from '../media/index.ts';
import type { InviteServerTransaction, SipRequest, SipStack } from '../sip/index.ts';
import { LateOffer } from './late-offer.ts';
import type { LegMedia } from './leg-media.ts';

/** An INVITE's offer answered on a fresh anchored endpoint. */
export interface AnsweredOffer {
  readonly endpoint: MediaEndpoint;
  readonly media: LegMedia;
  /** Our SDP answer, sent with the 18x/200. */
  readonly sdp: string;
}

/**
 * Opens an anchored endpoint for an incoming INVITE and answers its SDP offer (RFC 3264) with
 * `codecs`. When that cannot be done the request is answered here — 503 (no media port), 400
 * (unreadable SDP), 488 (nothing in common, or no offer: a caller that takes INVITEs without SDP
 * uses {@link openLateOffer} instead) — and the result is undefined.
 */
export async function answerOffer(
  deps: { readonly stack: SipStack; readonly engine: MediaEngine; readonly logger: Logger },
  request: SipRequest,
  tx: InviteServerTransaction,
  codecs: readonly G711Codec[],
): Promise<AnsweredOffer | undefined> {
  const { stack, engine } = deps;
  const opened = await openEndpoint(deps, tx, codecs);
  if (opened === undefined) return undefined;
  const { endpoint, local } = opened;
  const origin = new SdpOrigin({ address: engine.advertisedAddress });
  try {
    if (request.body.length === 0) throw new SdpNegotiationError('no_audio', 'an INVITE without an offer is not taken here');
    const answer = createAnswer(request.body.toString('utf8'), local, origin);
    endpoint.setFormat(answer.format);
    endpoint.setRemote(answer.remote);
    return { endpoint, media: { local, origin }, sdp: answer.sdp };
  } catch (error) {
    endpoint.close();
    if (!(error instanceof SdpParseError || error instanceof SdpNegotiationError)) deps.logger.error({ err: error }, 'offer not answered');
    stack.respond(tx, error instanceof SdpParseError ? 400 : 488);
    return undefined;
  }
}

/** An INVITE without SDP given a fresh anchored endpoint; the offer goes in its 2xx. */
export interface OpenedLateOffer {
  readonly endpoint: MediaEndpoint;
  readonly media: LateOffer;
}

/**
 * Opens an anchored endpoint for an INVITE without SDP (RFC 3261 §13.2.1 delayed offer): the
 * switch will offer `codecs` in its 2xx and read the answer from the ACK ({@link LateOffer}). 503
 * when no media port is free (answered here; the result is then undefined).
 */
export async function openLateOffer(
  deps: { readonly stack: SipStack; readonly engine: MediaEngine },
  tx: InviteServerTransaction,
  codecs: readonly G711Codec[],
): Promise<OpenedLateOffer | undefined> {
  const opened = await openEndpoint(deps, tx, codecs);
  if (opened === undefined) return undefined;
  return { endpoint: opened.endpoint, media: new LateOffer(opened.local, new SdpOrigin({ address: deps.engine.advertisedAddress })) };
}

/** A fresh anchored endpoint and what we offer or answer on it; 503 to the INVITE when no media port is free. */
async function openEndpoint(
  deps: { readonly stack: SipStack; readonly engine: MediaEngine },
  tx: InviteServerTransaction,
  codecs: readonly G711Codec[],
): Promise<{ endpoint: MediaEndpoint; local: LocalMedia } | undefined> {
  const { stack, engine } = deps;
  const endpoint = await engine.createEndpoint().catch(() => undefined);
  if (endpoint === undefined) {
    stack.respond(tx, 503, undefined, { headers: [['Retry-After', '5']] });
    return undefined;
  }
  return { endpoint, local: { address: engine.advertisedAddress, port: endpoint.port, rtcpPort: endpoint.rtcpPort, codecs, dtmfPayloadType: 101 } };
}
