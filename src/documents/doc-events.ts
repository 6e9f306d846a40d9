import type { Bus } from '../bus/index.ts';
import { encodeRoutingWord } from '../bus/index.ts';
import { newId, type Logger } from '../lib/index.ts';
import type { DocChange, DocumentStore } from '../store/index.ts';
import { encodedAccountDb } from './account-db.ts';

/** Doc types that are internal bookkeeping and never published (KAZOO's excluded types). */
const UNPUBLISHED = new Set(['system_secret', 'revoked_token', 'clicktocall_history']);

export const OBJECT_ACTIONS = { created: 'doc_created', edited: 'doc_edited', deleted: 'doc_deleted' } as const;

/** Routing key of an object event: `<action>.<encoded account db>.<type>.<encoded id>` (reference §5.5). */
export function objectRoutingKey(action: string, accountId: string, type: string, id: string): string {
  return `${action}.${encodeRoutingWord(encodedAccountDb(accountId))}.${type}.${encodeRoutingWord(id)}`;
}

/**
 * The `doc_update` payload of reference §5.5, normalised. Unlike KAZOO, `date_created` is the doc's
 * creation time and `date_modified` its modification time (KAZOO swaps them; docs/compatibility.md).
 */
export function objectEventPayload(change: DocChange, appVersion: string): Record<string, unknown> {
  const { doc } = change;
  const accountId = doc.pvt_account_id ?? '';
  return {
    id: doc._id,
    rev: doc._rev,
    type: doc.pvt_type,
    database: encodedAccountDb(accountId),
    account_id: accountId,
    date_created: doc.pvt_created,
    date_modified: doc.pvt_modified,
    is_soft_deleted: doc.pvt_deleted === true,
    origin_cache: 'switchboard',
    event_category: 'configuration',
    event_name: OBJECT_ACTIONS[change.kind],
    app_name: 'switchboard',
    app_version: appVersion,
    msg_id: newId(),
  };
}

/** Publishes every committed doc change as an object event on the bus. Returns the unsubscribe. */
export function publishDocChanges(store: DocumentStore, bus: Bus, appVersion: string, logger: Logger): () => void {
  return store.onChange((change) => {
    const { doc } = change;
    if (UNPUBLISHED.has(doc.pvt_type) || doc.pvt_account_id === undefined || bus.closed) return;
    const action = OBJECT_ACTIONS[change.kind];
    try {
      bus.publish(objectRoutingKey(action, doc.pvt_account_id, doc.pvt_type, doc._id), objectEventPayload(change, appVersion));
    } catch (error) {
      logger.error({ err: error, id: doc._id }, 'object event not published');
    }
  });
}
