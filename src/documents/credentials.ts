import { createHash } from 'node:crypto';

/** KAZOO's user credential hash: md5 of `lowercase(username):password`, lower-case hex (§1.7). */
export function md5Credentials(username: string, password: string): string {
  return createHash('md5').update(`${username.toLowerCase()}:${password}`).digest('hex');
}

/** The `sha` method's variant of {@link md5Credentials}. */
export function sha1Credentials(username: string, password: string): string {
  return createHash('sha1').update(`${username.toLowerCase()}:${password}`).digest('hex');
}
