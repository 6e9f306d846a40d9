import { DigestClient, parseAuthHeader, type SipRequest, type SipResponse } from '../sip/index.ts';

/** Credentials a dial target answers challenges with; `realm` restricts which challenge is answered. */
export interface TargetCredentials {
  readonly username: string;
  readonly password: string;
  readonly realm?: string;
}

function challengeHeader(response: SipResponse): string {
  return response.status === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate';
}

/** True when the 401/407 challenges in `realm` (or no realm is required). */
export function challengedIn(response: SipResponse, realm: string | undefined): boolean {
  if (realm === undefined) return true;
  try {
    return response.headers
      .getAll(challengeHeader(response))
      .flatMap((v) => parseAuthHeader(v))
      .some((c) => c.params['realm']?.toLowerCase() === realm.toLowerCase());
  } catch {
    return false;
  }
}

/**
 * The INVITE re-sent with credentials for a 401/407 (RFC 3261 §22.2): same Call-ID and tags,
 * CSeq + 1, a new Via added when sent, and `Authorization` or `Proxy-Authorization`.
 * Throws when the challenge cannot be answered.
 */
export function authenticatedRetry(original: SipRequest, response: SipResponse, credentials: TargetCredentials): SipRequest {
  const authorization = new DigestClient().respond({
    method: 'INVITE',
    uri: original.uri,
    challengeHeader: response.headers.getAll(challengeHeader(response)),
    username: credentials.username,
    password: credentials.password,
  });
  const retry = original.clone();
  retry.headers.delete('Via');
  retry.headers.set('CSeq', `${(Number.parseInt(original.headers.get('CSeq') ?? '1', 10) || 1) + 1} INVITE`);
  retry.headers.set(response.status === 401 ? 'Authorization' : 'Proxy-Authorization', authorization);
  return retry;
}
