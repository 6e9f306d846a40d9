import { decodeRoutingWord, type BusMessage } from '../bus/index.ts';
import { isAccountId } from '../lib/index.ts';
import { OBJECT_EVENT_ACTIONS, type BindingCatalog } from './binding-catalog.ts';

/** What a binding is matched against, beyond the event name. */
export type EventSubject =
  | { readonly kind: 'call'; /** The call id as encoded in the routing key. */ readonly callWord: string }
  | { readonly kind: 'object'; readonly docType: string };

/** A bus event the Blackhole can deliver: whose it is, what it is, and its payload. */
export interface HubEvent {
  readonly accountId: string;
  /** KAZOO's `Event-Name`: `CHANNEL_CREATE`, `doc_created`... */
  readonly name: string;
  readonly routingKey: string;
  readonly subject: EventSubject;
  readonly payload: Readonly<Record<string, unknown>>;
}

/** The bus patterns the Blackhole listens to: every call event and every object event. */
export const HUB_PATTERNS: readonly string[] = ['call.*.*.*', ...OBJECT_EVENT_ACTIONS.map((a) => `${a}.*.*.*`)];

/**
 * Reads a bus message: `call.<account>.<EVENT>.<call>` (reference §5.4) or
 * `<action>.<encoded account db>.<type>.<id>` (§5.5). Undefined for events no binding can ask for.
 */
export function classifyBusMessage(message: BusMessage, catalog: BindingCatalog): HubEvent | undefined {
  const words = message.routingKey.split('.');
  if (words.length !== 4) return undefined;
  const [first, second, third, fourth] = words as [string, string, string, string];
  if (first === 'call') {
    if (!catalog.callEvents.includes(third) || !isAccountId(second)) return undefined;
    return { accountId: second, name: third, routingKey: message.routingKey, subject: { kind: 'call', callWord: fourth }, payload: message.payload };
  }
  if (!OBJECT_EVENT_ACTIONS.includes(first) || !catalog.objectTypes.includes(third)) return undefined;
  const accountId = accountOfDbWord(second);
  if (accountId === undefined) return undefined;
  return { accountId, name: first, routingKey: message.routingKey, subject: { kind: 'object', docType: third }, payload: message.payload };
}

/** The account id inside a routing-key word holding an encoded account db (`account%252Fxx%252Fyy%252Frest`). */
export function accountOfDbWord(word: string): string | undefined {
  let db: string;
  try {
    db = decodeURIComponent(decodeRoutingWord(word));
  } catch {
    return undefined;
  }
  const m = /^account\/([0-9a-f]{2})\/([0-9a-f]{2})\/([0-9a-f]{28})$/.exec(db);
  return m === null ? undefined : `${m[1]}${m[2]}${m[3]}`;
}
