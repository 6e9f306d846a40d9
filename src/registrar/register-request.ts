import { SwitchboardError } from '../lib/index.ts';
import { formatUri, parseContacts, unquote } from '../sip/index.ts';
import type { Params, SipRequest, SipUri } from '../sip/index.ts';

/** A REGISTER refused with a SIP status (and the headers that status calls for). */
export class RegisterRejection extends SwitchboardError {
  readonly status: number;
  readonly headers: [string, string][];

  constructor(status: number, message: string, headers: [string, string][] = []) {
    super('register_rejected', message);
    this.status = status;
    this.headers = headers;
  }
}

/** Expiry limits of the registrar, in seconds. */
export interface ExpiryLimits {
  readonly minExpires: number;
  readonly maxExpires: number;
  readonly defaultExpires: number;
}

/** One Contact of a REGISTER with the expiry the registrar granted it. */
export interface RequestedContact {
  readonly uri: SipUri;
  /** The Contact URI as registered. */
  readonly contact: string;
  /** Header parameters without `expires`. */
  readonly params: Params;
  /** Granted expiry in seconds; 0 removes the binding. */
  readonly expires: number;
  readonly instance?: string;
  readonly q?: number;
}

/** What a REGISTER asks for (RFC 3261 §10.3 steps 6 and 7). */
export type RegisterAction =
  | { readonly kind: 'query' }
  | { readonly kind: 'wildcard' }
  | { readonly kind: 'update'; readonly contacts: readonly RequestedContact[] };

/** Largest delta-seconds value (RFC 3261 §20.19: larger values are taken as 2**32-1). */
const MAX_DELTA = 2 ** 32 - 1;

/**
 * Reads the Contact and Expires headers of a REGISTER (RFC 3261 §10.3 step 6, §10.2.1.1, §10.2.2):
 * no Contact is a query; `*` with `Expires: 0` (and only then) removes every binding; otherwise
 * each contact's expiry comes from its `expires` parameter, else the Expires header, else the
 * default, is refused below the minimum (423 with Min-Expires) and clamped to the maximum.
 * Throws {@link RegisterRejection}.
 */
export function readRegister(request: SipRequest, limits: ExpiryLimits): RegisterAction {
  const values = request.headers.getAll('Contact');
  if (values.length === 0) return { kind: 'query' };
  const headerExpires = deltaSeconds(request.headers.get('Expires'));
  const parsed = values.map((value) => {
    try {
      return parseContacts(value);
    } catch {
      throw new RegisterRejection(400, 'Malformed Contact');
    }
  });
  if (parsed.includes('*')) {
    // §10.3 step 6: "If the request has additional Contact fields or an expiration time other
    // than zero, the request is invalid, and the server MUST return a 400 (Invalid Request)".
    if (parsed.length !== 1 || headerExpires !== 0) throw new RegisterRejection(400, 'Invalid wildcard Contact');
    return { kind: 'wildcard' };
  }
  const contacts = parsed.flatMap((list) => (list === '*' ? [] : list)).map((nameAddr): RequestedContact => {
    if (nameAddr.uri.scheme !== 'sip' && nameAddr.uri.scheme !== 'sips') throw new RegisterRejection(400, 'Unsupported Contact URI');
    const { expires: param, ...params } = nameAddr.params;
    const asked = deltaSeconds(param ?? undefined) ?? headerExpires ?? limits.defaultExpires;
    const instance = params['+sip.instance'];
    const q = quality(params['q']);
    return {
      uri: nameAddr.uri,
      contact: formatUri(nameAddr.uri),
      params,
      expires: asked === 0 ? 0 : Math.min(asked, limits.maxExpires),
      ...(instance === undefined || instance === null ? {} : { instance: unquote(instance) }),
      ...(q === undefined ? {} : { q }),
    };
  });
  // §10.3 step 7: "If and only if the requested expiration interval is greater than zero AND
  // smaller than one hour AND less than a registrar-configured minimum, the registrar MAY reject
  // the registration with a response of 423 (Interval Too Brief)."
  if (contacts.some((c) => c.expires > 0 && c.expires < limits.minExpires)) {
    throw new RegisterRejection(423, 'Interval Too Brief', [['Min-Expires', String(limits.minExpires)]]);
  }
  return { kind: 'update', contacts };
}

/** Option tags of Require the registrar does not support (§10.3 step 2; RFC 3327 `path` is). */
export function unsupportedRequirements(request: SipRequest): string[] {
  return optionTags(request, 'Require').filter((tag) => tag !== 'path');
}

/** The option tags listed in `header` (Supported, Require), lower-cased. */
export function optionTags(request: SipRequest, header: string): string[] {
  return request.headers
    .getAll(header)
    .flatMap((v) => v.split(','))
    .map((t) => t.trim().toLowerCase())
    .filter((t) => t !== '');
}

/** delta-seconds (RFC 3261 §25.1); undefined when absent or malformed. */
function deltaSeconds(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  if (!/^[0-9]{1,20}$/.test(trimmed)) return undefined;
  return Math.min(Number(trimmed), MAX_DELTA);
}

/** qvalue (RFC 3261 §20.10: 0 to 1, up to three decimals); undefined when absent or malformed. */
function quality(text: string | null | undefined): number | undefined {
  if (text === undefined || text === null || !/^(0(\.[0-9]{0,3})?|1(\.0{0,3})?)$/.test(text)) return undefined;
  return Number(text);
}
