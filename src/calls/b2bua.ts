import type { EndpointDirectory } from '../documents/index.ts';
import type { Logger } from '../lib/index.ts';
import {
  createAnswer,
  parseDtmfInfo,
  type LocalMedia,
  type MediaEngine,
} from '../media/index.ts';
import {
  FloodGuard,
  parseUri,
  type Dialog,
  type FloodLimits,
  type InviteServerTransaction,
  type ServerTransaction,
  type SipRequest,
  type SipStack,
  type SipStackUser,
  type TransportProtocol,
} from '../sip/index.ts';
import type { CallNotifier } from './call-notifier.ts';
import { CallControl, type MusicOnHoldLookup } from './call-control.ts';
import { enlist, type CallContext, type LegMedia } from './call-context.ts';
import { Channel } from './channel.ts';
import { inboundProfile } from './inbound-profile.ts';
import type { ChannelDirectory } from './channel-directory.ts';
import { CallflowRunner, deviceModule, userModule, type FlowModule } from './callflow/index.ts';
import { ALLOW, InboundLeg, USER_AGENT } from './inbound-leg.ts';
import { InboundSession } from './inbound-session.ts';
import { answerOffer, openLateOffer } from './answer-offer.ts';
import { answerOfferlessReinvite } from './offerless-reinvite.ts';
import { AnsweredSession } from './answered-session.ts';
import { CallCommandError } from './call-control.ts';
import type { StoredDoc } from '../store/index.ts';
import type { B2buaFeatures, CallerAuthenticator, ContactLocator } from './ports.ts';

/** Handles REGISTER (the registrar, wired in by the composition root). */
export interface RegisterHandler {
  handleRegister(request: SipRequest, transaction: ServerTransaction): Promise<void>;
}

export interface B2buaOptions {
  readonly stack: SipStack;
  readonly engine: MediaEngine;
  readonly endpoints: EndpointDirectory;
  /** Callflow modules beyond `device` and `user`. */
  readonly modules?: readonly FlowModule[];
  readonly authenticator: CallerAuthenticator;
  readonly locator: ContactLocator;
  readonly registrar: RegisterHandler;
  readonly channels: ChannelDirectory;
  readonly notifier: CallNotifier;
  readonly logger: Logger;
  /** Longest answered call in ms; 0 = unlimited. */
  readonly maxCallMs: number;
  /** Music on hold for a held party (default: the built-in loop). */
  readonly musicOnHold?: MusicOnHoldLookup;
  /** New requests one source IP may send, per class (INVITE, REGISTER, OPTIONS, other): the flood guard. */
  readonly floodLimits?: Partial<FloodLimits>;
}

interface LegRecord {
  readonly channel: Channel;
  readonly media: LegMedia;
}

const LOCAL_CODECS = ['PCMA', 'PCMU'] as const;

/**
 * The back-to-back user agent: the one owner of new SIP requests (SipStackUser). REGISTER goes to
 * the registrar, INVITE becomes an inbound channel routed through callflows, in-dialog requests
 * reach their channel.
 */
export class B2bua implements SipStackUser {
  readonly #o: B2buaOptions;
  readonly #log: Logger;
  readonly #legs = new WeakMap<Dialog, LegRecord>();
  readonly #context: CallContext;
  readonly #flood: FloodGuard;
  readonly #runner: CallflowRunner;
  readonly #control: CallControl;
  #stopping = false;
  /** Feature hooks (transfers, carriers...), set by the composition root. */
  readonly features: B2buaFeatures = {};

  constructor(options: B2buaOptions) {
    this.#o = options;
    this.#log = options.logger.child({ category: 'b2bua' });
    this.#flood = new FloodGuard({
      clock: options.stack.clock,
      dialogs: options.stack.dialogs,
      logger: this.#log,
      ...(options.floodLimits === undefined ? {} : { limits: options.floodLimits }),
    });
    this.#context = {
      stack: options.stack,
      engine: options.engine,
      channels: options.channels,
      bridges: new Map(),
      dials: new Map(),
      notifier: options.notifier,
      clock: options.stack.clock,
      logger: this.#log,
      maxCallMs: options.maxCallMs,
      localContact: (protocol) => this.#localContact(protocol),
      registerDialog: (dialog, channel, media) => this.#registerDialog(dialog, channel, media),
    };
    this.#control = new CallControl(this.#context, options.musicOnHold ?? (async () => undefined));
    this.#runner = new CallflowRunner({
      calls: this.#context,
      endpoints: options.endpoints,
      locator: options.locator,
      modules: [deviceModule, userModule, ...(options.modules ?? [])],
    });
  }

  /** What every call shares (for features built on the B2BUA: originate, transfers...). */
  get context(): CallContext {
    return this.#context;
  }

  /** Commands on live channels (REST actions, Konami, click-to-call). */
  get control(): CallControl {
    return this.#control;
  }

  /** The callflow runner (features add modules to it). */
  get runner(): CallflowRunner {
    return this.#runner;
  }

  /** The flood guard deciding {@link admit} (its refusal counts are diagnostics). */
  get floodGuard(): FloodGuard {
    return this.#flood;
  }

  /**
   * Flood guard: a source past its budget (INVITE, REGISTER, OPTIONS or other out-of-dialog
   * requests) is dropped before the stack creates a transaction (no 100 Trying that would leave the
   * sender in Proceeding; no 503s to amplify a spoofed flood). In-dialog requests, ACK and CANCEL
   * always pass.
   */
  admit(request: SipRequest): boolean {
    return this.#flood.admit(request);
  }

  onRequest(request: SipRequest, transaction: ServerTransaction): void {
    const { stack } = this.#o;
    if (request.method !== 'ACK' && request.method !== 'CANCEL' && !this.#requireSupported(request, transaction)) return;
    switch (request.method) {
      case 'INVITE':
        this.#invite(request, transaction as InviteServerTransaction).catch((error: unknown) => {
          this.#log.error({ err: error, callId: request.callId }, 'INVITE failed');
          stack.respond(transaction, 500);
        });
        return;
      case 'REGISTER':
        this.#o.registrar.handleRegister(request, transaction).catch((error: unknown) => {
          this.#log.error({ err: error, callId: request.callId }, 'REGISTER failed');
          stack.respond(transaction, 500);
        });
        return;
      case 'OPTIONS':
        stack.respond(transaction, 200, undefined, { headers: capabilities() });
        return;
      case 'BYE':
      case 'INFO':
      case 'UPDATE':
      case 'PRACK':
        // Outside any dialog (the stack routes in-dialog ones to onDialogRequest).
        stack.respond(transaction, 481);
        return;
      default:
        stack.respond(transaction, 405, undefined, { headers: [['Allow', ALLOW]] });
    }
  }

  onDialogRequest(request: SipRequest, transaction: ServerTransaction, dialog: Dialog): void {
    const { stack } = this.#o;
    const leg = this.#legs.get(dialog);
    switch (request.method) {
      case 'BYE':
        stack.respond(transaction, 200);
        leg?.channel.ended('NORMAL_CLEARING');
        return;
      case 'INFO':
        this.#info(request, transaction, leg);
        return;
      case 'INVITE':
        this.#reinvite(request, transaction, leg);
        return;
      case 'REFER':
        if (leg !== undefined && this.features.refer !== undefined) this.features.refer(request, transaction, leg.channel);
        else stack.respond(transaction, leg === undefined ? 481 : 501);
        return;
      case 'UPDATE':
      case 'OPTIONS':
        stack.respond(transaction, 200, undefined, { headers: capabilities() });
        return;
      default:
        stack.respond(transaction, 405, undefined, { headers: [['Allow', ALLOW]] });
    }
  }

  /**
   * Runs a callflow on an answered channel (KAZOO's `callflow` action): its current peer is
   * released and the flow decides what the channel reaches next. Resolves once the flow started.
   */
  runCallflow(channel: Channel, callflow: StoredDoc, captures: readonly string[] = []): void {
    if (!channel.answered || channel.closed) throw new CallCommandError('call_id', 'invalid', 'Channel is not answered');
    const bridge = this.#context.bridges.get(channel.uuid);
    if (bridge !== undefined) {
      const peer = bridge.peerOf(channel);
      bridge.unbridge();
      peer.hangup('NORMAL_CLEARING');
    }
    void (async () => {
      const account = await this.#o.endpoints.account(channel.profile.accountId);
      if (account === undefined) {
        channel.hangup('NORMAL_TEMPORARY_FAILURE');
        return;
      }
      await this.#runner.run(new AnsweredSession(this.#context, channel), account, callflow, captures);
    })().catch((error: unknown) => this.#log.error({ err: error, channel: channel.uuid }, 'callflow action failed'));
  }

  /**
   * Hangs up every live call (BYE to answered legs) and waits up to `ms` for the BYEs and CANCELs to
   * get their final responses (not for the transactions' Timer K, which only absorbs retransmissions).
   */
  async shutdown(ms = 2000): Promise<void> {
    this.#stopping = true;
    for (const channel of this.#o.channels.all()) channel.hangup('SYSTEM_SHUTDOWN');
    const { stack } = this.#o;
    const deadline = stack.clock.now() + ms;
    while (stack.transactions.pendingClientCount > 0 && stack.clock.now() < deadline) {
      await new Promise<void>((resolve) => stack.clock.setTimeout(resolve, 20));
    }
  }

  /** RFC 3261 §8.2.2.3: we support no extension a request may require. */
  #requireSupported(request: SipRequest, transaction: ServerTransaction): boolean {
    const required = request.headers.getAll('Require').flatMap((v) => v.split(',')).map((t) => t.trim()).filter((t) => t !== '');
    if (required.length === 0) return true;
    this.#o.stack.respond(transaction, 420, undefined, { headers: [['Unsupported', required.join(', ')]] });
    return false;
  }

  async #invite(request: SipRequest, tx: InviteServerTransaction): Promise<void> {
    const o = this.#o;
    if (this.#stopping) {
      o.stack.respond(tx, 503, undefined, { headers: [['Retry-After', '30']] });
      return;
    }
    let cancelled = false;
    tx.on('cancel', () => {
      cancelled = true;
    });
    if (request.headers.has('Replaces') && this.features.replaces !== undefined && (await this.features.replaces(request, tx))) return;
    const trunk = await this.features.trunk?.(request);
    const caller = trunk !== undefined ? { account: trunk.account, device: trunk.resource } : await o.authenticator.authenticate(request, tx, { proxy: true });
    if (caller === undefined || cancelled) {
      if (cancelled) o.stack.respond(tx, 487);
      return;
    }
    const { account } = caller;
    const dialed = parseUri(request.uri).user ?? '';
    const route = await o.endpoints.callflowFor(account._id, dialed);

    // RFC 3261 §13.2.1: an INVITE without SDP (delayed offer) gets our offer in the 2xx.
    const offer =
      request.body.length === 0
        ? await openLateOffer(o, tx, LOCAL_CODECS)
        : await answerOffer({ stack: o.stack, engine: o.engine, logger: this.#log }, request, tx, LOCAL_CODECS);
    if (offer === undefined) return;
    const { endpoint, media: aMedia } = offer;
    const answerSdp = 'sdp' in offer ? offer.sdp : offer.media;

    const uuid = o.channels.get(request.callId) === undefined ? request.callId : `${request.callId}-${endpoint.port}`;
    const channel = new Channel(
      inboundProfile(request, caller, { uuid, authorizingType: trunk !== undefined ? 'resource' : 'device', ...(route !== undefined ? { callflowId: route.callflow._id } : {}) }),
      endpoint,
      o.stack.clock,
      this.#log,
    );
    channel.formatChanged();
    channel.localMedia = aMedia;
    const leg = new InboundLeg(o.stack, tx, this.#localContact(request.source?.transport ?? 'udp'), (dialog) => {
      this.#registerDialog(dialog, channel, aMedia);
      channel.setToTag(dialog.id.localTag);
    });
    channel.setSignalling(leg);
    enlist(this.#context, channel);
    if (cancelled) {
      o.stack.respond(tx, 487);
      channel.ended('ORIGINATOR_CANCEL', 487);
      return;
    }
    tx.on('cancel', () => {
      o.stack.respond(tx, 487);
      channel.ended('ORIGINATOR_CANCEL', 487);
    });

    const session = new InboundSession(this.#context, channel, leg, answerSdp, aMedia);
    if (route === undefined) {
      // A number no callflow owns: a feature (carriers) may take it, else 404.
      if (!(await this.features.unrouted?.(session, account, dialed))) channel.hangup('UNALLOCATED_NUMBER');
      return;
    }
    await this.#runner.run(session, account, route.callflow, route.captures);
  }

  #registerDialog(dialog: Dialog, channel: Channel, media: LegMedia): void {
    this.#legs.set(dialog, { channel, media });
    dialog.on('ackTimeout', () => channel.hangup('RECOVERY_ON_TIMER_EXPIRE'));
  }

  /** SIP INFO DTMF (`application/dtmf-relay`, `application/dtmf`). */
  #info(request: SipRequest, transaction: ServerTransaction, leg: LegRecord | undefined): void {
    const type = request.headers.get('Content-Type')?.split(';')[0]?.trim().toLowerCase() ?? '';
    if (request.body.length === 0) {
      this.#o.stack.respond(transaction, 200);
      return;
    }
    const dtmf = parseDtmfInfo(type, request.body.toString('utf8'));
    if (dtmf === undefined) {
      this.#o.stack.respond(transaction, 415, undefined, { headers: [['Accept', 'application/dtmf-relay, application/dtmf']] });
      return;
    }
    this.#o.stack.respond(transaction, 200);
    leg?.channel.receivedDtmf(dtmf.digit, dtmf.durationMs);
  }

  /** A re-INVITE: answer the new offer on the same anchored endpoint (RFC 3264 §8), or offer when it has none. */
  #reinvite(request: SipRequest, transaction: ServerTransaction, leg: LegRecord | undefined): void {
    const { stack } = this.#o;
    if (leg === undefined || leg.channel.closed) {
      stack.respond(transaction, 481);
      return;
    }
    // §14.2: a UAS that has sent an offer in a re-INVITE and not yet got its answer MUST answer a
    // re-INVITE that arrives meanwhile with 491; the phone retries after a random wait (§14.1).
    if (this.#control.isReoffering(leg.channel)) {
      stack.respond(transaction, 491);
      return;
    }
    if (request.body.length === 0) {
      const deps = {
        stack,
        bridges: this.#context.bridges,
        logger: this.#log,
        localContact: this.#localContact(request.source?.transport ?? 'udp'),
        phoneHold: (channel: Channel, holding: boolean) => this.#control.phoneHold(channel, holding),
      };
      answerOfferlessReinvite(deps, request, transaction, leg.channel, leg.media);
      return;
    }
    try {
      const local: LocalMedia = { ...leg.media.local, codecs: [leg.channel.media.format.codec] };
      const answer = createAnswer(request.body.toString('utf8'), local, leg.media.origin);
      leg.channel.media.setRemote(answer.remote);
      stack.respond(transaction, 200, undefined, {
        body: Buffer.from(answer.sdp),
        contentType: 'application/sdp',
        localContact: this.#localContact(request.source?.transport ?? 'udp'),
      });
      // RFC 3264 §8.4: sendonly/inactive (or c=0.0.0.0) from the phone means it holds its peer.
      this.#control.phoneHold(leg.channel, answer.remoteHold).catch((error: unknown) => this.#log.warn({ err: error }, 'hold not applied'));
    } catch {
      stack.respond(transaction, 488);
    }
  }

  #localContact(protocol: TransportProtocol): string {
    const sentBy = this.#o.stack.transport.sentBy(protocol);
    return `<sip:switchboard@${sentBy.host}:${sentBy.port}${protocol === 'udp' ? '' : `;transport=${protocol}`}>`;
  }
}

function capabilities(): [string, string][] {
  return [
    ['Allow', ALLOW],
    ['Accept', 'application/sdp, application/dtmf-relay, application/dtmf'],
    ['Supported', ''],
    ['User-Agent', USER_AGENT],
  ].filter(([, v]) => v !== '') as [string, string][];
}
