import { silentLogger } from '../lib/index.ts';
import type { Clock, Logger } from '../lib/index.ts';
import { formatParams, parseCSeq, parseNameAddr, parseUri, uriEquals } from '../sip/index.ts';
import type { Endpoint, ServerTransaction, SipRequest } from '../sip/index.ts';
import type { Binding, RegistrationStore } from './binding.ts';
import { RegisterRejection, optionTags, readRegister, unsupportedRequirements } from './register-request.ts';
import type { ExpiryLimits, RequestedContact } from './register-request.ts';
import type { AuthenticatedDevice, AuthenticateOptions, SipResponder } from './sip-authenticator.ts';

/** Authenticates a request or answers it (the {@link SipAuthenticator}). */
export interface RequestAuthenticator {
  authenticate(request: SipRequest, transaction: ServerTransaction, options?: AuthenticateOptions): Promise<AuthenticatedDevice | undefined>;
}

/** Options of a {@link Registrar}. */
export interface RegistrarOptions {
  readonly responder: SipResponder;
  readonly authenticator: RequestAuthenticator;
  readonly store: RegistrationStore;
  readonly clock: Clock;
  readonly logger?: Logger;
  /** Shortest expiry accepted, seconds (default 60; shorter gets 423). */
  readonly minExpires?: number;
  /** Longest expiry granted, seconds (default 3600; longer is shortened). */
  readonly maxExpires?: number;
  /** Expiry when the REGISTER names none, seconds (default 3600). */
  readonly defaultExpires?: number;
  /** Bindings kept per device (default 10; the least recently refreshed are dropped). */
  readonly maxContactsPerDevice?: number;
}

/**
 * The registrar (RFC 3261 §10.3): authenticates a REGISTER with digest, lets a device bind only
 * its own address-of-record, applies its Contacts to the device's bindings all-or-nothing and
 * answers 200 with every current binding. Remembers where each REGISTER came from so calls can
 * reach the phone through its NAT.
 */
export class Registrar {
  readonly #responder: SipResponder;
  readonly #authenticator: RequestAuthenticator;
  readonly #store: RegistrationStore;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #limits: ExpiryLimits;
  readonly #maxContacts: number;

  constructor(options: RegistrarOptions) {
    this.#responder = options.responder;
    this.#authenticator = options.authenticator;
    this.#store = options.store;
    this.#clock = options.clock;
    this.#log = (options.logger ?? silentLogger).child({ category: 'registrar' });
    this.#limits = {
      minExpires: options.minExpires ?? 60,
      maxExpires: options.maxExpires ?? 3600,
      defaultExpires: options.defaultExpires ?? 3600,
    };
    this.#maxContacts = options.maxContactsPerDevice ?? 10;
  }

  /** The bindings' store (the B2BUA reads `contactsFor` from it). */
  get store(): RegistrationStore {
    return this.#store;
  }

  /** Processes a REGISTER and answers it; never throws. */
  async handleRegister(request: SipRequest, transaction: ServerTransaction): Promise<void> {
    try {
      await this.#handle(request, transaction);
    } catch (error) {
      if (error instanceof RegisterRejection) {
        this.#log.debug({ callId: request.callId, status: error.status, reason: error.message }, 'REGISTER rejected');
        this.#responder.respond(transaction, error.status, undefined, { headers: error.headers });
        return;
      }
      this.#log.error({ err: error, callId: request.callId }, 'REGISTER failed');
      this.#responder.respond(transaction, 500);
    }
  }

  async #handle(request: SipRequest, transaction: ServerTransaction): Promise<void> {
    // §10.3 step 2: "the registrar MUST process the Require header field values as described
    // for UASs in Section 8.2.2" (420 Bad Extension with Unsupported).
    const unsupported = unsupportedRequirements(request);
    if (unsupported.length > 0) throw new RegisterRejection(420, 'Bad Extension', [['Unsupported', unsupported.join(', ')]]);

    // §10.3 step 3: "A registrar SHOULD authenticate the UAC."
    const device = await this.#authenticator.authenticate(request, transaction);
    if (device === undefined) return;

    // §10.3 step 4: "The registrar SHOULD determine if the authenticated user is authorized to
    // modify registrations for this address-of-record" — a device registers only itself.
    if (toUser(request) !== device.username) throw new RegisterRejection(403, 'Not your address-of-record');

    const action = readRegister(request, this.#limits);
    const accountId = device.account._id;
    const deviceId = device.device._id;
    let bindings: Binding[];
    if (action.kind === 'query') {
      bindings = this.#store.contactsFor(accountId, deviceId);
    } else {
      const cseq = cseqOf(request);
      const callId = request.callId;
      const contacts = action.kind === 'wildcard' ? undefined : action.contacts;
      bindings = await this.#store.update(accountId, deviceId, (live) => {
        // §10.3 step 7: "If the binding does exist, the registrar checks the Call-ID value. If the
        // Call-ID value in the existing binding differs from the Call-ID value in the request, the
        // binding MUST be removed if the expiration time is zero and updated otherwise. If they
        // are the same, the registrar compares the CSeq value. If the value is higher than that
        // of the existing binding, it MUST update or remove the binding as above. If not, the
        // update MUST be aborted and the request fails."
        const affected = contacts === undefined ? live : live.filter((b) => contacts.some((c) => matches(b, c)));
        if (affected.some((b) => b.callId === callId && cseq <= b.cseq)) throw new RegisterRejection(500, 'Out of order REGISTER');
        if (contacts === undefined) return [];
        return this.#apply(live, contacts, { request, device, callId, cseq });
      });
    }
    this.#log.debug({ accountId, deviceId, username: device.username, bindings: bindings.length }, 'REGISTER accepted');
    this.#responder.respond(transaction, 200, undefined, { headers: this.#okHeaders(request, bindings) });
  }

  /** The device's bindings after applying `contacts` (§10.3 step 7), at most the per-device bound. */
  #apply(live: readonly Binding[], contacts: readonly RequestedContact[], context: BindingContext): Binding[] {
    const now = this.#clock.now();
    const next = [...live];
    for (const contact of contacts) {
      const at = next.findIndex((b) => matches(b, contact));
      if (at >= 0) next.splice(at, 1);
      if (contact.expires > 0) next.push(this.#binding(contact, context, now));
    }
    // Drop order: the least recently refreshed, then the least preferred, then the earlier listed.
    const ordered = next
      .map((b, i) => ({ b, i }))
      .sort((x, y) => x.b.registeredAt - y.b.registeredAt || (x.b.q ?? 1) - (y.b.q ?? 1) || x.i - y.i);
    return ordered.slice(Math.max(0, ordered.length - this.#maxContacts)).map(({ b }) => b);
  }

  #binding(contact: RequestedContact, { request, device, callId, cseq }: BindingContext, now: number): Binding {
    const userAgent = request.headers.get('User-Agent');
    return {
      aor: `sip:${device.username}@${device.realm}`,
      contact: contact.contact,
      params: contact.params,
      expiresAt: now + contact.expires * 1000,
      callId,
      cseq,
      source: request.source ?? endpointOf(contact),
      path: request.headers.getAll('Path'),
      ...(userAgent === undefined ? {} : { userAgent }),
      ...(contact.instance === undefined ? {} : { instance: contact.instance }),
      ...(contact.q === undefined ? {} : { q: contact.q }),
      accountId: device.account._id,
      deviceId: device.device._id,
      username: device.username,
      realm: device.realm,
      registeredAt: now,
    };
  }

  /**
   * §10.3 step 8: "The response SHOULD include a Contact header field value enumerating all
   * current bindings. Each Contact value MUST feature an 'expires' parameter ... The response
   * SHOULD include a Date header field." RFC 3327 §5.3: Path is echoed when the UA supports it.
   */
  #okHeaders(request: SipRequest, bindings: readonly Binding[]): [string, string][] {
    const now = this.#clock.now();
    const headers: [string, string][] = bindings.map((b) => {
      const expires = Math.max(0, Math.ceil((b.expiresAt - now) / 1000));
      return ['Contact', `<${b.contact}>${formatParams({ ...b.params, expires: String(expires) })}`];
    });
    headers.push(['Date', new Date(now).toUTCString()]);
    const wantsPath = [...optionTags(request, 'Supported'), ...optionTags(request, 'Require')].includes('path');
    if (wantsPath) for (const path of request.headers.getAll('Path')) headers.push(['Path', path]);
    return headers;
  }
}

/** What every binding made from one REGISTER shares. */
interface BindingContext {
  readonly request: SipRequest;
  readonly device: AuthenticatedDevice;
  readonly callId: string;
  readonly cseq: number;
}

/**
 * Whether a binding is the one a contact refreshes: the same `+sip.instance` (RFC 5626 §6: a
 * phone that moved keeps its instance), else URI equivalence (RFC 3261 §10.3 step 7, §19.1.4).
 */
function matches(binding: Binding, contact: RequestedContact): boolean {
  if (binding.instance !== undefined && contact.instance !== undefined) return binding.instance === contact.instance;
  try {
    return uriEquals(parseUri(binding.contact), contact.uri);
  } catch {
    return binding.contact === contact.contact;
  }
}

function toUser(request: SipRequest): string | undefined {
  try {
    return parseNameAddr(request.headers.get('To') ?? '').uri.user;
  } catch {
    return undefined;
  }
}

function cseqOf(request: SipRequest): number {
  try {
    return parseCSeq(request.headers.get('CSeq') ?? '').seq;
  } catch {
    throw new RegisterRejection(400, 'Malformed CSeq');
  }
}

/** Where to reach a contact when the request carries no transport source (built by hand). */
function endpointOf(contact: RequestedContact): Endpoint {
  const transport = contact.uri.params['transport']?.toLowerCase();
  return {
    transport: transport === 'tcp' || transport === 'tls' || transport === 'ws' || transport === 'wss' ? transport : 'udp',
    address: contact.uri.host,
    port: contact.uri.port ?? (contact.uri.scheme === 'sips' ? 5061 : 5060),
  };
}
