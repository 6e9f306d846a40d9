import type { Logger, RateBuckets } from '../lib/index.ts';
import { parseBinding, type Binding } from './binding.ts';
import type { BindingCatalog } from './binding-catalog.ts';
import { BLACKHOLE_ERRORS } from './error-texts.ts';
import type { EventHistory } from './event-history.ts';
import type { SocketAuthenticator } from './socket-auth.ts';
import type { SocketSession, Subscription } from './socket-session.ts';
import { anonymousRequestId, errorReply, parseClientMessage, successReply, type ClientMessage } from './wire.ts';

/** What the pipeline works with, shared by every socket. */
export interface HandlerDeps {
  readonly catalog: BindingCatalog;
  readonly authenticator: SocketAuthenticator;
  readonly history: EventHistory;
  readonly buckets: RateBuckets;
  readonly maxBindingsPerSocket: number;
  readonly logger: Logger;
}

type BindingList = { readonly texts: readonly string[] } | { readonly error: string };

/**
 * KAZOO's message pipeline (`blackhole_socket_callback:recv/2`, reference §5.2): rate →
 * authenticate → validate → authorize → limits → command → reply. The first stage that fails
 * answers with its errors and leaves the session as it was. Messages of one socket run in order.
 */
export class MessageHandler {
  readonly #deps: HandlerDeps;
  readonly #queues = new WeakMap<SocketSession, Promise<void>>();

  constructor(deps: HandlerDeps) {
    this.#deps = deps;
  }

  /**
   * Takes one text frame. Parsing and the rate bucket are checked at once (a flood is answered,
   * never queued); the rest runs after the socket's earlier messages.
   */
  receive(s: SocketSession, text: string): void {
    const message = parseClientMessage(text);
    if (!this.#deps.buckets.consume(s.bucketKey, 1)) {
      s.reply(errorReply(message?.requestId ?? anonymousRequestId(), [BLACKHOLE_ERRORS.rateLimited(s.id)]));
      return;
    }
    if (message === undefined) {
      s.reply(errorReply(anonymousRequestId(), [BLACKHOLE_ERRORS.invalidJson]));
      return;
    }
    const previous = this.#queues.get(s) ?? Promise.resolve();
    const next = previous
      .then(() => this.#handle(s, message))
      .catch((error: unknown) => {
        this.#deps.logger.error({ err: error, session: s.id, action: message.action }, 'websocket message failed');
        if (!s.closed) s.reply(errorReply(message.requestId, ['internal error']));
      });
    this.#queues.set(s, next);
  }

  async #handle(session: SocketSession, message: ClientMessage): Promise<void> {
    if (session.closed) return;
    const authError = await this.#authenticate(session, message);
    if (authError !== undefined) return this.#fail(session, message, [authError]);
    switch (message.action) {
      case 'subscribe':
        return this.#subscribe(session, message);
      case 'unsubscribe':
        return this.#unsubscribe(session, message);
      case 'ping':
        return this.#succeed(session, message, { response: 'pong' });
      default:
        return this.#succeed(session, message, {});
    }
  }

  /**
   * The token is checked in full on the first message, and again whenever another token is sent;
   * otherwise the accepted one is re-verified (expiry, revocation) on every message. Unlike KAZOO,
   * whose authentication is sticky, so monster-ui learns of expiry and logs in again.
   */
  async #authenticate(session: SocketSession, message: ClientMessage): Promise<string | undefined> {
    const current = session.auth;
    const token = message.authToken;
    if (current !== undefined && (token === undefined || token === current.token)) return this.#deps.authenticator.recheck(current);
    const outcome = await this.#deps.authenticator.authenticate(token);
    if (!outcome.ok) return outcome.error;
    if (current !== undefined) {
      // The new token may hold less than the old one: keep only what it may subscribe to.
      for (const accountId of session.accounts) {
        if ((await this.#deps.authenticator.authorize(outcome.auth, accountId)) !== undefined) session.remove((s) => s.accountId === accountId);
      }
    }
    session.auth = outcome.auth;
    return undefined;
  }

  async #subscribe(session: SocketSession, message: ClientMessage): Promise<void> {
    const data = message.data;
    if (data === undefined || Object.keys(data).length === 0) return this.#fail(session, message, [BLACKHOLE_ERRORS.emptyData]);
    const list = readBindingList(data);
    if ('error' in list) return this.#fail(session, message, [list.error]);
    const accountId = data['account_id'];
    const missing = [...(typeof accountId === 'string' && accountId !== '' ? [] : ['account_id']), ...(list.texts.length === 0 ? ['binding'] : [])];
    if (missing.length > 0 || typeof accountId !== 'string') return this.#fail(session, message, [BLACKHOLE_ERRORS.missingKeys(missing)]);
    const parsed = this.#parseAll(list.texts);
    if ('errors' in parsed) return this.#fail(session, message, parsed.errors);
    const since = data['since'];
    const sinceError = checkSince(since, accountId);
    if (sinceError !== undefined) return this.#fail(session, message, [sinceError]);
    const auth = session.auth;
    const authzError = auth === undefined ? BLACKHOLE_ERRORS.tokenRequired : await this.#deps.authenticator.authorize(auth, accountId);
    if (authzError !== undefined) return this.#fail(session, message, [authzError]);
    if (session.closed) return;

    // From here on nothing awaits: the subscriptions, the reply and the replay happen in one turn,
    // so no event can slip between them.
    const fresh: Subscription[] = parsed.bindings.filter((b) => !session.has(accountId, b.text)).map((binding) => ({ accountId, binding }));
    if (session.subscriptionCount + fresh.length > this.#deps.maxBindingsPerSocket) {
      return this.#fail(session, message, [BLACKHOLE_ERRORS.tooManyBindings(this.#deps.maxBindingsPerSocket)]);
    }
    for (const sub of fresh) session.add(sub.accountId, sub.binding);
    const reply: Record<string, unknown> = { subscribed: session.bindings };
    if (accountId !== '*') reply['sequence'] = this.#deps.history.last(accountId);
    const replay = typeof since === 'number' ? this.#deps.history.since(accountId, since) : undefined;
    if (replay !== undefined) reply['gap'] = replay.gap;
    this.#succeed(session, message, reply);
    if (replay !== undefined && fresh.length > 0) session.replay(replay.events, fresh);
  }

  async #unsubscribe(session: SocketSession, message: ClientMessage): Promise<void> {
    const data = message.data ?? {};
    const list = readBindingList(data);
    if ('error' in list) return this.#fail(session, message, [list.error]);
    const account = typeof data['account_id'] === 'string' && data['account_id'] !== '' ? data['account_id'] : undefined;
    const ofAccount = (sub: Subscription): boolean => account === undefined || sub.accountId === account;
    if (list.texts.length === 0) {
      // No binding: unsubscribe everything (of the account, when one is named).
      const removed = session.remove(ofAccount);
      return this.#succeed(session, message, { unsubscribed: removed, subscribed: session.bindings });
    }
    const parsed = this.#parseAll(list.texts);
    if ('errors' in parsed) return this.#fail(session, message, parsed.errors);
    const texts = new Set(list.texts);
    session.remove((sub) => texts.has(sub.binding.text) && ofAccount(sub));
    return this.#succeed(session, message, { unsubscribed: [...texts], subscribed: session.bindings });
  }

  #parseAll(texts: readonly string[]): { readonly bindings: Binding[] } | { readonly errors: string[] } {
    const bindings: Binding[] = [];
    const errors: string[] = [];
    for (const text of texts) {
      const check = parseBinding(text, this.#deps.catalog);
      if (check.ok) bindings.push(check.binding);
      else errors.push(check.error);
    }
    return errors.length > 0 ? { errors } : { bindings };
  }

  /** Success: the message's `name`/`metadata` become the session's (cleared when absent). */
  #succeed(session: SocketSession, message: ClientMessage, data: Record<string, unknown>): void {
    if (session.closed) return;
    session.name = message.name;
    session.metadata = message.metadata;
    session.reply(successReply(message.requestId, data));
  }

  #fail(session: SocketSession, message: ClientMessage, errors: readonly string[]): void {
    if (session.closed) return;
    session.reply(errorReply(message.requestId, errors));
  }
}

/** `binding` and/or `bindings[]` (KAZOO reads only `binding`; its README documents both). */
function readBindingList(data: Readonly<Record<string, unknown>>): BindingList {
  const texts: string[] = [];
  const one = data['binding'];
  if (typeof one === 'string' && one !== '') texts.push(one);
  const many = data['bindings'];
  if (many !== undefined) {
    if (!Array.isArray(many) || many.some((b) => typeof b !== 'string' || b === '')) return { error: BLACKHOLE_ERRORS.invalidBindings };
    texts.push(...(many as string[]));
  }
  return { texts: [...new Set(texts)] };
}

function checkSince(since: unknown, accountId: string): string | undefined {
  if (since === undefined) return undefined;
  if (typeof since !== 'number' || !Number.isSafeInteger(since) || since < 0) return BLACKHOLE_ERRORS.invalidSince;
  if (accountId === '*') return BLACKHOLE_ERRORS.sinceNeedsAccount;
  return undefined;
}
