import { ClosedError, silentLogger, type Logger } from '../lib/index.ts';
import type { Bus, BusHandler, BusMessage, Subscription } from './bus.ts';
import { TopicPattern } from './topic-pattern.ts';

interface Binding {
  readonly pattern: TopicPattern;
  readonly handler: BusHandler;
}

/**
 * The single-process bus. Delivery is synchronous in publish order; a throwing handler is logged
 * and never reaches the publisher or the other handlers.
 */
export class MemoryBus implements Bus {
  readonly #bindings = new Set<Binding>();
  readonly #logger: Logger;
  #closed = false;

  constructor(logger: Logger = silentLogger) {
    this.#logger = logger;
  }

  get closed(): boolean {
    return this.#closed;
  }

  publish(routingKey: string, payload: Readonly<Record<string, unknown>>): void {
    if (this.#closed) throw new ClosedError('bus');
    const message: BusMessage = { routingKey, payload };
    for (const binding of [...this.#bindings]) {
      if (!binding.pattern.matches(routingKey)) continue;
      try {
        binding.handler(message);
      } catch (error) {
        this.#logger.error({ err: error, routingKey }, 'bus handler failed');
      }
    }
  }

  subscribe(pattern: string, handler: BusHandler): Subscription {
    if (this.#closed) throw new ClosedError('bus');
    const binding: Binding = { pattern: new TopicPattern(pattern), handler };
    this.#bindings.add(binding);
    return {
      pattern,
      ready: Promise.resolve(),
      unsubscribe: () => {
        this.#bindings.delete(binding);
      },
    };
  }

  /** Number of live bindings (leak checks). */
  get size(): number {
    return this.#bindings.size;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#bindings.clear();
  }
}
