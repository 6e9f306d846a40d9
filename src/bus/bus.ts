/** One published event: its routing key and its JSON payload. */
export interface BusMessage {
  readonly routingKey: string;
  readonly payload: Readonly<Record<string, unknown>>;
}

export type BusHandler = (message: BusMessage) => void;

/** A live binding; `ready` resolves once messages published after it are certain to arrive. */
export interface Subscription {
  readonly pattern: string;
  readonly ready: Promise<void>;
  unsubscribe(): void;
}

/**
 * The event bus with AMQP topic semantics (`*` one word, `#` zero or more). In-process by default;
 * a NATS implementation carries the same interface across nodes.
 */
export interface Bus {
  publish(routingKey: string, payload: Readonly<Record<string, unknown>>): void;
  subscribe(pattern: string, handler: BusHandler): Subscription;
  close(): Promise<void>;
  readonly closed: boolean;
}
