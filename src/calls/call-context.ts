import type { Clock, Logger } from '../lib/index.ts';
import type { MediaEngine } from '../media/index.ts';
import type { Dialog, SipStack, TransportProtocol } from '../sip/index.ts';
import type { Bridge } from './bridge.ts';
import type { CallNotifier } from './call-notifier.ts';
import type { Channel } from './channel.ts';
import type { ChannelDirectory } from './channel-directory.ts';
import type { HangupCause } from './hangup-cause.ts';
import type { LegMedia } from './leg-media.ts';

export type { LegMedia } from './leg-media.ts';

/** What every call shares: the stack, the engine, the directory and the switch's settings. */
export interface CallContext {
  readonly stack: SipStack;
  readonly engine: MediaEngine;
  readonly channels: ChannelDirectory;
  /** Live bridges by channel uuid (both channels of a bridge map to it). */
  readonly bridges: Map<string, Bridge>;
  readonly notifier: CallNotifier;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Longest answered call; 0 = unlimited. */
  readonly maxCallMs: number;
  /** Our Contact URI for a leg on `protocol`. */
  localContact(protocol: TransportProtocol): string;
  /** Makes in-dialog requests of `dialog` reach `channel`. */
  registerDialog(dialog: Dialog, channel: Channel, media: LegMedia): void;
  /**
   * Dials in progress by the uuid of each channel they involve (the peer and every ringing leg),
   * so that intercept can find the dial of a ringing call. Dials register themselves when set.
   */
  readonly dials?: Map<string, PendingDial>;
}

/** A dial in progress, as intercept sees it (implemented by `Dial`). */
export interface PendingDial {
  /** The channel the answered leg will be bridged to; undefined for an originate's first leg. */
  readonly peer: Channel | undefined;
  /** The legs still ringing. */
  readonly ringing: readonly Channel[];
  /** True once the dial has its outcome. */
  readonly done: boolean;
  /** Settles with the answered leg, or without one when nobody answered. */
  readonly outcome: Promise<{ readonly answered?: Channel | undefined }>;
  /**
   * Another leg answers on this dial's behalf (intercept): every ringing leg ends with `cause` and
   * the outcome is `answered`, which the dial's owner then bridges. False once the dial is over.
   */
  handOver(answered: Channel, media: LegMedia, cause: HangupCause): boolean;
}

/** Starts a channel's life: directory, events, and its removal at the end. */
export function enlist(context: CallContext, channel: Channel): void {
  context.channels.add(channel);
  context.notifier.track(channel);
  channel.on('closed', () => context.channels.remove(channel.uuid));
}
