import { randomBytes } from 'node:crypto';
import { silentLogger } from '../lib/index.ts';
import type { Clock, Logger } from '../lib/index.ts';
import { DigestChallenger, ha1, parseDigest, parseNameAddr, parseUri } from '../sip/index.ts';
import type { DigestAlgorithm, DigestVerifyResult, RespondOptions, ServerTransaction, SipRequest, SipStack } from '../sip/index.ts';
import { sipCredentials } from '../documents/index.ts';
import type { EndpointDirectory } from '../documents/index.ts';
import type { StoredDoc } from '../store/index.ts';
import { AuthFailureLimiter } from './auth-failure-limiter.ts';

/** A device whose digest credentials were verified, with its account. */
export interface AuthenticatedDevice {
  readonly account: StoredDoc;
  readonly device: StoredDoc;
  /** The digest username, equal to the device's `sip.username`. */
  readonly username: string;
  /** The digest realm, the account's realm. */
  readonly realm: string;
}

/** What the authenticator answers requests through (the {@link SipStack}). */
export type SipResponder = Pick<SipStack, 'respond'>;

/** The device lookups authentication needs (the {@link EndpointDirectory}). */
export type DeviceDirectory = Pick<EndpointDirectory, 'accountByRealm' | 'deviceByUsername' | 'deviceByUniqueUsername'>;

/** Options of {@link SipAuthenticator.authenticate}. */
export interface AuthenticateOptions {
  /** Challenge as a proxy: 407 with Proxy-Authenticate, credentials in Proxy-Authorization (INVITE). */
  readonly proxy?: boolean;
}

/** Options of a {@link SipAuthenticator}. */
export interface SipAuthenticatorOptions {
  readonly responder: SipResponder;
  readonly directory: DeviceDirectory;
  readonly clock: Clock;
  readonly logger?: Logger;
  /** HMAC key of the nonces (random per instance by default). */
  readonly secret?: Buffer;
  /** Nonce lifetime (default 5 minutes): older nonces are answered `stale=true`. */
  readonly nonceTtlMs?: number;
  /** Algorithms offered, preferred first (default SHA-256 then MD5). */
  readonly algorithms?: DigestAlgorithm[];
  /** Brute-force protection: failures per address and username within the window (default 5). */
  readonly maxFailures?: number;
  /** Failures per address, all usernames together (default 50). */
  readonly maxFailuresPerAddress?: number;
  /** Brute-force window and block duration (default 60 s). */
  readonly failureWindowMs?: number;
  /** Realms whose nonce state is kept (default 10 000; the least recently used are dropped). */
  readonly maxRealms?: number;
}

/** Where the request says its user lives: the realm to challenge with and how to find the device. */
interface Target {
  readonly realm: string;
  readonly account?: StoredDoc;
  /** Set when the device was found by a system-wide unique username (the domain is no realm). */
  readonly device?: StoredDoc;
}

/**
 * Digest authentication of requests from phones (RFC 3261 §22.4, RFC 7616, RFC 8760). The domain
 * of the From URI (the To URI for REGISTER) names the account by realm; a domain that is no realm
 * (the switch's IP address) falls back to a device whose SIP username is unique system-wide.
 * Unknown users, disabled devices and wrong passwords look identical on the wire. Repeated
 * failures from one address are answered 403 for a while.
 */
export class SipAuthenticator {
  readonly #responder: SipResponder;
  readonly #directory: DeviceDirectory;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #secret: Buffer;
  readonly #nonceTtl: number | undefined;
  readonly #algorithms: DigestAlgorithm[] | undefined;
  readonly #maxRealms: number;
  readonly #limiter: AuthFailureLimiter;
  /** Challengers of known realms (they keep nonce-count state), least recently used first. */
  readonly #challengers = new Map<string, DigestChallenger>();

  constructor(options: SipAuthenticatorOptions) {
    this.#responder = options.responder;
    this.#directory = options.directory;
    this.#clock = options.clock;
    this.#log = (options.logger ?? silentLogger).child({ category: 'sip-auth' });
    this.#secret = options.secret ?? randomBytes(32);
    this.#nonceTtl = options.nonceTtlMs;
    this.#algorithms = options.algorithms;
    this.#maxRealms = options.maxRealms ?? 10_000;
    this.#limiter = new AuthFailureLimiter({
      clock: options.clock,
      ...(options.maxFailures === undefined ? {} : { maxFailures: options.maxFailures }),
      ...(options.maxFailuresPerAddress === undefined ? {} : { maxFailuresPerAddress: options.maxFailuresPerAddress }),
      ...(options.failureWindowMs === undefined ? {} : { windowMs: options.failureWindowMs }),
    });
  }

  /**
   * Authenticates `request`. On failure the request has already been answered (401, or 407 with
   * `proxy`; 403 while its source is blocked; 500 when the lookup failed) and undefined is returned.
   */
  async authenticate(request: SipRequest, transaction: ServerTransaction, options: AuthenticateOptions = {}): Promise<AuthenticatedDevice | undefined> {
    const proxy = options.proxy === true;
    const { user, domain } = addressOf(request);
    const address = request.source?.address ?? 'unknown';
    const offered = request.headers.getAll(proxy ? 'Proxy-Authorization' : 'Authorization');
    const claimedUser = digestUsername(offered[0]) ?? user ?? '';
    if (this.#limiter.isBlocked(address, claimedUser)) {
      this.#log.debug({ address, username: claimedUser }, 'source blocked after failed authentications');
      this.#respond(transaction, 403);
      return undefined;
    }

    let target: Target;
    try {
      target = await this.#target(user, domain);
    } catch (error) {
      this.#log.error({ err: error, callId: request.callId }, 'credential lookup failed');
      this.#respond(transaction, 500);
      return undefined;
    }
    const credentials = offered.find((value) => digestRealm(value) === target.realm) ?? offered[0];
    if (credentials === undefined) {
      this.#challenge(transaction, target, proxy, false);
      return undefined;
    }

    const matched: { entry?: { account: StoredDoc; device: StoredDoc } } = {};
    const lookup = async (username: string, realm: string, algorithm: DigestAlgorithm): Promise<string | undefined> => {
      const entry = await this.#device(target, username);
      const password = entry === undefined ? undefined : sipCredentials(entry.device)?.password;
      if (entry === undefined || password === undefined) return undefined;
      matched.entry = entry;
      return ha1(username, realm, password, algorithm);
    };
    let result: DigestVerifyResult;
    try {
      result = await this.#challenger(target.realm, target.account !== undefined).verify(request.method, credentials, lookup);
    } catch (error) {
      this.#log.error({ err: error, callId: request.callId }, 'credential lookup failed');
      this.#respond(transaction, 500);
      return undefined;
    }
    const { entry } = matched;
    if (result.ok && entry !== undefined) {
      this.#limiter.recordSuccess(address, claimedUser);
      return { account: entry.account, device: entry.device, username: result.username, realm: target.realm };
    }
    const reason = result.ok ? 'unknown_user' : result.reason;
    if (reason === 'stale' || reason === 'missing') {
      this.#challenge(transaction, target, proxy, reason === 'stale');
      return undefined;
    }
    this.#log.debug({ address, username: claimedUser, realm: target.realm, reason }, 'authentication failed');
    this.#limiter.recordFailure(address, claimedUser);
    this.#challenge(transaction, target, proxy, false);
    return undefined;
  }

  /** Realm → account; else a unique username; else the bare domain (challenged all the same). */
  async #target(user: string | undefined, domain: string): Promise<Target> {
    const account = domain === '' ? undefined : await this.#directory.accountByRealm(domain);
    if (account !== undefined) return { realm: realmOf(account) ?? domain, account };
    if (user !== undefined) {
      const entry = await this.#directory.deviceByUniqueUsername(user);
      const realm = entry === undefined ? undefined : realmOf(entry.account);
      if (entry !== undefined && realm !== undefined) return { realm, account: entry.account, device: entry.device };
    }
    return { realm: domain };
  }

  /** The device whose `sip.username` is exactly the digest username, in the target's account. */
  async #device(target: Target, username: string): Promise<{ account: StoredDoc; device: StoredDoc } | undefined> {
    const { account } = target;
    if (account === undefined) return undefined;
    const device = target.device ?? (await this.#directory.deviceByUsername(account, username));
    if (device === undefined || sipCredentials(device)?.username !== username) return undefined;
    return { account, device };
  }

  /**
   * The challenger of a known realm (kept: it remembers nonce-counts), or a throw-away one for a
   * domain no account claims (its credentials can never verify, so it needs no memory).
   */
  #challenger(realm: string, known: boolean): DigestChallenger {
    const create = (): DigestChallenger =>
      new DigestChallenger({
        realm,
        clock: this.#clock,
        secret: this.#secret,
        ...(this.#nonceTtl === undefined ? {} : { nonceTtlMs: this.#nonceTtl }),
        ...(this.#algorithms === undefined ? {} : { algorithms: this.#algorithms }),
      });
    if (!known) return create();
    let challenger = this.#challengers.get(realm);
    if (challenger !== undefined) this.#challengers.delete(realm);
    else challenger = create();
    this.#challengers.set(realm, challenger);
    for (const oldest of this.#challengers.keys()) {
      if (this.#challengers.size <= this.#maxRealms) break;
      this.#challengers.delete(oldest);
    }
    return challenger;
  }

  /** RFC 3261 §22.1: 401 with WWW-Authenticate, or 407 with Proxy-Authenticate (§22.3). */
  #challenge(transaction: ServerTransaction, target: Target, proxy: boolean, stale: boolean): void {
    const challenger = this.#challenger(target.realm, target.account !== undefined);
    const header = proxy ? 'Proxy-Authenticate' : 'WWW-Authenticate';
    const values = challenger.challenge(stale ? { stale: true } : {});
    this.#respond(transaction, proxy ? 407 : 401, { headers: values.map((v): [string, string] => [header, v]) });
  }

  #respond(transaction: ServerTransaction, status: number, options: RespondOptions = {}): void {
    this.#responder.respond(transaction, status, undefined, options);
  }
}

/** The user and domain the request speaks for: the To URI of a REGISTER, else the From URI. */
function addressOf(request: SipRequest): { user: string | undefined; domain: string } {
  const header = request.method === 'REGISTER' ? 'To' : 'From';
  try {
    const uri = parseNameAddr(request.headers.get(header) ?? '').uri;
    if (uri.host !== '') return { user: uri.user, domain: uri.host.toLowerCase() };
  } catch {
    // fall through to the Request-URI host
  }
  try {
    return { user: undefined, domain: parseUri(request.uri).host.toLowerCase() };
  } catch {
    return { user: undefined, domain: '' };
  }
}

function realmOf(account: StoredDoc): string | undefined {
  const realm = account['realm'];
  return typeof realm === 'string' && realm !== '' ? realm.toLowerCase() : undefined;
}

function digestParam(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  try {
    return parseDigest(value)[name];
  } catch {
    return undefined;
  }
}

function digestUsername(value: string | undefined): string | undefined {
  return digestParam(value, 'username');
}

function digestRealm(value: string): string | undefined {
  return digestParam(value, 'realm')?.toLowerCase();
}
