import { randomBytes } from 'node:crypto';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { newId, type Clock } from '../lib/index.ts';
import type { DocumentStore } from '../store/index.ts';

/** What an API token says about its bearer (KAZOO's JWT claims, §1.7). */
export interface TokenClaims {
  readonly accountId: string;
  readonly ownerId?: string;
  /** `cb_user_auth`, `cb_api_auth`. */
  readonly method: string;
  /** Unix seconds. */
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly tokenId: string;
}

export type TokenCheck = { ok: true; claims: TokenClaims } | { ok: false; reason: 'expired' | 'invalid' | 'revoked' };

const SECRET_ID = 'switchboard_token_secret';
const ISSUER = 'switchboard';
/** Verified tokens remembered (every API request checks its token; the signature check is the costly part). */
const VERIFIED_LIMIT = 10_000;

/**
 * Issues and checks API tokens: HS256 JWTs (monster-ui decodes the middle segment), signed with a
 * secret kept in the store so tokens survive a restart. Revocation (`DELETE /v2/token_auth`) is
 * recorded in the store and held in memory.
 */
export class TokenService {
  readonly #key: Uint8Array;
  readonly #clock: Clock;
  readonly #store: DocumentStore;
  readonly #revoked: Set<string>;
  readonly #expirySeconds: number;
  /** Tokens whose signature and claims were checked once: a repeat checks expiry and revocation only. */
  readonly #verified = new Map<string, TokenClaims>();

  private constructor(key: Uint8Array, store: DocumentStore, clock: Clock, expirySeconds: number, revoked: Set<string>) {
    this.#key = key;
    this.#store = store;
    this.#clock = clock;
    this.#expirySeconds = expirySeconds;
    this.#revoked = revoked;
  }

  /** Loads (or creates on first start) the signing secret and the revocation list. */
  static async open(store: DocumentStore, clock: Clock, expirySeconds: number): Promise<TokenService> {
    let secretDoc = await store.get(SECRET_ID);
    if (secretDoc === undefined) {
      try {
        secretDoc = await store.create({ _id: SECRET_ID, pvt_type: 'system_secret', pvt_secret: randomBytes(32).toString('base64') });
      } catch {
        secretDoc = await store.get(SECRET_ID); // another node created it first
      }
    }
    const secret = secretDoc?.['pvt_secret'];
    if (typeof secret !== 'string') throw new Error('token secret missing from the store');
    const revoked = await store.list({ type: 'revoked_token', pageSize: null });
    const ids = new Set(revoked.docs.map((d) => String(d['pvt_token_id'])));
    return new TokenService(Buffer.from(secret, 'base64'), store, clock, expirySeconds, ids);
  }

  async issue(claims: { accountId: string; ownerId?: string; method: string }): Promise<{ token: string; claims: TokenClaims }> {
    const issuedAt = Math.floor(this.#clock.now() / 1000);
    const full: TokenClaims = { ...claims, issuedAt, expiresAt: issuedAt + this.#expirySeconds, tokenId: newId() };
    const payload: Record<string, string> = { account_id: full.accountId, method: full.method };
    if (full.ownerId !== undefined) payload['owner_id'] = full.ownerId;
    const token = await new SignJWT(payload)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(ISSUER)
      .setIssuedAt(full.issuedAt)
      .setExpirationTime(full.expiresAt)
      .setJti(full.tokenId)
      .sign(this.#key);
    return { token, claims: full };
  }

  async verify(token: string): Promise<TokenCheck> {
    const known = this.#verified.get(token);
    if (known !== undefined) {
      // jose's rule: expired when exp <= now in whole seconds.
      if (known.expiresAt <= Math.floor(this.#clock.now() / 1000)) {
        this.#verified.delete(token);
        return { ok: false, reason: 'expired' };
      }
      return this.#revoked.has(known.tokenId) ? { ok: false, reason: 'revoked' } : { ok: true, claims: known };
    }
    try {
      const { payload } = await jwtVerify(token, this.#key, {
        issuer: ISSUER,
        algorithms: ['HS256'],
        currentDate: new Date(this.#clock.now()),
      });
      const accountId = payload['account_id'];
      const method = payload['method'];
      const ownerId = payload['owner_id'];
      if (typeof accountId !== 'string' || typeof method !== 'string' || payload.jti === undefined) return { ok: false, reason: 'invalid' };
      if (this.#revoked.has(payload.jti)) return { ok: false, reason: 'revoked' };
      const claims: TokenClaims = {
        accountId,
        method,
        ...(typeof ownerId === 'string' ? { ownerId } : {}),
        issuedAt: payload.iat ?? 0,
        expiresAt: payload.exp ?? 0,
        tokenId: payload.jti,
      };
      if (payload.exp !== undefined && payload.nbf === undefined) this.#remember(token, claims);
      return { ok: true, claims };
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) return { ok: false, reason: 'expired' };
      return { ok: false, reason: 'invalid' };
    }
  }

  #remember(token: string, claims: TokenClaims): void {
    if (this.#verified.size >= VERIFIED_LIMIT) {
      const oldest = this.#verified.keys().next();
      if (oldest.done !== true) this.#verified.delete(oldest.value);
    }
    this.#verified.set(token, claims);
  }

  /** Seconds until the token expires (0 when already expired). */
  secondsLeft(claims: TokenClaims): number {
    return Math.max(0, claims.expiresAt - Math.floor(this.#clock.now() / 1000));
  }

  async revoke(claims: TokenClaims): Promise<void> {
    if (this.#revoked.has(claims.tokenId)) return;
    this.#revoked.add(claims.tokenId);
    await this.#store.create({ pvt_type: 'revoked_token', pvt_token_id: claims.tokenId, pvt_expires: claims.expiresAt });
  }
}
