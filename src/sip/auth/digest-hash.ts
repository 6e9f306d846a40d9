import { createHash } from 'node:crypto';

/** Digest algorithms this stack computes (RFC 7616 §3.2, RFC 8760 for SIP). */
export type DigestAlgorithm = 'MD5' | 'SHA-256';

/** Digest hash H(data) as lower-case hex for `algorithm` (RFC 7616 §3.4.1). */
export function digestHash(algorithm: DigestAlgorithm, data: string): string {
  return createHash(algorithm === 'MD5' ? 'md5' : 'sha256').update(data, 'utf8').digest('hex');
}

/** A1 hash of RFC 7616 §3.4.2: H(username ":" realm ":" password), lower-case hex. */
export function ha1(username: string, realm: string, password: string, algorithm: DigestAlgorithm): string {
  return digestHash(algorithm, `${username}:${realm}:${password}`);
}

/** Splits `SHA-256-sess` into its base algorithm and the session flag; undefined when unknown. */
export function parseAlgorithm(text: string | undefined): { algorithm: DigestAlgorithm; sess: boolean } | undefined {
  const upper = (text ?? 'MD5').toUpperCase();
  const sess = upper.endsWith('-SESS');
  const base = sess ? upper.slice(0, -5) : upper;
  if (base === 'MD5' || base === 'SHA-256') return { algorithm: base, sess };
  return undefined;
}

/** Inputs of {@link digestResponse}. */
export interface DigestInputs {
  algorithm: DigestAlgorithm;
  sess: boolean;
  /** H(username:realm:password). */
  ha1: string;
  nonce: string;
  method: string;
  uri: string;
  qop?: 'auth' | 'auth-int';
  nc?: string;
  cnonce?: string;
  /** Message body, for qop=auth-int. */
  body?: Buffer;
}

/**
 * The request-digest of RFC 7616 §3.4.1 (and RFC 2069 without qop):
 * response = H(HA1 ":" nonce ":" nc ":" cnonce ":" qop ":" HA2), or H(HA1 ":" nonce ":" HA2).
 */
export function digestResponse(i: DigestInputs): string {
  const h = (s: string): string => digestHash(i.algorithm, s);
  const a1 = i.sess ? h(`${i.ha1}:${i.nonce}:${i.cnonce ?? ''}`) : i.ha1;
  const a2 =
    i.qop === 'auth-int'
      ? `${i.method}:${i.uri}:${createHash(i.algorithm === 'MD5' ? 'md5' : 'sha256').update(i.body ?? Buffer.alloc(0)).digest('hex')}`
      : `${i.method}:${i.uri}`;
  const ha2 = h(a2);
  if (i.qop === undefined) return h(`${a1}:${i.nonce}:${ha2}`);
  return h(`${a1}:${i.nonce}:${i.nc ?? ''}:${i.cnonce ?? ''}:${i.qop}:${ha2}`);
}
