import { encodeRoutingWord } from '../bus/index.ts';
import { objectRoutingKey } from '../documents/index.ts';
import { OBJECT_EVENT_ACTIONS, type BindingCatalog } from './binding-catalog.ts';
import { BLACKHOLE_ERRORS } from './error-texts.ts';
import type { HubEvent } from './hub-event.ts';

/** `call.<EVENT|*>.<CALL_ID|*>` (kazoo-reference §5.4, `bh_call`). */
export interface CallBinding {
  readonly kind: 'call';
  /** The client's exact string: it comes back as `subscribed_key`. */
  readonly text: string;
  readonly event: string;
  /** As the client wrote it, or `*`. */
  readonly callId: string;
  /** The call id as it appears in routing keys. */
  readonly callWord: string;
}

/** `object.<ACTION|*>.<TYPE|*>` (kazoo-reference §5.4, `bh_object`). */
export interface ObjectBinding {
  readonly kind: 'object';
  readonly text: string;
  readonly action: string;
  readonly docType: string;
}

export type Binding = CallBinding | ObjectBinding;

export type BindingCheck = { readonly ok: true; readonly binding: Binding } | { readonly ok: false; readonly error: string };

/**
 * Validates a client binding with KAZOO's error texts (reference §5.2/§5.4). Unlike KAZOO, a call
 * id may itself contain dots (SIP Call-IDs often do): everything after the event is the call id.
 */
export function parseBinding(text: string, catalog: BindingCatalog): BindingCheck {
  const dot = text.indexOf('.');
  const key = dot === -1 ? text : text.slice(0, dot);
  const keys = dot === -1 ? [] : text.slice(dot + 1).split('.');
  if (key === 'call') return parseCall(text, keys, catalog);
  if (key === 'object') return parseObject(text, keys, catalog);
  return { ok: false, error: BLACKHOLE_ERRORS.noSubscriptions };
}

function parseCall(text: string, keys: string[], catalog: BindingCatalog): BindingCheck {
  const [event, ...rest] = keys;
  const callId = rest.join('.');
  if (event === undefined || event === '' || callId === '') return { ok: false, error: BLACKHOLE_ERRORS.invalidFormat('call', keys) };
  if (event !== '*' && !catalog.callEvents.includes(event)) return { ok: false, error: BLACKHOLE_ERRORS.eventNotSupported(event) };
  return { ok: true, binding: { kind: 'call', text, event, callId, callWord: encodeRoutingWord(callId) } };
}

function parseObject(text: string, keys: string[], catalog: BindingCatalog): BindingCheck {
  const [action, docType] = keys;
  if (keys.length !== 2 || action === undefined || docType === undefined || action === '' || docType === '') {
    return { ok: false, error: BLACKHOLE_ERRORS.invalidFormat('object', keys) };
  }
  const actionOk = action === '*' || OBJECT_EVENT_ACTIONS.includes(action);
  const typeOk = docType === '*' || catalog.objectTypes.includes(docType);
  if (!actionOk || !typeOk) return { ok: false, error: BLACKHOLE_ERRORS.eventNotSupported(`${action}.${docType}`) };
  return { ok: true, binding: { kind: 'object', text, action, docType } };
}

/** True when an event is one the binding asks for (the account is checked by the caller). */
export function bindingMatches(binding: Binding, event: HubEvent): boolean {
  const subject = event.subject;
  if (binding.kind === 'call') {
    if (subject.kind !== 'call') return false;
    if (binding.event !== '*' && binding.event !== event.name) return false;
    // The client may give the raw call id or its routing-key form (KAZOO compares the latter only).
    return binding.callId === '*' || binding.callWord === subject.callWord || binding.callId === subject.callWord;
  }
  if (subject.kind !== 'object') return false;
  return (binding.action === '*' || binding.action === event.name) && (binding.docType === '*' || binding.docType === subject.docType);
}

/**
 * KAZOO's internal AMQP-style key for a subscription (`subscription_key` of an event): the account
 * is `*` for a wildcard subscription; a `*` call event is expanded to the event's own name.
 */
export function subscriptionKey(binding: Binding, accountId: string, event: HubEvent): string {
  if (binding.kind === 'call') return `call.${accountId}.${binding.event === '*' ? event.name : binding.event}.${binding.callWord}`;
  if (accountId === '*') return `${binding.action}.*.${binding.docType}.*`;
  return objectRoutingKey(binding.action, accountId, binding.docType, '*');
}
