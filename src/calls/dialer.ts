import { TypedEmitter, type Logger, type TimerHandle } from '../lib/index.ts';
import { readAnswer } from '../media/index.ts';
import type { Dialog, SipRequest, SipResponse } from '../sip/index.ts';
import { enlist, type CallContext, type LegMedia, type PendingDial } from './call-context.ts';
import type { Channel } from './channel.ts';
import { authenticatedRetry, challengedIn } from './digest-retry.ts';
import { bestFailure, causeOfStatus, type HangupCause } from './hangup-cause.ts';
import { OutboundLeg } from './outbound-leg.ts';
import { prepareOutbound } from './outbound-call.ts';
import type { DialEvents, DialOptions, DialOutcome, DialTarget } from './dial-types.ts';

export type { DialTarget, DialOptions, DialOutcome, DialEvents } from './dial-types.ts';

interface Attempt {
  readonly channel: Channel;
  readonly leg: OutboundLeg;
  readonly media: LegMedia;
  readonly target: DialTarget;
  authRetried: boolean;
  failedWith?: number;
  /** The target's own ring timer (`DialTarget.timeoutMs`, simultaneous strategy). */
  ringTimer?: TimerHandle;
}


/**
 * Rings targets for a call (docs/calls.md, "Dialer"): every outbound leg is a channel with its own
 * anchored endpoint; the first answer wins and the others get CANCEL (Reason: call completed
 * elsewhere); with no answer the outcome is the best failure (RFC 3261 §16.7).
 */
export class Dial extends TypedEmitter<DialEvents> implements PendingDial {
  readonly outcome: Promise<DialOutcome>;
  readonly #ctx: CallContext;
  readonly #options: DialOptions;
  readonly #targets: readonly DialTarget[];
  readonly #attempts = new Map<string, Attempt>();
  readonly #log: Logger;
  #resolve!: (outcome: DialOutcome) => void;
  #done = false;
  #next = 0;
  #timer: TimerHandle | undefined;
  /** Targets waiting for their `delayMs`, and targets whose leg is being set up. */
  readonly #delayed = new Set<TimerHandle>();
  #starting = 0;

  constructor(context: CallContext, targets: readonly DialTarget[], options: DialOptions) {
    super();
    this.#ctx = context;
    this.#targets = targets;
    this.#options = options;
    this.#log = context.logger.child({ dial: options.peer?.uuid ?? 'originate' });
    this.onListenerError = (error) => this.#log.error({ err: error }, 'dial listener failed');
    this.outcome = new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }

  /** The channel the answer will be bridged to (undefined: an originate's first leg). */
  get peer(): Channel | undefined {
    return this.#options.peer;
  }

  /** The legs still ringing. */
  get ringing(): Channel[] {
    return [...this.#attempts.values()].map((a) => a.channel).filter((c) => !c.closed && !c.answered);
  }

  get done(): boolean {
    return this.#done;
  }

  /**
   * Another leg answered on this dial's behalf (intercept): the outcome is `answered` and every
   * leg still ringing ends with `cause` (CANCEL). False when the dial already had its outcome.
   */
  handOver(answered: Channel, media: LegMedia, cause: HangupCause): boolean {
    if (this.#done) return false;
    const ringing = [...this.#attempts.values()].filter((a) => !a.channel.closed);
    this.#finish({ answered, media });
    for (const a of ringing) a.channel.hangup(cause);
    return true;
  }

  /** Starts ringing. */
  async start(): Promise<void> {
    const peer = this.#options.peer;
    if (peer !== undefined && !this.#done && this.#ctx.dials?.has(peer.uuid) === false) this.#ctx.dials.set(peer.uuid, this);
    if (this.#targets.length === 0) {
      this.#finish({ status: 480, cause: 'NO_USER_RESPONSE' });
      return;
    }
    if (this.#options.strategy === 'single') {
      await this.#dialNext();
      return;
    }
    for (const target of this.#targets) {
      if (this.#done) return;
      if ((target.delayMs ?? 0) > 0) this.#later(target);
      else await this.#ring(target);
    }
    this.#timer = this.#ctx.clock.setTimeout(() => this.#timeout(), this.#options.timeoutMs);
    this.#checkAllFailed();
  }

  /** Simultaneous strategy: rings `target` after its delay (unless the dial ended by then). */
  #later(target: DialTarget): void {
    const handle = this.#ctx.clock.setTimeout(() => {
      this.#delayed.delete(handle);
      if (this.#done) return;
      void this.#ring(target).then(() => this.#checkAllFailed());
    }, target.delayMs ?? 0);
    this.#delayed.add(handle);
  }

  /** Simultaneous strategy: one target's leg, with its own ring timer when it has one. */
  async #ring(target: DialTarget): Promise<void> {
    this.#starting++;
    let attempt: Attempt | undefined;
    try {
      attempt = await this.#dial(target);
    } finally {
      this.#starting--;
    }
    if (attempt === undefined || target.timeoutMs === undefined || this.#done || attempt.channel.closed) return;
    const a = attempt;
    a.ringTimer = a.channel.after(target.timeoutMs, () => {
      a.ringTimer = undefined;
      if (this.#done || a.channel.closed || a.channel.answered) return;
      a.failedWith = 408;
      a.channel.hangup('NO_ANSWER');
    });
  }

  /** Stops ringing every target (the caller went away); the outcome is that failure. */
  cancel(cause: HangupCause): void {
    if (this.#done) return;
    for (const a of this.#attempts.values()) if (!a.channel.closed) a.channel.hangup(cause);
    this.#finish({ status: 487, cause });
  }

  async #dialNext(): Promise<void> {
    while (!this.#done && this.#next < this.#targets.length) {
      const target = this.#targets[this.#next++];
      if (target === undefined) break;
      const attempt = await this.#dial(target);
      if (attempt !== undefined) {
        if (this.#timer !== undefined) this.#ctx.clock.clearTimeout(this.#timer);
        this.#timer = this.#ctx.clock.setTimeout(() => this.#timeout(), target.timeoutMs ?? this.#options.timeoutMs);
        return;
      }
    }
    this.#checkAllFailed();
  }

  async #dial(target: DialTarget): Promise<Attempt | undefined> {
    const ctx = this.#ctx;
    const o = this.#options;
    let endpoint;
    try {
      endpoint = await ctx.engine.createEndpoint();
    } catch (error) {
      this.#log.warn({ err: error }, 'no media port for an outbound leg');
      return undefined;
    }
    if (this.#done) {
      // Answered (or handed over) while this leg's port was being bound: it must not ring at all.
      endpoint.close();
      return undefined;
    }
    const { invite, channel, media } = prepareOutbound(ctx, target, o, endpoint);
    const callId = channel.uuid;
    channel.localMedia = media;
    enlist(ctx, channel);
    const leg = new OutboundLeg(ctx.stack, this.#send(invite, target));
    channel.setSignalling(leg);
    const attempt: Attempt = { channel, leg, media, target, authRetried: false };
    this.#attempts.set(callId, attempt);
    this.#follow(attempt);
    channel.on('closed', () => this.#gone(attempt));
    if (!this.#done) {
      this.#ctx.dials?.set(callId, this);
      channel.on('closed', () => this.#unlist(callId));
    }
    return attempt;
  }

  #send(invite: SipRequest, target: DialTarget) {
    const destination = target.destination;
    const ctx = this.#ctx;
    const protocol = destination?.transport ?? 'udp';
    return ctx.stack.invite(invite, { ...(destination !== undefined ? { destination } : {}), localContact: ctx.localContact(protocol) });
  }

  #follow(attempt: Attempt): void {
    const invite = attempt.leg.invite;
    invite.on('provisional', (response) => this.#provisional(attempt, response));
    invite.on('accepted', (response, dialog) => this.#accepted(attempt, response, dialog));
    invite.on('rejected', (response) => this.#rejected(attempt, response));
    invite.on('timeout', () => this.#failed(attempt, 408));
    invite.on('transportError', () => this.#failed(attempt, 503));
  }

  #provisional(attempt: Attempt, response: SipResponse): void {
    const { channel } = attempt;
    if (this.#done || channel.closed || response.status === 100) return;
    const tag = toTagOf(response);
    if (tag !== undefined) channel.setToTag(tag);
    if (response.body.length > 0 && channel.state !== 'early' && this.#negotiate(attempt, response)) {
      channel.early();
      this.emit('early', channel);
      return;
    }
    channel.ringing();
    this.emit('ringing', channel);
  }

  #accepted(attempt: Attempt, response: SipResponse, dialog: Dialog): void {
    const { channel, leg } = attempt;
    leg.accepted(dialog);
    const tag = toTagOf(response);
    if (tag !== undefined) channel.setToTag(tag);
    this.#ctx.registerDialog(dialog, channel, attempt.media);
    if (this.#done || channel.closed) {
      // A second fork, or a 2xx that crossed our CANCEL: it was ACKed; now hang it up.
      channel.hangup('LOSE_RACE');
      return;
    }
    if (!this.#negotiate(attempt, response)) {
      channel.hangup('INCOMPATIBLE_DESTINATION');
      return;
    }
    if (attempt.ringTimer !== undefined) channel.cancelTimer(attempt.ringTimer);
    attempt.ringTimer = undefined;
    channel.transition('answered');
    for (const other of this.#attempts.values()) if (other !== attempt && !other.channel.closed) other.channel.hangup('LOSE_RACE');
    this.#finish({ answered: channel, media: attempt.media });
  }

  /** A 401/407 from a target we hold credentials for is answered once (carriers, RFC 3261 §22.2). */
  #rejected(attempt: Attempt, response: SipResponse): void {
    const creds = attempt.target.credentials;
    if ((response.status === 401 || response.status === 407) && creds !== undefined && !attempt.authRetried && !this.#done && challengedIn(response, creds.realm)) {
      try {
        const retry = authenticatedRetry(attempt.leg.invite.request, response, creds);
        attempt.authRetried = true;
        attempt.leg.retry(this.#send(retry, attempt.target));
        this.#follow(attempt);
        return;
      } catch (error) {
        this.#log.warn({ err: error }, 'carrier challenge not answered');
      }
    }
    this.#failed(attempt, response.status);
  }

  /** Applies the target's SDP to its endpoint; false when it agreed nothing usable. */
  #negotiate(attempt: Attempt, response: SipResponse): boolean {
    const { channel } = attempt;
    if (response.body.length === 0) return channel.media.remote !== undefined;
    try {
      const negotiated = readAnswer(response.body.toString('utf8'), attempt.media.local);
      channel.media.setFormat(negotiated.format);
      channel.media.setRemote(negotiated.remote);
      channel.formatChanged();
      return true;
    } catch (error) {
      this.#log.warn({ err: error, callee: channel.uuid }, 'unusable SDP answer');
      return false;
    }
  }

  #failed(attempt: Attempt, status: number): void {
    if (attempt.channel.closed) return;
    attempt.failedWith = status;
    attempt.channel.ended(causeOfStatus(status), status);
  }

  #gone(attempt: Attempt): void {
    if (this.#done) return;
    attempt.failedWith ??= 480;
    if (this.#options.strategy === 'single') {
      void this.#dialNext();
      return;
    }
    this.#checkAllFailed();
  }

  #checkAllFailed(): void {
    if (this.#done) return;
    const open = [...this.#attempts.values()].some((a) => !a.channel.closed);
    const pending = (this.#options.strategy === 'single' && this.#next < this.#targets.length) || this.#delayed.size > 0 || this.#starting > 0;
    if (open || pending) return;
    const status = this.#attempts.size === 0 ? 480 : bestFailure([...this.#attempts.values()].map((a) => a.failedWith ?? 480));
    this.#finish({ status, cause: causeOfStatus(status) });
  }

  #timeout(): void {
    this.#timer = undefined;
    if (this.#done) return;
    const current = [...this.#attempts.values()].filter((a) => !a.channel.closed);
    // Simultaneous: the timer ends the whole dial (NO_ANSWER → 480, as FreeSWITCH maps it) before
    // the CANCELs settle it otherwise. Single: only the current target gave up; the next one rings.
    if (this.#options.strategy !== 'single') this.#finish({ status: 480, cause: 'NO_ANSWER' });
    for (const a of current) {
      a.failedWith = 408;
      a.channel.hangup('NO_ANSWER');
    }
  }

  #finish(outcome: DialOutcome): void {
    if (this.#done) return;
    this.#done = true;
    if (this.#timer !== undefined) this.#ctx.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const handle of this.#delayed) this.#ctx.clock.clearTimeout(handle);
    this.#delayed.clear();
    for (const uuid of [this.#options.peer?.uuid, ...this.#attempts.keys()]) if (uuid !== undefined) this.#unlist(uuid);
    this.#resolve(outcome);
    this.removeAllListeners();
  }

  /** Leaves the context's registry of dials in progress (CallContext.dials). */
  #unlist(uuid: string): void {
    if (this.#ctx.dials?.get(uuid) === this) this.#ctx.dials.delete(uuid);
  }
}

function toTagOf(response: SipResponse): string | undefined {
  return /;\s*tag=([^;>\s]+)/i.exec(response.headers.get('To') ?? '')?.[1];
}
