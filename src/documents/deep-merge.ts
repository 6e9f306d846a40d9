import type { Doc } from '../store/index.ts';

function isObject(value: unknown): value is Doc {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * PATCH semantics (reference §1.10, `crossbar_doc_tests`): the patch wins, nested objects merge
 * recursively, arrays are replaced, and a `null` in the patch removes the key.
 */
export function deepMerge(base: Doc, patch: Doc): Doc {
  const out: Doc = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete out[key];
    } else if (isObject(value) && isObject(out[key])) {
      out[key] = deepMerge(out[key] as Doc, value);
    } else {
      out[key] = value;
    }
  }
  return out;
}
