import { randomHex } from '../lib/index.ts';
import type { RecordedEvent } from './event-history.ts';

/** A client message (kazoo-reference §5.2), read leniently: only `action` gets a default. */
export interface ClientMessage {
  /** `subscribe`, `unsubscribe`, `ping` or anything (KAZOO's default is `noop`). */
  readonly action: string;
  /** Echoed in the reply; a random 32-hex id when the client sent none. */
  readonly requestId: string | number;
  /** `auth_token` as sent; undefined when absent, empty, or monster-ui's literal `undefined`/`null`. */
  readonly authToken: unknown;
  readonly name: unknown;
  readonly metadata: unknown;
  /** `data` when it is an object, else undefined. */
  readonly data: Readonly<Record<string, unknown>> | undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses one text frame; undefined when it is not a JSON object. */
export function parseClientMessage(text: string): ClientMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(value)) return undefined;
  const id = value['request_id'];
  const token = value['auth_token'];
  return {
    action: typeof value['action'] === 'string' ? value['action'] : 'noop',
    requestId: (typeof id === 'string' && id !== '') || typeof id === 'number' ? id : randomHex(16),
    authToken: token === '' || token === 'undefined' || token === 'null' || token === null ? undefined : token,
    name: value['name'],
    metadata: value['metadata'],
    data: isObject(value['data']) ? value['data'] : undefined,
  };
}

/** `{"action":"reply","request_id":..,"status":"success","data":{..}}` (reference §5.3). */
export function successReply(requestId: string | number, data: Readonly<Record<string, unknown>>): string {
  return JSON.stringify({ action: 'reply', request_id: requestId, status: 'success', data });
}

/** `{"action":"reply",..,"status":"error","data":{"errors":[..]}}` (reference §5.3). */
export function errorReply(requestId: string | number, errors: readonly string[]): string {
  return JSON.stringify({ action: 'reply', request_id: requestId, status: 'error', data: { errors } });
}

/** A random request id for replies to frames that could not be read. */
export function anonymousRequestId(): string {
  return randomHex(16);
}

/**
 * An event message (reference §5.3) plus our `account_id` and `sequence` (and `replay: true` for
 * replayed ones). Built by concatenation: the payload is serialised once per event, not per socket.
 */
export function eventMessage(event: RecordedEvent, subscribedKey: string, subscriptionKey: string, replay: boolean): string {
  return (
    `{"action":"event","subscribed_key":${JSON.stringify(subscribedKey)},"subscription_key":${JSON.stringify(subscriptionKey)}` +
    `,"name":${JSON.stringify(event.name)},"routing_key":${JSON.stringify(event.routingKey)}` +
    `,"account_id":${JSON.stringify(event.accountId)},"sequence":${event.sequence}${replay ? ',"replay":true' : ''},"data":${event.dataJson}}`
  );
}
