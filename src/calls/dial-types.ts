import type { Endpoint } from '../sip/index.ts';
import type { LegMedia } from './leg-media.ts';
import type { Channel, ChannelProfile } from './channel.ts';
import type { HangupCause } from './hangup-cause.ts';

/** One place to ring: a registered contact, a carrier gateway, any SIP URI. */
export interface DialTarget {
  /** Request-URI of the INVITE. */
  readonly uri: string;
  /** Where to send it (a registered phone's source address, for NAT); default: from the URI. */
  readonly destination?: Endpoint;
  /** The To header's URI; default the Request-URI. */
  readonly toUri?: string;
  /** What the outbound channel says about its far end (KAZOO channel fields). */
  readonly profile: Partial<Pick<ChannelProfile, 'authorizingId' | 'authorizingType' | 'ownerId' | 'username' | 'presenceId' | 'calleeIdName' | 'calleeIdNumber' | 'destination'>>;
  /** Credentials to answer a 401/407 with (carriers). */
  /** `realm`, when set, is the only realm whose challenge is answered (a carrier gateway's). */
  readonly credentials?: { readonly username: string; readonly password: string; readonly realm?: string };
  /** Extra headers on the INVITE (custom SIP headers). */
  readonly headers?: readonly (readonly [string, string])[];
  /** Ring this target only after this many ms (a ring group member's `delay`; simultaneous strategy only). */
  readonly delayMs?: number;
  /** Ring this target for at most this many ms (a ring group member's `timeout`); default the dial's. */
  readonly timeoutMs?: number;
}

/** How to dial. */
export interface DialOptions {
  readonly accountId: string;
  readonly realm: string;
  readonly callerIdName: string;
  readonly callerIdNumber: string;
  /** The channel the answered leg will be bridged to: its codec is the only one offered. */
  readonly peer?: Channel;
  /** `simultaneous`: all at once, first answer wins; `single`: one after another. */
  readonly strategy?: 'simultaneous' | 'single';
  /** Ring time: for all targets together (simultaneous) or for each (single). */
  readonly timeoutMs: number;
  readonly callflowId?: string;
  readonly customChannelVars?: Readonly<Record<string, unknown>>;
  /** KAZOO's custom application vars of the legs (originate). */
  readonly customApplicationVars?: Readonly<Record<string, unknown>>;
}

export type DialOutcome =
  | { readonly answered: Channel; readonly media: LegMedia }
  | { readonly answered?: undefined; readonly status: number; readonly cause: HangupCause };

export type DialEvents = {
  /** A target rings (180 without SDP). */
  ringing: [channel: Channel];
  /** A target sent early media (18x with SDP); its endpoint is ready to relay. */
  early: [channel: Channel];
};

