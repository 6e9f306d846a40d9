import type { Clock, Logger } from '../lib/index.ts';
import type { MediaEngine } from '../media/index.ts';
import type { Dialog, SipStack, TransportProtocol } from '../sip/index.ts';
import type { Bridge } from './bridge.ts';
import type { CallNotifier } from './call-notifier.ts';
import type { Channel } from './channel.ts';
import type { ChannelDirectory } from './channel-directory.ts';
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
}

/** Starts a channel's life: directory, events, and its removal at the end. */
export function enlist(context: CallContext, channel: Channel): void {
  context.channels.add(channel);
  context.notifier.track(channel);
  channel.on('closed', () => context.channels.remove(channel.uuid));
}
