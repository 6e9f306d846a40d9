import type { Channel } from '../channel.ts';
import type { HangupCause } from '../hangup-cause.ts';

/** KAZOO `intercept` (reference §3.7): which device(s) take the call. */
export interface InterceptOptions {
  readonly targetType: 'device' | 'user';
  readonly targetId: string;
  /** Refuse a call that is already answered and bridged (KAZOO `unbridged_only`, default true). */
  readonly unbridgedOnly?: boolean;
  /** How long the target rings (default 20 s, the wait of KAZOO's intercept). */
  readonly timeoutMs?: number;
}

/** KAZOO `move` (reference §3.7): the call goes to another device of the same owner. */
export interface MoveOptions {
  /** Whose devices ring (default: the owner of the channel's device). */
  readonly ownerId?: string;
  readonly timeoutMs?: number;
}

/** How a takeover ended. */
export type TakeoverOutcome =
  /** `taker` answered and is now bridged to `kept`; the leg that lost the call was cancelled or hung up. */
  | { readonly ok: true; readonly kept: Channel | undefined; readonly taker: Channel }
  /** Nobody took the call (NO_ANSWER, USER_BUSY...), or it changed or ended meanwhile; the call is as it was. */
  | { readonly ok: false; readonly cause: HangupCause };

/** An intercept or move in progress: the target rings. */
export interface TakeoverCall {
  /** The party that stays on the call (the caller); undefined for an originate's ringing first leg. */
  readonly kept: Channel | undefined;
  /** Settles once the target answered and has the call, or the takeover failed; never rejects. */
  readonly outcome: Promise<TakeoverOutcome>;
  /** Stops ringing the target; the call stays as it is. */
  cancel(): void;
}

/** Intercept and move (src/calls/intercept implements it; the composition root hands it to CallControl). */
export interface CallTakeover {
  intercept(channel: Channel, options: InterceptOptions): Promise<TakeoverCall>;
  move(channel: Channel, options?: MoveOptions): Promise<TakeoverCall>;
}
