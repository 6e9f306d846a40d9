import type { StoredDoc } from '../store/index.ts';

/**
 * What a cached endpoint lookup depends on, and which of those a document change touches. The
 * rule is coarse on purpose: any write to a type in an account clears that account's lookups of
 * the type, any write to an account clears the realm index, any write to a device or an account
 * clears the cross-account SIP username index, and any write to a document clears every lookup
 * whose answer holds it (even if the write moved it to another account or type).
 */
export const LookupScope = {
  /** One document, by id. */
  doc: (id: string): string => `doc:${id}`,
  /** Every document of `type` in `accountId` (listings, searches, negative answers). */
  type: (accountId: string, type: string): string => `type:${JSON.stringify([accountId, type])}`,
  /** realm → account, across accounts. */
  realms: 'index:realms',
  /** SIP username → device, across accounts (with the device's account). */
  sipUsernames: 'index:sip_usernames',
} as const;

/** The scopes a committed change of `doc` invalidates. */
export function scopesOfChange(doc: StoredDoc): string[] {
  const scopes = [LookupScope.doc(doc._id)];
  const type = doc.pvt_type;
  if (doc.pvt_account_id !== undefined) scopes.push(LookupScope.type(doc.pvt_account_id, type));
  if (type === 'account') scopes.push(LookupScope.realms, LookupScope.sipUsernames);
  if (type === 'device') scopes.push(LookupScope.sipUsernames);
  return scopes;
}

/** The scopes of the documents an answer holds. */
export function scopesOfDocs(docs: readonly (StoredDoc | undefined)[]): string[] {
  return docs.flatMap((doc) => (doc === undefined ? [] : [LookupScope.doc(doc._id)]));
}
