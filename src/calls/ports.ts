import type { Endpoint, ServerTransaction, SipRequest } from '../sip/index.ts';
import type { StoredDoc } from '../store/index.ts';
import type { CallerSession } from './caller-session.ts';
import type { Channel } from './channel.ts';
import type { InboundSession } from './inbound-session.ts';

/** Where a registered device can be reached (a registrar binding, seen from the call side). */
export interface ContactBinding {
  /** The Contact URI the phone registered: the Request-URI of our INVITE. */
  readonly contact: string;
  /** Where its REGISTER came from: we send to it, which crosses the phone's NAT. */
  readonly source: Endpoint;
}

/** The registrar, as the B2BUA sees it (wired in by the composition root). */
export interface ContactLocator {
  contactsFor(accountId: string, deviceId: string): readonly ContactBinding[];
}

/** A device whose credentials a request proved. */
export interface AuthenticatedCaller {
  readonly account: StoredDoc;
  readonly device: StoredDoc;
}

/**
 * Digest authentication of requests from phones (the registrar implements it). On failure it has
 * already answered the request (407 challenge, or 403 after too many failures).
 */
export interface CallerAuthenticator {
  authenticate(request: SipRequest, transaction: ServerTransaction, options?: { proxy?: boolean }): Promise<AuthenticatedCaller | undefined>;
}

/** A carrier gateway an INVITE came from (RFC 3261 §26.3.2.2: trusted by address, not digest). */
export interface TrunkCaller {
  readonly account: StoredDoc;
  readonly resource: StoredDoc;
}

/**
 * Where features plug into the B2BUA's request handling (set by the composition root). Each hook
 * owns the request it is handed: it must answer it.
 */
export interface B2buaFeatures {
  /** An in-dialog REFER on `channel`'s leg (RFC 3515); without a hook: 501. */
  refer?(request: SipRequest, transaction: ServerTransaction, channel: Channel): void;
  /** An INVITE with a Replaces header (RFC 3891); resolves true once it handled it. */
  replaces?(request: SipRequest, transaction: ServerTransaction): Promise<boolean>;
  /** An INVITE from a carrier gateway: the trunk's account and resource, or undefined for a phone. */
  trunk?(request: SipRequest): Promise<TrunkCaller | undefined>;
  /**
   * A call to a number no callflow owns (outbound through carriers); resolves true once it took the
   * call (it then owns `session`), false to let the caller get 404.
   */
  unrouted?(session: InboundSession, account: StoredDoc, number: string): Promise<boolean>;
}

/**
 * The account's carrier route for a number dialed on behalf of a leg that is already up (KAZOO: a
 * transfer target no callflow owns is dialed like any number, and reaches the offnet route). Looked
 * up before anything moves, so the caller can still refuse; dialed once the call is ready for it.
 */
export interface OffnetRouter {
  /**
   * The gateways that would carry `number` for `account`, presenting `presenter`'s external caller
   * id; undefined when no resource carries it or `presenter` may not call out (not a phone).
   */
  route(account: StoredDoc, number: string, presenter: Channel): Promise<OffnetCall | undefined>;
}

/** A carrier call looked up by an {@link OffnetRouter}, not dialed yet. */
export interface OffnetCall {
  /** Hunts the gateways for `session`'s caller; resolves once it is bridged, gone, or failed (`session.fail`). */
  dial(session: CallerSession): Promise<void>;
}
