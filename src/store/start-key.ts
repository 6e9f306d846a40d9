import { SwitchboardError } from '../lib/index.ts';

/** Where a listing page begins: the sort position (`created`, insertion `seq`) of its first doc. */
export interface ListPosition {
  readonly created: number;
  readonly seq: number;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** The opaque `start_key` of a position: base64url (no padding) of `[created, seq]`. */
export function encodeStartKey(position: ListPosition): string {
  return Buffer.from(JSON.stringify([position.created, position.seq]), 'utf8').toString('base64url');
}

/** The position in a start key; a key this store did not make throws `invalid_start_key`. */
export function decodeStartKey(key: string): ListPosition {
  const invalid = (): SwitchboardError => new SwitchboardError('invalid_start_key', `invalid start key: ${key}`);
  if (!BASE64URL.test(key)) throw invalid();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(key, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(value) || value.length !== 2) throw invalid();
  const [created, seq] = value as unknown[];
  if (typeof created !== 'number' || !Number.isSafeInteger(created) || typeof seq !== 'number' || !Number.isSafeInteger(seq)) throw invalid();
  return { created, seq };
}
