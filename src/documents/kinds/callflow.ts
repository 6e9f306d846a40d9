import type { DocKind } from '../doc-kind.ts';
import { pick } from './user.ts';

/** Callflows (`cb_callflows`): every number and pattern routes to one callflow per account. */
export const callflowKind: DocKind = {
  type: 'callflow',
  noun: 'callflows',
  schema: 'callflows',
  prepare(data) {
    const numbers = Array.isArray(data['numbers']) ? data['numbers'] : [];
    const patterns = Array.isArray(data['patterns']) ? data['patterns'] : [];
    if (numbers.length === 0 && patterns.length === 0) {
      return [{ path: 'numbers', code: 'required', message: 'A callflow needs at least one number or pattern', extra: { value: 'numbers' } }];
    }
    for (const [i, p] of patterns.entries()) {
      try {
        new RegExp(String(p));
      } catch {
        return [{ path: `patterns.${i}`, code: 'pattern', message: 'Pattern is not a valid regular expression', extra: { value: p } }];
      }
    }
    return data;
  },
  uniqueKeys(doc, { account }) {
    if (account === undefined) return [];
    const numbers = Array.isArray(doc['numbers']) ? doc['numbers'].map(String) : [];
    const patterns = Array.isArray(doc['patterns']) ? doc['patterns'].map(String) : [];
    return [
      ...numbers.map((n) => ({ scope: `callflow_number:${account._id}`, key: n })),
      ...patterns.map((p) => ({ scope: `callflow_pattern:${account._id}`, key: p })),
    ];
  },
  uniqueFailure(claim, holder) {
    const isNumber = claim.scope.startsWith('callflow_number:');
    return {
      path: isNumber ? 'numbers' : 'patterns',
      code: 'unique',
      message: `${isNumber ? 'Number' : 'Pattern'} ${claim.key} exists in callflow ${holder}`,
      extra: { cause: claim.key },
    };
  },
  summary(doc) {
    return pick(doc, ['id', 'name', 'numbers', 'patterns', 'featurecode', 'type']);
  },
};
