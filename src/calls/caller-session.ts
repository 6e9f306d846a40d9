import type { Bridge } from './bridge.ts';
import type { Channel } from './channel.ts';
import type { Dial } from './dialer.ts';
import type { HangupCause } from './hangup-cause.ts';

/**
 * The channel a callflow runs for, as the modules see it: an inbound call being set up
 * ({@link InboundSession}) or a channel that is already up ({@link AnsweredSession}).
 */
export interface CallerSession {
  readonly channel: Channel;
  /** Answers the caller if it is not answered yet; false when it is gone. */
  answer(): boolean;
  /** Lets the caller hear a dial's progress. */
  follow(dial: Dial): void;
  /** Bridges the caller to an answered leg. */
  bridge(callee: Channel): Bridge | undefined;
  /** Ends the caller with a failure status (before answer) or cause. */
  fail(status: number, cause: HangupCause): void;
}
