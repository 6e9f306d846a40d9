import { SwitchboardError, type Logger } from '../lib/index.ts';
import { createOffer, readAnswer, type MediaDirection, type RtpSource } from '../media/index.ts';
import type { Bridge } from './bridge.ts';
import type { CallContext } from './call-context.ts';
import type { Channel } from './channel.ts';
import { defaultMusicOnHold } from './default-moh.ts';
import type { HangupCause } from './hangup-cause.ts';

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
 * The commands later layers call on live channels (REST actions, Konami, click-to-call): each
 * checks the channel's state first and throws {@link CallCommandError} when it cannot run.
 */
export class CallControl {
  readonly #ctx: CallContext;
  readonly #moh: MusicOnHoldLookup;
  readonly #log: Logger;

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
    });
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
