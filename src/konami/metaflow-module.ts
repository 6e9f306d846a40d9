import type { CallControl, Channel } from '../calls/index.ts';
import type { Logger } from '../lib/index.ts';
import type { MediaEngine } from '../media/index.ts';

/** A metaflow node (KAZOO `metaflow` schema): a module, its data and its children. */
export interface MetaflowNode {
  readonly module: string;
  readonly data?: Readonly<Record<string, unknown>>;
  readonly children?: Readonly<Record<string, MetaflowNode>>;
}

/** What a module says next (reference §3.5): run the `_` child, a named child, or stop. */
export type MetaflowOutcome = { readonly kind: 'continue' } | { readonly kind: 'branch'; readonly key: string } | { readonly kind: 'stop' };

/** What a module runs with: the call (the channel the metaflow was triggered on) and the commands. */
export interface MetaflowContext {
  /** The leg that pressed the digits or that the API named (KAZOO's `dtmf_leg`). */
  readonly channel: Channel;
  readonly control: CallControl;
  readonly media: MediaEngine;
  readonly logger: Logger;
  /** Loads a media doc's WAV of the channel's account (play, announcements). */
  mediaAudio(mediaId: string): Promise<Uint8Array | undefined>;
  /** Runs a callflow (by id, or the one owning a number) on the channel; throws when none is found. */
  runCallflow(channel: Channel, which: { readonly id: string } | { readonly number: string }): Promise<void>;
}

/** One metaflow module (one file each in `konami/modules/`). */
export interface MetaflowModule {
  readonly name: string;
  run(context: MetaflowContext, data: Readonly<Record<string, unknown>>): Promise<MetaflowOutcome>;
}

export const CONTINUE: MetaflowOutcome = { kind: 'continue' };
export const STOP: MetaflowOutcome = { kind: 'stop' };
