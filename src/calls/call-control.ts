import { SwitchboardError, type Logger } from '../lib/index.ts';
import { createOffer, readAnswer, type MediaDirection, type RtpSource } from '../media/index.ts';
import type { Bridge } from './bridge.ts';
import type { CallContext } from './call-context.ts';
import type { Channel } from './channel.ts';
import { defaultMusicOnHold } from './default-moh.ts';
import type { HangupCause } from './hangup-cause.ts';
import type { CallTakeover, InterceptOptions, MoveOptions, TakeoverCall } from './intercept/takeover-types.ts';
import { checkRecordOptions, type CallRecordings, type RecordingOutcome, type RecordingStarted, type RecordOptions } from './recording/index.ts';

/** Why a command cannot run on a channel; the API answers 400 with `field`/`code`. */
export class CallCommandError extends SwitchboardError {
  /** The request field the error is about (KAZOO validation path), e.g. `other_leg_call_id`. */
  readonly field: string;
  readonly rule: string;
  constructor(field: string, rule: string, message: string) {
    super('call_command_invalid', message);
    this.field = field;
    this.rule = rule;
  }
}

/** The channel a command names does not exist (or is not the caller's): 404. */
export class UnknownChannel extends SwitchboardError {
  readonly uuid: string;
  constructor(uuid: string) {
    super('unknown_channel', `no live channel ${uuid}`);
    this.uuid = uuid;
  }
}

/** Finds the WAV of the music a held party hears (user's, then account's `music_on_hold.media_id`). */
export type MusicOnHoldLookup = (holder: Channel, held: Channel) => Promise<Uint8Array | undefined>;

/**
 * How to transfer (KAZOO's transfer action and metaflow, reference §2.4/§3.7; Wazo's transfers).
 * `leg`: which leg is the transferor — `self` (default, KAZOO's `dtmf_leg`: the channel named) or
 * `bleg` (its peer; the channel named is then the one transferred).
 */
export interface TransferOptions {
  /** `blind` (default, as KAZOO's API): the transferor leaves at once; `attended`: it talks to the target first. */
  readonly type?: 'blind' | 'attended';
  readonly leg?: 'self' | 'bleg';
  /** Digits the transferor presses to take the transferee back (attended); default `*1`. */
  readonly takebackDtmf?: string;
  /** Media id of the music the transferee hears while it waits; default the music on hold. */
  readonly moh?: string;
}

/** A transfer that started. */
export interface TransferInfo {
  readonly id: string;
  readonly type: 'blind' | 'attended';
  readonly transferorCallId: string;
  readonly transfereeCallId: string;
  readonly target: string;
}

/** Transfers as the control delegates them (calls/transfer, handed over by the composition root). */
export interface TransferHandler {
  readonly closed: boolean;
  /** Starts a transfer of `transferee` away from `transferor`; resolves once the target is known good. */
  start(transferor: Channel, transferee: Channel, target: string, options: TransferOptions): Promise<TransferInfo>;
  /** Completes the transfer `channel` takes part in (the transferor leaves). */
  complete(channel: Channel): void;
  /** Takes the transferee back to the transferor (the target is dropped). */
  cancel(channel: Channel): void;
}

/**
 * The commands later layers call on live channels (REST actions, Konami, click-to-call): each
 * checks the channel's state first and throws {@link CallCommandError} when it cannot run.
 */
export class CallControl {
  /** Channels with a re-INVITE of ours in flight. */
  readonly #reoffering = new WeakSet<Channel>();
  readonly #ctx: CallContext;
  readonly #moh: MusicOnHoldLookup;
  readonly #log: Logger;
  #recordings: CallRecordings | undefined;
  #transfers: TransferHandler | undefined;
  #takeover: CallTakeover | undefined;

  constructor(context: CallContext, musicOnHold: MusicOnHoldLookup) {
    this.#ctx = context;
    this.#moh = musicOnHold;
    this.#log = context.logger.child({ category: 'control' });
  }

  /** The live channel `uuid` (of `accountId` when given), or {@link UnknownChannel}. */
  channel(uuid: string, accountId?: string): Channel {
    const channel = this.#ctx.channels.get(uuid);
    if (channel === undefined || channel.closed || (accountId !== undefined && channel.profile.accountId !== accountId)) throw new UnknownChannel(uuid);
    return channel;
  }

  /** The bridge a channel is in, or a `not bridged` error. */
  bridgeOf(channel: Channel): Bridge {
    const bridge = this.#ctx.bridges.get(channel.uuid);
    if (bridge === undefined || bridge.closed) throw new CallCommandError('other_leg_call_id', 'required', 'Channel is not bridged');
    return bridge;
  }

  hangup(channel: Channel, cause: HangupCause = 'NORMAL_CLEARING'): void {
    channel.hangup(cause);
  }

  /**
   * `channel` puts its peer on hold (as its phone's hold button would): the peer hears music on
   * hold and gets a re-INVITE with `a=sendonly` (RFC 3264 §8.4); CHANNEL_HOLD is published.
   */
  async hold(channel: Channel): Promise<void> {
    const bridge = this.bridgeOf(channel);
    if (channel.onHold) return;
    await this.#startMusic(channel, bridge);
    await this.reoffer(bridge.peerOf(channel), 'sendonly');
  }

  /** Takes the peer off hold: media flows both ways again, the peer gets a `sendrecv` re-INVITE. */
  async unhold(channel: Channel): Promise<void> {
    const bridge = this.bridgeOf(channel);
    if (!channel.onHold) return;
    bridge.unhold();
    channel.setOnHold(false);
    await this.reoffer(bridge.peerOf(channel), 'sendrecv');
  }

  /** A phone's re-INVITE said it holds (`sendonly`/`inactive`/0.0.0.0) or resumes: follow it. */
  async phoneHold(channel: Channel, holding: boolean): Promise<void> {
    const bridge = this.#ctx.bridges.get(channel.uuid);
    if (bridge === undefined || bridge.closed || holding === channel.onHold) return;
    if (holding) {
      await this.#startMusic(channel, bridge);
    } else {
      bridge.unhold();
      channel.setOnHold(false);
    }
  }

  /** Plays a source to one channel (or stops what plays with `undefined`). */
  play(channel: Channel, source: RtpSource | undefined): void {
    if (source === undefined) channel.stopPlayback();
    else channel.play(source);
  }

  /** Sends DTMF to a channel as RFC 4733 events (SIP INFO when it agreed no telephone-event). */
  sendDtmf(channel: Channel, digits: string): void {
    if (!channel.answered) throw new CallCommandError('digits', 'invalid', 'Channel is not answered');
    if (!/^[0-9*#A-Da-d]+$/.test(digits)) throw new CallCommandError('digits', 'pattern', 'Digits must be 0-9, *, #, A-D');
    if (channel.media.format.telephoneEventPayloadType === undefined) {
      throw new CallCommandError('digits', 'invalid', 'Channel agreed no telephone-event');
    }
    channel.play(this.#ctx.engine.createDtmfSender(digits));
  }

  /**
   * Sends a re-INVITE with a fresh offer in `direction` on the channel's dialog and applies the
   * answer. Glare (491) and failures leave the media as it was.
   */
  async reoffer(channel: Channel, direction: MediaDirection): Promise<void> {
    const dialog = channel.dialog;
    const lm = channel.localMedia;
    if (dialog === undefined || lm === undefined || channel.closed || dialog.state !== 'confirmed') return;
    const format = channel.media.format;
    const local = { ...lm.local, codecs: [format.codec], dtmfPayloadType: format.telephoneEventPayloadType ?? null, direction };
    const offer = createOffer(local, lm.origin);
    this.#reoffering.add(channel);
    await new Promise<void>((resolve) => {
      const tx = this.#ctx.stack.reinvite(dialog, { body: Buffer.from(offer), contentType: 'application/sdp' });
      tx.on('final', (response) => {
        if (response.status < 300 && response.body.length > 0) {
          try {
            channel.media.setRemote(readAnswer(response.body.toString('utf8'), local).remote);
          } catch (error) {
            this.#log.warn({ err: error, channel: channel.uuid }, 're-INVITE answer unusable');
          }
        }
        resolve();
      });
      tx.on('timeout', () => resolve());
      tx.on('transportError', () => resolve());
    }).finally(() => this.#reoffering.delete(channel));
  }

  /**
   * True while our re-INVITE to `channel` waits for its final response: an offer of ours is open on
   * that dialog, so a re-INVITE from the phone must get 491 (RFC 3261 §14.2).
   */
  isReoffering(channel: Channel): boolean {
    return this.#reoffering.has(channel);
  }

  /** Hands the control the switch's recordings (composition root); without them recording is refused. */
  useRecordings(recordings: CallRecordings): void {
    this.#recordings = recordings;
  }

  /**
   * Records the call `channel` is bridged in as a stereo WAV (left: the bridge's A leg, right: its
   * B leg; docs/calls.md "Recording"), stored as a `call_recording` doc when it stops. A call that is
   * already recorded keeps its recording (`alreadyRecording`).
   */
  recordStart(channel: Channel, options: RecordOptions = {}): RecordingStarted {
    const bridge = this.bridgeOf(channel);
    const problem = checkRecordOptions(options);
    if (problem !== undefined) throw new CallCommandError(problem.field, problem.rule, problem.message);
    if (this.#recordings === undefined || this.#recordings.closed) throw new CallCommandError('action', 'invalid', 'Recording is not available');
    return this.#recordings.start(channel, bridge, options);
  }

  /** True while `channel`'s call is being recorded. */
  isRecording(channel: Channel): boolean {
    return this.#recordings?.recorderOf(channel) !== undefined;
  }

  /** Stops the recording of `channel`'s call; resolves once it is stored (or discarded as too short). */
  async recordStop(channel: Channel): Promise<RecordingOutcome> {
    const outcome = this.#recordings?.stop(channel);
    if (outcome === undefined) throw new CallCommandError('action', 'invalid', 'Channel is not being recorded');
    return outcome;
  }

  /** Hands the control the switch's transfers (composition root); without them transfers are refused. */
  useTransfers(transfers: TransferHandler): void {
    this.#transfers = transfers;
  }

  /**
   * Transfers the call `channel` is in to `target`, a number routed through the account's
   * callflows (docs/calls.md "Transfers"): by default `channel` is the transferor and its peer the
   * transferee. Unbridged channel, missing or unknown target, mismatched codecs → CallCommandError.
   */
  async transfer(channel: Channel, target: string, options: TransferOptions = {}): Promise<TransferInfo> {
    const bridge = this.bridgeOf(channel);
    if (target.trim() === '') throw new CallCommandError('target', 'required', 'No target destination specified');
    const transfers = this.#transfers;
    if (transfers === undefined || transfers.closed) throw new CallCommandError('action', 'invalid', 'Transfers are not available');
    const peer = bridge.peerOf(channel);
    const [transferor, transferee] = options.leg === 'bleg' ? [peer, channel] : [channel, peer];
    return transfers.start(transferor, transferee, target.trim(), options);
  }

  /** {@link transfer} with `type: 'attended'` (KAZOO Konami's transfer with takeback). */
  attendedTransfer(channel: Channel, target: string, options: Omit<TransferOptions, 'type'> = {}): Promise<TransferInfo> {
    return this.transfer(channel, target, { ...options, type: 'attended' });
  }

  /** Completes the transfer `channel` (any of its legs) takes part in: the transferor leaves (Wazo `complete`). */
  completeTransfer(channel: Channel): void {
    this.#transferHandler().complete(channel);
  }

  /** Cancels the transfer `channel` takes part in: transferor and transferee talk again (Wazo `cancel`). */
  cancelTransfer(channel: Channel): void {
    this.#transferHandler().cancel(channel);
  }

  #transferHandler(): TransferHandler {
    const transfers = this.#transfers;
    if (transfers === undefined || transfers.closed) throw new CallCommandError('action', 'invalid', 'Transfers are not available');
    return transfers;
  }

  /** Hands the control intercept and move (composition root: `new Interceptor(...)`); without them both are refused. */
  useTakeover(takeover: CallTakeover): void {
    this.#takeover = takeover;
  }

  /**
   * KAZOO `intercept` (reference §3.7): rings the target device, or the user's devices, and gives
   * it the call `channel` is part of, ringing (either leg) or answered: the caller stays and is
   * bridged to the target's answer; the ringing phones get CANCEL, an answered callee gets BYE.
   * `unbridgedOnly` (default true) refuses an answered, bridged call. Resolves once the target
   * rings; the handle's `outcome` says whether it took the call.
   */
  async intercept(channel: Channel, options: InterceptOptions): Promise<TakeoverCall> {
    const takeover = this.#takeover;
    if (takeover === undefined) throw new CallCommandError('action', 'invalid', 'Intercept is not available');
    return takeover.intercept(channel, options);
  }

  /**
   * KAZOO `move` (reference §3.7): rings every other device of the owner of `channel`'s device;
   * the first to answer gets the call (the far party stays) and `channel` is hung up.
   */
  async move(channel: Channel, options: MoveOptions = {}): Promise<TakeoverCall> {
    const takeover = this.#takeover;
    if (takeover === undefined) throw new CallCommandError('action', 'invalid', 'Move is not available');
    return takeover.move(channel, options);
  }

  async #startMusic(holder: Channel, bridge: Bridge): Promise<void> {
    const held = bridge.peerOf(holder);
    let wav: Uint8Array | undefined;
    try {
      wav = await this.#moh(holder, held);
    } catch (error) {
      this.#log.warn({ err: error }, 'music on hold lookup failed; playing the default');
    }
    let music: RtpSource;
    try {
      music = this.#ctx.engine.createWavPlayer(wav ?? defaultMusicOnHold(), { loop: true });
    } catch {
      music = this.#ctx.engine.createWavPlayer(defaultMusicOnHold(), { loop: true });
    }
    bridge.hold(held, music);
    holder.setOnHold(true);
  }
}
