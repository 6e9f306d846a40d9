import { newUuid, randomHex, type Logger, type TimerHandle } from '../lib/index.ts';
import { createOffer, readAnswer, SdpOrigin, type LocalMedia, type MediaFormat, type RtpRelay } from '../media/index.ts';
import { formatNameAddr, formatUri, Headers, parseUri, SipRequest, type Dialog, type SipResponse } from '../sip/index.ts';
import type { StoredDoc } from '../store/index.ts';
import { Bridge } from './bridge.ts';
import { enlist, type CallContext, type LegMedia } from './call-context.ts';
import { Channel } from './channel.ts';
import { bestFailure, causeOfStatus, type HangupCause } from './hangup-cause.ts';
import type { InboundLeg } from './inbound-leg.ts';
import { ALLOW, USER_AGENT } from './inbound-leg.ts';
import { OutboundLeg } from './outbound-leg.ts';
import type { ContactBinding } from './ports.ts';

/** One device contact to ring. */
export interface CallTarget {
  readonly device: StoredDoc;
  readonly binding: ContactBinding;
}

interface Candidate {
  readonly channel: Channel;
  readonly leg: OutboundLeg;
  readonly local: LocalMedia;
  readonly origin: SdpOrigin;
  failedWith?: number;
}

/**
 * A routed inbound call (docs/calls.md, "Call flow"): rings every target in parallel, relays
 * progress and early media to the caller, bridges the first answer and cancels the rest, or
 * gives the caller the best failure.
 */
export class InboundCall {
  readonly a: Channel;
  readonly #leg: InboundLeg;
  readonly #ctx: CallContext;
  readonly #answerSdp: string;
  readonly #aMedia: LegMedia;
  readonly #candidates = new Map<string, Candidate>();
  readonly #log: Logger;
  #winner: Candidate | undefined;
  #earlyRelay: { relay: RtpRelay; candidate: Candidate } | undefined;
  #ringTimer: TimerHandle | undefined;

  constructor(context: CallContext, a: Channel, leg: InboundLeg, answerSdp: string, aMedia: LegMedia) {
    this.#ctx = context;
    this.a = a;
    this.#leg = leg;
    this.#answerSdp = answerSdp;
    this.#aMedia = aMedia;
    this.#log = context.logger.child({ call: a.uuid });
    a.on('closed', (cause) => this.#callerGone(cause));
  }

  /** Rings every target; resolves once the INVITEs are sent. */
  async ring(targets: readonly CallTarget[], ringTimeoutMs: number): Promise<void> {
    for (const target of targets) {
      if (this.a.closed) return;
      try {
        await this.#dial(target);
      } catch (error) {
        this.#log.error({ err: error, device: target.device._id }, 'outbound leg not started');
      }
    }
    if (this.a.closed) return;
    if (this.#candidates.size === 0) {
      this.a.hangup('NO_USER_RESPONSE');
      return;
    }
    this.#ringTimer = this.a.after(ringTimeoutMs, () => this.#noAnswer());
  }

  async #dial(target: CallTarget): Promise<void> {
    const { device, binding } = target;
    const ctx = this.#ctx;
    const endpoint = await ctx.engine.createEndpoint();
    const format: MediaFormat = this.a.media.format;
    // No transcoding: the callee is offered exactly the codec the caller agreed.
    const local: LocalMedia = {
      address: ctx.engine.advertisedAddress,
      port: endpoint.port,
      rtcpPort: endpoint.rtcpPort,
      codecs: [format.codec],
      dtmfPayloadType: format.telephoneEventPayloadType ?? 101,
    };
    const origin = new SdpOrigin({ address: ctx.engine.advertisedAddress });
    const callId = newUuid();
    const a = this.a.profile;
    const sip = (device['sip'] ?? {}) as Record<string, unknown>;
    const username = typeof sip['username'] === 'string' ? sip['username'] : '';
    const contact = parseUri(binding.contact);
    const protocol = binding.source.transport;
    const headers = new Headers([
      ['From', formatNameAddr({ displayName: a.callerIdName, uri: { scheme: 'sip', user: a.callerIdNumber, host: a.realm, params: {}, headers: {} }, params: { tag: randomHex(8) } })],
      ['To', formatNameAddr({ uri: { scheme: 'sip', user: username, host: a.realm, params: {}, headers: {} }, params: {} })],
      ['Call-ID', callId],
      ['CSeq', '1 INVITE'],
      ['Max-Forwards', '70'],
      ['Contact', ctx.localContact(protocol)],
      ['Allow', ALLOW],
      ['User-Agent', USER_AGENT],
      ['Content-Type', 'application/sdp'],
    ]);
    const invite = new SipRequest('INVITE', formatUri(contact), headers, Buffer.from(createOffer(local, origin)));
    const deviceName = typeof device['name'] === 'string' ? device['name'] : username;
    const channel = new Channel(
      {
        uuid: callId,
        direction: 'outbound',
        accountId: a.accountId,
        realm: a.realm,
        callerIdName: a.callerIdName,
        callerIdNumber: a.callerIdNumber,
        calleeIdName: deviceName,
        calleeIdNumber: username,
        destination: username,
        username,
        authorizingId: device._id,
        authorizingType: 'device',
        ...(typeof device['owner_id'] === 'string' ? { ownerId: device['owner_id'] } : {}),
        presenceId: `${username}@${a.realm}`,
        ...(a.callflowId !== undefined ? { callflowId: a.callflowId } : {}),
        fromUri: `sip:${a.callerIdNumber}@${a.realm}`,
        toUri: `sip:${username}@${a.realm}`,
        requestUri: binding.contact,
        customChannelVars: { other_leg_call_id: this.a.uuid },
      },
      endpoint,
      ctx.clock,
      ctx.logger,
    );
    enlist(ctx, channel);
    const outgoing = ctx.stack.invite(invite, { destination: binding.source, localContact: ctx.localContact(protocol) });
    const leg = new OutboundLeg(ctx.stack, outgoing);
    channel.setSignalling(leg);
    const candidate: Candidate = { channel, leg, local, origin };
    this.#candidates.set(callId, candidate);
    channel.on('closed', () => this.#candidateGone(candidate));
    outgoing.on('provisional', (response) => this.#provisional(candidate, response));
    outgoing.on('accepted', (response, dialog) => this.#accepted(candidate, response, dialog));
    outgoing.on('rejected', (response) => this.#failed(candidate, response.status));
    outgoing.on('timeout', () => this.#failed(candidate, 408));
    outgoing.on('transportError', () => this.#failed(candidate, 503));
  }

  #provisional(candidate: Candidate, response: SipResponse): void {
    const { channel } = candidate;
    if (channel.closed || this.#winner !== undefined || this.a.closed) return;
    if (response.status === 100) return;
    const tag = toTagOf(response);
    if (tag !== undefined) channel.setToTag(tag);
    if (response.body.length > 0 && this.#earlyRelay === undefined && this.#negotiate(candidate, response)) {
      // Early media (RFC 3960 gateway model): the first callee that sends SDP is heard by the caller.
      channel.early();
      this.a.early();
      this.#leg.earlyMedia(this.#answerSdp);
      this.#earlyRelay = { relay: this.#ctx.engine.createRelay(this.a.media, channel.media), candidate };
      return;
    }
    channel.ringing();
    this.a.ringing();
    this.#leg.ring();
  }

  #accepted(candidate: Candidate, response: SipResponse, dialog: Dialog): void {
    const { channel, leg } = candidate;
    leg.accepted(dialog);
    const tag = toTagOf(response);
    if (tag !== undefined) channel.setToTag(tag);
    this.#ctx.registerDialog(dialog, channel, candidate);
    if (this.#winner !== undefined || this.a.closed || channel.closed) {
      // A second fork or a 2xx that crossed our CANCEL: it was ACKed; now hang it up.
      channel.hangup('LOSE_RACE');
      return;
    }
    if (!this.#negotiate(candidate, response)) {
      channel.hangup('INCOMPATIBLE_DESTINATION');
      return;
    }
    this.#winner = candidate;
    if (this.#ringTimer !== undefined) this.a.cancelTimer(this.#ringTimer);
    this.#closeEarlyRelay();
    for (const other of this.#candidates.values()) if (other !== candidate) other.channel.hangup('LOSE_RACE');
    channel.transition('answered');
    const aDialog = this.#leg.answer(this.#answerSdp);
    if (aDialog === undefined) {
      channel.hangup('ORIGINATOR_CANCEL');
      return;
    }
    this.a.transition('answered');
    new Bridge(this.#ctx.engine, this.a, channel);
    if (this.#ctx.maxCallMs > 0) this.a.after(this.#ctx.maxCallMs, () => this.a.hangup('ALLOTTED_TIMEOUT'));
    this.#log.info({ callee: channel.uuid }, 'call bridged');
  }

  /** Applies a callee's SDP answer to its endpoint; false when it agreed nothing usable. */
  #negotiate(candidate: Candidate, response: SipResponse): boolean {
    if (response.body.length === 0) return candidate.channel.media.remote !== undefined;
    try {
      const negotiated = readAnswer(response.body.toString('utf8'), candidate.local);
      candidate.channel.media.setFormat(negotiated.format);
      candidate.channel.media.setRemote(negotiated.remote);
      candidate.channel.formatChanged();
      return true;
    } catch (error) {
      this.#log.warn({ err: error, callee: candidate.channel.uuid }, 'unusable SDP answer');
      return false;
    }
  }

  #failed(candidate: Candidate, status: number): void {
    if (candidate.channel.closed) return;
    candidate.failedWith = status;
    candidate.channel.ended(causeOfStatus(status));
  }

  /** A candidate ended (failure, lost race, its own BYE): the caller fails once none is left. */
  #candidateGone(candidate: Candidate): void {
    if (this.#earlyRelay?.candidate === candidate) this.#closeEarlyRelay();
    if (this.#winner !== undefined || this.a.closed) return;
    const open = [...this.#candidates.values()].some((c) => !c.channel.closed);
    if (open) return;
    const statuses = [...this.#candidates.values()].map((c) => c.failedWith ?? 480);
    const status = bestFailure(statuses);
    this.#leg.fail(status);
    this.a.ended(causeOfStatus(status));
  }

  #noAnswer(): void {
    if (this.#winner !== undefined || this.a.closed) return;
    for (const c of this.#candidates.values()) if (!c.channel.closed) c.failedWith = 408;
    this.#leg.fail(480);
    this.a.ended('NO_ANSWER');
    this.#cancelAll('NO_ANSWER');
  }

  #callerGone(cause: HangupCause): void {
    this.#closeEarlyRelay();
    if (this.#winner === undefined) this.#cancelAll(cause === 'ORIGINATOR_CANCEL' ? 'ORIGINATOR_CANCEL' : cause);
  }

  #cancelAll(cause: HangupCause): void {
    for (const c of this.#candidates.values()) if (!c.channel.closed) c.channel.hangup(cause);
  }

  #closeEarlyRelay(): void {
    this.#earlyRelay?.relay.close();
    this.#earlyRelay = undefined;
  }

  /** The caller's media as we answered it (for its re-INVITEs). */
  get callerMedia(): LegMedia {
    return this.#aMedia;
  }
}

function toTagOf(response: SipResponse): string | undefined {
  const to = response.headers.get('To') ?? '';
  return /;\s*tag=([^;>\s]+)/i.exec(to)?.[1];
}
