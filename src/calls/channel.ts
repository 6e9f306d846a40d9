import { toGregorian, TypedEmitter, type Clock, type Logger, type TimerHandle } from '../lib/index.ts';
import { DtmfDetector, type MediaEndpoint, type RtpSource } from '../media/index.ts';
import type { Dialog } from '../sip/index.ts';
import type { LegMedia } from './leg-media.ts';
import type { HangupCause } from './hangup-cause.ts';

/** docs/calls.md: a leg's life. */
export const CHANNEL_STATES = ['new', 'ringing', 'early', 'answered', 'hungup'] as const;
export type ChannelState = (typeof CHANNEL_STATES)[number];

const TRANSITIONS: Readonly<Record<ChannelState, readonly ChannelState[]>> = {
  new: ['ringing', 'early', 'answered', 'hungup'],
  ringing: ['early', 'answered', 'hungup'],
  early: ['answered', 'hungup'],
  answered: ['hungup'],
  hungup: [],
};

export type ChannelDirection = 'inbound' | 'outbound';

/** A move the state table does not allow: a bug, never a runtime condition. */
export class IllegalChannelTransition extends Error {
  constructor(uuid: string, from: ChannelState, to: ChannelState) {
    super(`channel ${uuid}: illegal transition ${from} → ${to}`);
  }
}

/** The SIP side of a channel: how to end it at the protocol level for a cause. */
export interface ChannelSignalling {
  /** The leg's dialog once it exists (in-dialog requests: re-INVITE, REFER's NOTIFY, BYE). */
  readonly dialog: Dialog | undefined;
  /** Final failure, CANCEL or BYE, whichever the leg's state calls for. Never throws. */
  end(cause: HangupCause): void;
  /** Sends DTMF as SIP INFO when the peer cannot take RFC 4733 (optional). */
  sendInfoDtmf?(digit: string, durationMs: number): void;
}

/** Who and what a channel is: KAZOO's channel fields (reference §2.2), camelCase inside. */
export interface ChannelProfile {
  readonly uuid: string;
  readonly direction: ChannelDirection;
  readonly accountId: string;
  readonly realm: string;
  readonly callerIdName: string;
  readonly callerIdNumber: string;
  readonly calleeIdName: string;
  readonly calleeIdNumber: string;
  /** The dialed number (Request-URI user). */
  readonly destination: string;
  /** SIP username of the device on this leg. */
  readonly username?: string;
  readonly authorizingId?: string;
  readonly authorizingType?: 'device' | 'user' | 'resource';
  readonly ownerId?: string;
  readonly presenceId?: string;
  readonly callflowId?: string;
  readonly fromUri: string;
  readonly toUri: string;
  readonly requestUri: string;
  readonly fromTag?: string;
  readonly userAgent?: string;
  readonly customChannelVars?: Readonly<Record<string, unknown>>;
  /** KAZOO's `custom_application_vars` (set by originate / click-to-call). */
  readonly customApplicationVars?: Readonly<Record<string, unknown>>;
}

export type ChannelEvents = {
  stateChanged: [from: ChannelState, to: ChannelState];
  answered: [];
  bridged: [other: Channel];
  unbridged: [other: Channel];
  dtmf: [digit: string, durationMs: number];
  /** This channel put its peer on hold (phone re-INVITE or command), or took it off. */
  held: [];
  unheld: [];
  /** The channel ended; emitted exactly once. */
  closed: [cause: HangupCause];
};

/**
 * One call leg (KAZOO's channel): its profile, its state machine, its anchored media endpoint and
 * the commands later layers call (hangup, play, stop playback, send DTMF).
 */
export class Channel extends TypedEmitter<ChannelEvents> {
  readonly profile: ChannelProfile;
  readonly media: MediaEndpoint;
  readonly createdAt: number;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #detector: DtmfDetector;
  readonly #timers = new Set<TimerHandle>();
  #signalling: ChannelSignalling | undefined;
  #state: ChannelState = 'new';
  #answeredAt: number | undefined;
  #otherLeg: Channel | undefined;
  #bridgeId: string | undefined;
  #hangupCause: HangupCause | undefined;
  #hangupCode: number | undefined;
  #toTag: string | undefined;
  #playing: RtpSource | undefined;
  #onHold = false;
  #ending = false;
  #revision = 0;
  /** Our side of the leg's SDP (set by whoever created the leg; used for re-offers). */
  localMedia: LegMedia | undefined;
  /** Set by the bridge: plays a source toward this channel through the relay. */
  playThroughBridge: ((source: RtpSource | undefined) => void) | undefined;

  constructor(profile: ChannelProfile, media: MediaEndpoint, clock: Clock, logger: Logger) {
    super();
    this.profile = profile;
    this.media = media;
    this.#clock = clock;
    this.createdAt = clock.now();
    this.#log = logger.child({ channel: profile.uuid });
    this.onListenerError = (error, event) => this.#log.error({ err: error, event }, 'channel listener failed');
    this.#detector = new DtmfDetector({ payloadType: media.format.telephoneEventPayloadType ?? 101, clock });
    this.#detector.on('dtmf', (e) => this.emit('dtmf', e.digit, e.durationMs));
    media.addReceiver((packet, rtcp) => {
      if (!rtcp) this.#detector.push(packet);
    });
  }

  get uuid(): string {
    return this.profile.uuid;
  }
  get state(): ChannelState {
    return this.#state;
  }
  get answered(): boolean {
    return this.#answeredAt !== undefined;
  }
  get answeredAt(): number | undefined {
    return this.#answeredAt;
  }
  get otherLeg(): Channel | undefined {
    return this.#otherLeg;
  }
  get bridgeId(): string | undefined {
    return this.#bridgeId;
  }
  get hangupCause(): HangupCause | undefined {
    return this.#hangupCause;
  }
  /** The SIP status that ended the channel (KAZOO's `hangup_code` is `sip:<code>`). */
  get hangupCode(): number | undefined {
    return this.#hangupCode;
  }
  get closed(): boolean {
    return this.#state === 'hungup';
  }
  get toTag(): string | undefined {
    return this.#toTag;
  }
  /** True while this channel holds its peer (KAZOO `is_onhold`). */
  get onHold(): boolean {
    return this.#onHold;
  }
  /**
   * Counts the changes to what a channel view shows (state, answer, hold, bridge, to-tag); the
   * profile never changes. Caches of serialised views compare it.
   */
  get revision(): number {
    return this.#revision;
  }
  /** The SIP dialog of the leg, once answered or early. */
  get dialog(): Dialog | undefined {
    return this.#signalling?.dialog;
  }

  /** Records the hold state and reports the change (CHANNEL_HOLD / CHANNEL_UNHOLD). */
  setOnHold(onHold: boolean): void {
    if (this.closed || onHold === this.#onHold) return;
    this.#onHold = onHold;
    this.#revision++;
    this.emit(onHold ? 'held' : 'unheld');
  }
  /** Gregorian seconds of creation (KAZOO's `timestamp`). */
  get timestamp(): number {
    return toGregorian(this.createdAt);
  }

  /** Attaches the SIP side (once the leg exists). */
  setSignalling(signalling: ChannelSignalling): void {
    this.#signalling = signalling;
  }

  setToTag(tag: string): void {
    this.#toTag = tag;
    this.#revision++;
  }

  /** Keeps the DTMF detector on the negotiated telephone-event payload type. */
  formatChanged(): void {
    const pt = this.media.format.telephoneEventPayloadType;
    if (pt !== undefined) this.#detector.setPayloadType(pt);
  }

  /** Moves along the state table; an illegal move throws. Moving to `hungup` ends the channel. */
  transition(to: ChannelState): void {
    const from = this.#state;
    if (from === to) return;
    if (to === 'hungup' && !this.#ending) {
      this.ended('NORMAL_CLEARING');
      return;
    }
    if (!TRANSITIONS[from].includes(to)) throw new IllegalChannelTransition(this.uuid, from, to);
    this.#state = to;
    this.#revision++;
    this.#log.debug({ from, to }, 'channel state');
    this.emit('stateChanged', from, to);
    if (to === 'answered') {
      this.#answeredAt = this.#clock.now();
      this.#revision++;
      this.emit('answered');
    }
  }

  /** Ringing, unless already further along. */
  ringing(): void {
    if (this.#state === 'new') this.transition('ringing');
  }

  /** Early media, unless already answered. */
  early(): void {
    if (this.#state === 'new' || this.#state === 'ringing') this.transition('early');
  }

  /** Records the peer of a bridge (called by the bridge). */
  bridgedTo(other: Channel | undefined, bridgeId: string | undefined): void {
    const previous = this.#otherLeg;
    this.#otherLeg = other;
    this.#bridgeId = bridgeId;
    this.#revision++;
    if (other !== undefined) this.emit('bridged', other);
    else if (previous !== undefined) this.emit('unbridged', previous);
  }

  /** Hangs the channel up for `cause` (our decision: BYE, CANCEL or a final failure goes out). */
  hangup(cause: HangupCause = 'NORMAL_CLEARING', sipCode?: number): void {
    if (this.closed) return;
    try {
      this.#signalling?.end(cause);
    } catch (error) {
      this.#log.error({ err: error }, 'signalling end failed');
    }
    this.ended(cause, sipCode);
  }

  /** The channel ended (the far end's BYE, CANCEL or failure `sipCode`, or our hangup): nothing more is sent. */
  ended(cause: HangupCause, sipCode?: number): void {
    if (this.closed || this.#ending) return;
    this.#ending = true;
    this.#hangupCause = cause;
    this.#hangupCode = sipCode;
    this.transition('hungup');
    this.stopPlayback();
    for (const t of this.#timers) this.#clock.clearTimeout(t);
    this.#timers.clear();
    this.#detector.close();
    this.media.close();
    this.emit('closed', cause);
    this.removeAllListeners();
  }

  /** Starts a timer owned by the channel (cleared at hangup). */
  after(ms: number, fn: () => void): TimerHandle {
    const handle = this.#clock.setTimeout(() => {
      this.#timers.delete(handle);
      fn();
    }, ms);
    this.#timers.add(handle);
    return handle;
  }

  cancelTimer(handle: TimerHandle): void {
    this.#clock.clearTimeout(handle);
    this.#timers.delete(handle);
  }

  /** A DTMF digit signalled out of band (SIP INFO). */
  receivedDtmf(digit: string, durationMs: number): void {
    if (!this.closed) this.emit('dtmf', digit, durationMs);
  }

  /** Plays a generated source to this channel (replacing what its peer says while it plays). */
  play(source: RtpSource): void {
    if (this.closed) return;
    this.stopPlayback();
    this.#playing = source;
    source.once('ended', () => {
      if (this.#playing === source) this.#playing = undefined;
    });
    if (this.playThroughBridge !== undefined) this.playThroughBridge(source);
    else source.start(this.media);
  }

  stopPlayback(): void {
    const source = this.#playing;
    if (source === undefined) return;
    this.#playing = undefined;
    if (this.playThroughBridge !== undefined) this.playThroughBridge(undefined);
    source.stop();
  }

  get playing(): boolean {
    return this.#playing !== undefined;
  }
}
