import { randomBytes } from 'node:crypto';
import { digestResponse, ha1, parseAlgorithm } from './digest-hash.ts';
import { DigestSyntaxError, formatDigest, parseAuthHeader, type AuthChallenge } from './digest-header.ts';

/** Inputs of {@link DigestClient.respond}. */
export interface DigestRespondOptions {
  method: string;
  /** The Request-URI of the request being authorized (sent as digest-uri). */
  uri: string;
  /** WWW-Authenticate / Proxy-Authenticate value(s); with several, the strongest algorithm wins. */
  challengeHeader: string | readonly string[];
  username: string;
  password: string;
  /** Request body, used when only qop=auth-int is offered. */
  body?: Buffer;
}

/** Preference order when a server offers several challenges (RFC 8760 §2.4). */
const PREFERENCE = ['SHA-256', 'SHA-256-SESS', 'MD5', 'MD5-SESS'];
const MAX_NONCES = 64;

/**
 * Client side of digest authentication (RFC 3261 §22.2, RFC 7616 §3.4, RFC 8760): answers a
 * carrier's or registrar's challenge. Prefers SHA-256 over MD5, keeps a nonce-count per nonce (so
 * reusing a nonce for the next REGISTER increments nc), and draws a fresh random cnonce each time.
 */
export class DigestClient {
  /** nonce → last nc used, oldest first; bounded. */
  readonly #counts = new Map<string, number>();

  /** Builds the Authorization / Proxy-Authorization value; throws DigestSyntaxError on a bad challenge. */
  respond(opts: DigestRespondOptions): string {
    const headers = typeof opts.challengeHeader === 'string' ? [opts.challengeHeader] : opts.challengeHeader;
    const chosen = pickChallenge(headers.flatMap((h) => parseAuthHeader(h)));
    const p = chosen.params;
    const realm = p['realm'];
    const nonce = p['nonce'];
    if (realm === undefined || nonce === undefined) throw new DigestSyntaxError('Challenge lacks realm or nonce');
    const alg = parseAlgorithm(p['algorithm']);
    if (alg === undefined) throw new DigestSyntaxError('Unsupported digest algorithm');
    const offered = (p['qop'] ?? '').split(',').map((q) => q.trim().toLowerCase()).filter((q) => q !== '');
    const qop = offered.includes('auth') ? 'auth' : offered.includes('auth-int') ? 'auth-int' : undefined;
    if (qop === undefined && offered.length > 0) throw new DigestSyntaxError('No supported qop offered');

    const credentials: Record<string, string> = { username: opts.username, realm, nonce, uri: opts.uri, response: '' };
    if (p['algorithm'] !== undefined) credentials['algorithm'] = p['algorithm'];
    const inputs = { algorithm: alg.algorithm, sess: alg.sess, ha1: ha1(opts.username, realm, opts.password, alg.algorithm), nonce, method: opts.method, uri: opts.uri };
    if (qop === undefined) {
      credentials['response'] = digestResponse(inputs);
    } else {
      const nc = this.#nextCount(nonce).toString(16).padStart(8, '0');
      const cnonce = randomBytes(16).toString('hex');
      credentials['response'] = digestResponse({ ...inputs, qop, nc, cnonce, ...(opts.body === undefined ? {} : { body: opts.body }) });
      credentials['cnonce'] = cnonce;
      credentials['qop'] = qop;
      credentials['nc'] = nc;
    }
    if (p['opaque'] !== undefined) credentials['opaque'] = p['opaque'];
    return formatDigest(credentials, 'credentials');
  }

  #nextCount(nonce: string): number {
    const nc = (this.#counts.get(nonce) ?? 0) + 1;
    this.#counts.delete(nonce);
    this.#counts.set(nonce, nc);
    if (this.#counts.size > MAX_NONCES) {
      const oldest = this.#counts.keys().next().value;
      if (oldest !== undefined) this.#counts.delete(oldest);
    }
    return nc;
  }
}

function pickChallenge(all: AuthChallenge[]): AuthChallenge {
  let best: AuthChallenge | undefined;
  let bestRank = Infinity;
  for (const c of all) {
    if (c.scheme.toLowerCase() !== 'digest') continue;
    const rank = PREFERENCE.indexOf((c.params['algorithm'] ?? 'MD5').toUpperCase());
    if (rank >= 0 && rank < bestRank) {
      best = c;
      bestRank = rank;
    }
  }
  if (best === undefined) throw new DigestSyntaxError('No supported Digest challenge');
  return best;
}
