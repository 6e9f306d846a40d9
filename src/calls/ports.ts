import type { Endpoint, ServerTransaction, SipRequest } from '../sip/index.ts';
import type { StoredDoc } from '../store/index.ts';

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
