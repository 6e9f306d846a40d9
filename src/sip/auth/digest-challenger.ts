import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../lib/index.ts';
import { digestResponse, parseAlgorithm, type DigestAlgorithm } from './digest-hash.ts';
import { formatDigest, parseDigest } from './digest-header.ts';

/** Why {@link DigestChallenger.verify} refused credentials. */
export type DigestFailure = 'missing' | 'malformed' | 'unknown_user' | 'bad_response' | 'stale' | 'realm_mismatch' | 'bad_nonce';

/** Result of {@link DigestChallenger.verify}. */
export type DigestVerifyResult = { ok: true; username: string } | { ok: false; reason: DigestFailure };

/** Looks up H(username:realm:password) for an algorithm; undefined for an unknown user. */
export type Ha1Lookup = (username: string, realm: string, algorithm: DigestAlgorithm) => string | undefined | Promise<string | undefined>;

/** Options of {@link DigestChallenger}. */
export interface DigestChallengerOptions {
  realm: string;
  /** HMAC key of the nonces; random per instance when absent (nonces then die with the process). */
  secret?: Buffer;
  clock: Clock;
  /** Nonce lifetime (default 5 minutes); older nonces get `stale`. */
  nonceTtlMs?: number;
  /** Algorithms offered, one challenge each, preferred first (RFC 8760 §2.4). */
  algorithms?: DigestAlgorithm[];
  /** Nonces whose nonce-count is remembered for replay protection (default 10 000). */
  maxTrackedNonces?: number;
}

const NONCE_BYTES = 8 + 8 + 16;
/** Nonces dated this far in the future are forged or from a skewed peer. */
const FUTURE_SKEW_MS = 5_000;

/**
 * Server side of SIP digest authentication (RFC 3261 §22.4, RFC 7616, RFC 8760). Nonces are
 * stateless: base64url(timestamp ‖ random ‖ HMAC(secret, timestamp ‖ random ‖ realm)), so they
 * expire without a table. Replay protection keeps the highest nonce-count seen per nonce in a
 * bounded map; when a nonce is evicted, every nonce at least as old is answered `stale`.
 */
export class DigestChallenger {
  readonly realm: string;
  readonly #secret: Buffer;
  readonly #clock: Clock;
  readonly #ttl: number;
  readonly #algorithms: DigestAlgorithm[];
  readonly #maxTracked: number;
  /** nonce → highest nc accepted, in insertion order (oldest first). */
  readonly #counts = new Map<string, { nc: number; issued: number }>();
  /** Nonces issued at or before this time and not tracked any more are treated as stale. */
  #evictedUpTo = -Infinity;

  constructor(options: DigestChallengerOptions) {
    this.realm = options.realm;
    this.#secret = options.secret ?? randomBytes(32);
    this.#clock = options.clock;
    this.#ttl = options.nonceTtlMs ?? 300_000;
    this.#algorithms = options.algorithms ?? ['SHA-256', 'MD5'];
    this.#maxTracked = options.maxTrackedNonces ?? 10_000;
  }

  /** One WWW-Authenticate / Proxy-Authenticate value per algorithm, sharing a fresh nonce (RFC 7616 §3.3). */
  challenge(opts: { stale?: boolean } = {}): string[] {
    const nonce = this.#newNonce();
    return this.#algorithms.map((algorithm) => {
      const params: Record<string, string> = { realm: this.realm, nonce, qop: 'auth', algorithm };
      if (opts.stale === true) params['stale'] = 'true';
      return formatDigest(params, 'challenge');
    });
  }

  /**
   * Checks an Authorization / Proxy-Authorization value for `method` (RFC 7616 §3.4, RFC 2069
   * when there is no qop). `stale` means the credentials were right but the nonce expired or its
   * nonce-count was replayed: challenge again with `stale: true`.
   */
  async verify(method: string, authorizationHeaderValue: string | undefined, lookupHa1: Ha1Lookup): Promise<DigestVerifyResult> {
    if (authorizationHeaderValue === undefined || authorizationHeaderValue.trim() === '') return fail('missing');
    let p: Record<string, string>;
    try {
      p = parseDigest(authorizationHeaderValue);
    } catch {
      return fail('malformed');
    }
    const { username, realm, nonce, uri, response } = p;
    if (username === undefined || realm === undefined || nonce === undefined || uri === undefined || response === undefined) {
      return fail('malformed');
    }
    if (realm !== this.realm) return fail('realm_mismatch');
    const alg = parseAlgorithm(p['algorithm']);
    if (alg === undefined || !this.#algorithms.includes(alg.algorithm)) return fail('malformed');
    const qop = p['qop'];
    let nc: number | undefined;
    if (qop !== undefined) {
      if (qop !== 'auth' || p['cnonce'] === undefined || p['nc'] === undefined || !/^[0-9a-fA-F]{8}$/.test(p['nc'])) {
        return fail('malformed');
      }
      nc = parseInt(p['nc'], 16);
    } else if (alg.sess) {
      return fail('malformed');
    }
    const issued = this.#checkNonce(nonce);
    if (issued === undefined) return fail('bad_nonce');

    const ha1 = await lookupHa1(username, realm, alg.algorithm);
    if (ha1 === undefined) return fail('unknown_user');
    const expected = digestResponse({
      algorithm: alg.algorithm,
      sess: alg.sess,
      ha1: ha1.toLowerCase(),
      nonce,
      method,
      uri,
      ...(qop === 'auth' ? { qop: 'auth' as const, nc: p['nc'] ?? '', cnonce: p['cnonce'] ?? '' } : {}),
    });
    if (!sameHex(expected, response.toLowerCase())) return fail('bad_response');
    if (this.#clock.now() - issued > this.#ttl) return fail('stale');
    if (nc !== undefined && !this.#acceptCount(nonce, issued, nc)) return fail('stale');
    return { ok: true, username };
  }

  #newNonce(): string {
    const body = Buffer.alloc(16);
    body.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(this.#clock.now()))), 0);
    randomBytes(8).copy(body, 8);
    return Buffer.concat([body, this.#mac(body)]).toString('base64url');
  }

  #mac(body: Buffer): Buffer {
    return createHmac('sha256', this.#secret).update(body).update(this.realm).digest().subarray(0, 16);
  }

  /** The issue time of a nonce this challenger minted, or undefined for a forged/garbled one. */
  #checkNonce(nonce: string): number | undefined {
    if (nonce.length > 64) return undefined;
    const raw = Buffer.from(nonce, 'base64url');
    if (raw.length !== NONCE_BYTES || raw.toString('base64url') !== nonce) return undefined;
    const body = raw.subarray(0, 16);
    if (!timingSafeEqual(raw.subarray(16), this.#mac(body))) return undefined;
    const issued = Number(body.readBigUInt64BE(0));
    if (issued > this.#clock.now() + FUTURE_SKEW_MS) return undefined;
    return issued;
  }

  /** RFC 7616 §3.4: the nonce-count must grow for each request under one nonce. */
  #acceptCount(nonce: string, issued: number, nc: number): boolean {
    const seen = this.#counts.get(nonce);
    if (seen === undefined) {
      if (issued <= this.#evictedUpTo) return false;
      this.#counts.set(nonce, { nc, issued });
      this.#prune();
      return true;
    }
    if (nc <= seen.nc) return false;
    seen.nc = nc;
    return true;
  }

  #prune(): void {
    const now = this.#clock.now();
    for (const [nonce, entry] of this.#counts) {
      if (this.#counts.size <= this.#maxTracked && now - entry.issued <= this.#ttl) break;
      this.#counts.delete(nonce);
      if (now - entry.issued <= this.#ttl) this.#evictedUpTo = Math.max(this.#evictedUpTo, entry.issued);
    }
  }
}

function fail(reason: DigestFailure): DigestVerifyResult {
  return { ok: false, reason };
}

function sameHex(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}
