import { randomBytes, randomUUID } from 'node:crypto';

/** A KAZOO-style document id: 32 lower-case hex characters. */
export function newId(): string {
  return randomBytes(16).toString('hex');
}

/** A random RFC 4122 UUID (call ids, request ids). */
export function newUuid(): string {
  return randomUUID();
}

/** A random lower-case hex token of `bytes` bytes (tags, branches, nonces). */
export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

const ACCOUNT_ID = /^[0-9a-f]{32}$/;

/** True when `id` has the form of a KAZOO account id (32 lower-case hex). */
export function isAccountId(id: string): boolean {
  return ACCOUNT_ID.test(id);
}
