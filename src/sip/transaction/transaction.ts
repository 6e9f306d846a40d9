import { SwitchboardError, TypedEmitter } from '../../lib/index.ts';
import type { Clock, Logger, TimerHandle } from '../../lib/index.ts';
import type { SipMessage, SipRequest } from '../message/index.ts';
import type { TimerName, TimerSettings } from './timer-settings.ts';

/** What a transaction needs from the transaction layer that owns it (RFC 3261 §17). */
export interface TransactionContext {
  readonly clock: Clock;
  readonly timers: TimerSettings;
  readonly logger: Logger;
  /** True when the transport carrying the transaction is reliable (Table 4 "0 for TCP" values). */
  readonly reliable: boolean;
  /** Hands a message to the transport layer; a failure comes back through `transportError()`. */
  send(message: SipMessage): void;
}

/** The four transaction kinds of RFC 3261 §17: INVITE/non-INVITE, client/server. */
export type TransactionKind = 'invite-client' | 'non-invite-client' | 'invite-server' | 'non-invite-server';

/** For each state, the states the RFC's figure allows moving to. */
export type TransitionTable<S extends string> = { readonly [K in S]: readonly S[] };

/** Events every transaction emits. */
export type TransactionEvents<S extends string> = {
  stateChanged: [from: S, to: S];
  terminated: [];
};

/** Thrown by `transition()` for a move the RFC's state diagram does not have. */
export class IllegalTransitionError extends SwitchboardError {
  readonly from: string;
  readonly to: string;

  constructor(kind: TransactionKind, from: string, to: string) {
    super('illegal_transition', `${kind} transaction cannot move from ${from} to ${to}`);
    this.from = from;
    this.to = to;
  }
}

/**
 * Shared machinery of the four RFC 3261 §17 state machines: one `State` union, one `transition()`
 * checked against a table, and the RFC-named timers taken from the injected clock.
 */
export abstract class Transaction<S extends string, E extends TransactionEvents<S>> extends TypedEmitter<E> {
  abstract readonly kind: TransactionKind;
  /** The key the transaction layer files this transaction under (§17.1.3 / §17.2.3). */
  readonly id: string;
  readonly request: SipRequest;
  protected readonly ctx: TransactionContext;
  protected readonly log: Logger;
  #state: S;
  readonly #table: TransitionTable<S>;
  readonly #timers = new Map<TimerName, TimerHandle>();

  protected constructor(id: string, request: SipRequest, ctx: TransactionContext, initial: S, table: TransitionTable<S>) {
    super();
    this.id = id;
    this.request = request;
    this.ctx = ctx;
    this.log = ctx.logger;
    this.#state = initial;
    this.#table = table;
  }

  get state(): S {
    return this.#state;
  }

  /** True once the transaction reached the Terminated state. */
  get terminated(): boolean {
    return this.#state === 'terminated';
  }

  /** The timers currently running, by RFC name (tests and diagnostics). */
  get activeTimers(): TimerName[] {
    return [...this.#timers.keys()].sort();
  }

  /** Moves to `to`; throws {@link IllegalTransitionError} for a move the RFC figure lacks. */
  transition(to: S): void {
    const from = this.#state;
    if (!this.#table[from].includes(to)) {
      this.log.warn({ from, to, kind: this.kind }, 'illegal transaction transition');
      throw new IllegalTransitionError(this.kind, from, to);
    }
    this.#enter(to);
  }

  /** Ends the transaction now, whatever its state (stack shutdown): clears every timer. */
  terminate(): void {
    if (!this.terminated) this.#enter('terminated' as S);
  }

  /** Reports a fatal transport failure for a message this transaction sent (§17.1.4, §17.2.4). */
  abstract transportError(error: Error): void;

  /** Starts (or restarts) the RFC-named timer; a zero duration fires synchronously. */
  protected startTimer(name: TimerName, ms: number, fire: () => void): void {
    this.stopTimer(name);
    if (ms <= 0) {
      fire();
      return;
    }
    const handle = this.ctx.clock.setTimeout(() => {
      this.#timers.delete(name);
      if (!this.terminated) fire();
    }, ms);
    this.#timers.set(name, handle);
  }

  protected stopTimer(name: TimerName): void {
    const handle = this.#timers.get(name);
    if (handle !== undefined) {
      this.ctx.clock.clearTimeout(handle);
      this.#timers.delete(name);
    }
  }

  /** Passes a message to the transport layer unless the transaction is over. */
  protected send(message: SipMessage): void {
    if (!this.terminated) this.ctx.send(message);
  }

  /** Calls `listener` once the transaction terminates; returns the unsubscribe function. */
  onTerminated(listener: () => void): () => void {
    return (this as unknown as TypedEmitter<TransactionEvents<S>>).on('terminated', listener);
  }

  /** Reads the current state without the narrowing a previous comparison left on `state`. */
  protected isIn(state: S): boolean {
    return this.#state === state;
  }

  /** Emits one of the base events (the generic event map cannot be narrowed here). */
  protected emitBase<K extends keyof TransactionEvents<S>>(event: K, ...args: TransactionEvents<S>[K]): void {
    (this as unknown as TypedEmitter<TransactionEvents<S>>).emit(event, ...args);
  }

  #enter(to: S): void {
    const from = this.#state;
    this.#state = to;
    this.log.debug({ from, to, kind: this.kind, id: this.id }, 'transaction state');
    if (to === 'terminated') {
      for (const handle of this.#timers.values()) this.ctx.clock.clearTimeout(handle);
      this.#timers.clear();
    }
    this.emitBase('stateChanged', from, to);
    if (to === 'terminated') this.emitBase('terminated');
  }
}
