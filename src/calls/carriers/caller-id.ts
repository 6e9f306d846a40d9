import type { Doc } from '../../store/index.ts';

/** A caller id as presented in From (display name and user part). */
export interface CallerId {
  readonly name: string;
  readonly number: string;
}

export const CALLER_ID_TYPES = ['internal', 'external', 'emergency'] as const;
export type CallerIdType = (typeof CALLER_ID_TYPES)[number];

/** The `caller_id` keys tried for a type, most specific first (KAZOO: emergency falls back to external). */
const CHAIN: Readonly<Record<CallerIdType, readonly string[]>> = {
  internal: ['internal'],
  external: ['external'],
  emergency: ['emergency', 'external'],
};

/** A caller id type from a document value, or undefined. */
export function callerIdType(value: unknown): CallerIdType | undefined {
  return CALLER_ID_TYPES.find((t) => t === value);
}

/**
 * The caller id a call presents (KAZOO kz_attributes caller_id): for each key of the type's chain,
 * each document in order (device, its owner, the account) may give `caller_id.<key>.name` and
 * `.number`, each field taken from the first document that has it; what none gives stays the
 * caller's own (`fallback`, the internal caller id).
 */
export function presentedCallerId(type: CallerIdType, docs: readonly (Doc | undefined)[], fallback: CallerId): CallerId {
  let name: string | undefined;
  let number: string | undefined;
  for (const key of CHAIN[type]) {
    for (const doc of docs) {
      const entry = entryOf(doc, key);
      name ??= entry.name;
      number ??= entry.number;
    }
  }
  return { name: name ?? fallback.name, number: number ?? fallback.number };
}

function entryOf(doc: Doc | undefined, key: string): { name?: string; number?: string } {
  const callerId = doc?.['caller_id'];
  if (typeof callerId !== 'object' || callerId === null) return {};
  const entry = (callerId as Record<string, unknown>)[key];
  if (typeof entry !== 'object' || entry === null) return {};
  const { name, number } = entry as Record<string, unknown>;
  return {
    ...(typeof name === 'string' && name.trim() !== '' ? { name } : {}),
    ...(typeof number === 'string' && number.trim() !== '' ? { number } : {}),
  };
}
