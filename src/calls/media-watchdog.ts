import { SwitchboardError, type Clock, type Logger, type TimerHandle } from '../lib/index.ts';
import type { MediaDirection } from '../media/index.ts';
import type { Channel } from './channel.ts';
import type { ChannelDirectory } from './channel-directory.ts';

/** Settings of a {@link MediaWatchdog}. */
export interface MediaWatchdogOptions {
  readonly channels: ChannelDirectory;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Silence (no RTP or RTCP from the phone) that ends an answered channel, in ms; 0 = never. */
  readonly rtpTimeoutMs: number;
  /** The same while the phone may legally be silent (it holds, or it was put on hold); 0 = never. */
  readonly rtpHoldTimeoutMs: number;
  /** How often the channels are sampled; default a quarter of the shorter timeout, within 250 ms–5 s. */
  readonly checkIntervalMs?: number;
}

/** What the watchdog remembers of one channel between two checks. */
interface Sample {
  /** The endpoint's packet count at the last change. */
  readonly received: number;
  /** When the count last changed (or the channel was first seen, or its hold state changed). */
  readonly since: number;
  readonly hold: boolean;
}

/** A watchdog setting that is not a usable duration. */
export class MediaWatchdogSettingError extends SwitchboardError {
  constructor(setting: string, value: number, expected = 'a finite number of ms >= 0') {
    super('media_watchdog_setting', `${setting}: expected ${expected}, got ${String(value)}`);
  }
}

/**
 * RFC 3264 §6.1/§8.4: a phone that declared `sendonly` (it holds; many phones then send nothing),
 * `recvonly` (we put it on hold) or `inactive` may stay silent. Only `sendrecv` promises RTP.
 */
function maySilence(direction: MediaDirection): boolean {
  return direction !== 'sendrecv';
}

/**
 * Ends answered channels whose phone went silent (FreeSWITCH's `rtp_timeout_sec` /
 * `rtp_hold_timeout_sec`, Asterisk's `rtptimeout` / `rtpholdtimeout`): every check it samples each
 * channel's received-packet count (RTP and RTCP, RFC 3550); a count unchanged for the timeout
 * hangs the channel up with `MEDIA_TIMEOUT` (BYE to the phone; its bridge ends the peer with the
 * same cause). Which timeout applies follows the direction the phone itself declared, so a held
 * party that still talks into music on hold is held to the normal timeout. Channels not answered
 * yet, and legs without negotiated media, are left alone.
 */
export class MediaWatchdog {
  readonly #o: MediaWatchdogOptions;
  readonly #log: Logger;
  readonly #intervalMs: number;
  #samples = new Map<Channel, Sample>();
  #timer: TimerHandle | undefined;
  #closed = false;

  constructor(options: MediaWatchdogOptions) {
    for (const [name, value] of [
      ['rtpTimeoutMs', options.rtpTimeoutMs],
      ['rtpHoldTimeoutMs', options.rtpHoldTimeoutMs],
    ] as const) {
      if (!Number.isFinite(value) || value < 0) throw new MediaWatchdogSettingError(name, value);
    }
    if (options.checkIntervalMs !== undefined && (!Number.isFinite(options.checkIntervalMs) || options.checkIntervalMs <= 0)) {
      throw new MediaWatchdogSettingError('checkIntervalMs', options.checkIntervalMs, 'a finite number of ms > 0');
    }
    this.#o = options;
    this.#log = options.logger.child({ category: 'media-watchdog' });
    const shortest = Math.min(...[options.rtpTimeoutMs, options.rtpHoldTimeoutMs].filter((ms) => ms > 0));
    this.#intervalMs = options.checkIntervalMs ?? Math.min(5000, Math.max(250, Math.floor(shortest / 4)));
    if (this.enabled) this.#schedule();
  }

  /** False when both timeouts are 0: the watchdog then never runs. */
  get enabled(): boolean {
    return this.#o.rtpTimeoutMs > 0 || this.#o.rtpHoldTimeoutMs > 0;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Stops checking; nothing is left scheduled. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== undefined) this.#o.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#samples.clear();
  }

  #schedule(): void {
    this.#timer = this.#o.clock.setTimeout(() => {
      this.#timer = undefined;
      if (this.#closed) return;
      try {
        this.#check();
      } catch (error) {
        this.#log.error({ err: error }, 'media check failed');
      }
      if (!this.#closed) this.#schedule();
    }, this.#intervalMs);
  }

  /** One pass over the live channels; channels gone since the last pass are forgotten. */
  #check(): void {
    const now = this.#o.clock.now();
    const previous = this.#samples;
    const next = new Map<Channel, Sample>();
    this.#samples = next;
    for (const channel of this.#o.channels.all()) {
      const media = channel.media;
      if (channel.state !== 'answered' || media.closed || media.remote === undefined) continue;
      const received = media.packetsReceived;
      const hold = maySilence(media.remoteDirection);
      const last = previous.get(channel);
      if (last === undefined || last.received !== received || last.hold !== hold) {
        next.set(channel, { received, since: now, hold });
        continue;
      }
      next.set(channel, last);
      const limit = hold ? this.#o.rtpHoldTimeoutMs : this.#o.rtpTimeoutMs;
      const silentMs = now - last.since;
      if (limit === 0 || silentMs < limit) continue;
      this.#log.info({ channel: channel.uuid, silentMs, hold }, 'no RTP from the phone: hanging up');
      next.delete(channel);
      try {
        channel.hangup('MEDIA_TIMEOUT');
      } catch (error) {
        this.#log.error({ err: error, channel: channel.uuid }, 'media timeout hangup failed');
      }
    }
  }
}
