import type { Doc } from '../store/index.ts';

/** Keys starting with `_` or `pvt_` are private and never leave the server (reference §0). */
export function isPrivateKey(key: string): boolean {
  return key.startsWith('_') || key.startsWith('pvt_');
}

/** The public view of a stored doc: private keys removed, `id` added from `_id`. */
export function publicFields(doc: Doc): Doc {
  const out: Doc = {};
  for (const [k, v] of Object.entries(doc)) if (!isPrivateKey(k)) out[k] = v;
  if (typeof doc['_id'] === 'string') out['id'] = doc['_id'];
  return out;
}

/** Request data with private keys (and `id`) dropped, as KAZOO does before validation (§1.10). */
export function requestFields(data: Doc): Doc {
  const out: Doc = {};
  for (const [k, v] of Object.entries(data)) if (!isPrivateKey(k) && k !== 'id') out[k] = v;
  return out;
}

/** The private fields of a stored doc (kept across a POST replace). */
export function privateFields(doc: Doc): Doc {
  const out: Doc = {};
  for (const [k, v] of Object.entries(doc)) if (isPrivateKey(k)) out[k] = v;
  return out;
}
