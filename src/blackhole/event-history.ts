import type { Clock } from '../lib/index.ts';
import { FifoQueue } from './fifo-queue.ts';
import type { HubEvent } from './hub-event.ts';

/** An event with its place in its account's stream. */
export interface RecordedEvent extends HubEvent {
  /** Strictly increasing per account (beyond KAZOO; docs/websockets.md). */
  readonly sequence: number;
  /** Clock time it was recorded, ms. */
  readonly at: number;
  /** The payload as JSON, serialised once for every socket. */
  readonly dataJson: string;
}

/** How much history is kept for replay. */
export interface HistoryLimits {
  /** Events kept over all accounts. */
  readonly maxEvents: number;
  readonly maxEventsPerAccount: number;
  /** Older events are forgotten, ms. */
  readonly maxAgeMs: number;
}

/** The answer to "what happened in this account after sequence n". */
export interface Replay {
  /** True when some of those events are no longer known: the client must resynchronise. */
  readonly gap: boolean;
  /** The events after n, oldest first (empty when there is a gap). */
  readonly events: readonly RecordedEvent[];
}

interface Stream {
  last: number;
  /** Highest sequence no longer in `events` (the floor of what can be replayed). */
  forgotten: number;
  readonly events: FifoQueue<Entry>;
}

interface Entry {
  readonly event: RecordedEvent;
  evicted: boolean;
}

/**
 * Per-account sequence numbers and a bounded history for replay. Sequences start from the clock
 * time in microseconds when the history is created, so they keep increasing across restarts and a
 * client's sequence from before a restart is recognised as a gap; within one run they go up by
 * one per event of the account.
 */
export class EventHistory {
  readonly #limits: HistoryLimits;
  readonly #clock: Clock;
  readonly #base: number;
  readonly #streams = new Map<string, Stream>();
  /** Entries in arrival order (evicted ones linger until compaction): the bounds trim from its head. */
  #all = new FifoQueue<Entry>();
  /** Entries still kept. */
  #live = 0;

  constructor(limits: HistoryLimits, clock: Clock) {
    this.#limits = limits;
    this.#clock = clock;
    this.#base = clock.now() * 1000;
  }

  /** Gives the event the account's next sequence number and keeps it. */
  record(event: HubEvent): RecordedEvent {
    const stream = this.#stream(event.accountId);
    stream.last += 1;
    const recorded: RecordedEvent = { ...event, sequence: stream.last, at: this.#clock.now(), dataJson: JSON.stringify(event.payload) };
    const entry: Entry = { event: recorded, evicted: false };
    stream.events.push(entry);
    this.#all.push(entry);
    this.#live++;
    if (stream.events.size > this.#limits.maxEventsPerAccount) this.#evict(stream.events.peek());
    while (this.#live > this.#limits.maxEvents) this.#evict(this.#all.shift());
    this.#expire();
    if (this.#all.size > 2 * this.#live + 1024) this.#compact();
    return recorded;
  }

  /** The account's latest sequence number (the starting point when nothing happened yet). */
  last(accountId: string): number {
    return this.#streams.get(accountId)?.last ?? this.#base;
  }

  /** The account's events after `since`, or a gap when some of them are forgotten or unknown. */
  since(accountId: string, since: number): Replay {
    this.#expire();
    const stream = this.#streams.get(accountId);
    const last = stream?.last ?? this.#base;
    const forgotten = stream?.forgotten ?? this.#base;
    if (since > last || since < forgotten) return { gap: true, events: [] };
    if (stream === undefined || since === last) return { gap: false, events: [] };
    const events = [...stream.events.newestWhile((e) => e.event.sequence > since)].map((e) => e.event).reverse();
    return { gap: false, events };
  }

  /** Events kept (tests and metrics). */
  get size(): number {
    return this.#live;
  }

  #stream(accountId: string): Stream {
    let stream = this.#streams.get(accountId);
    if (stream === undefined) {
      stream = { last: this.#base, forgotten: this.#base, events: new FifoQueue() };
      this.#streams.set(accountId, stream);
    }
    return stream;
  }

  /** Marks an entry gone from its account's stream and raises that stream's floor. */
  #evict(entry: Entry | undefined): void {
    if (entry === undefined || entry.evicted) return;
    entry.evicted = true;
    this.#live--;
    const stream = this.#streams.get(entry.event.accountId);
    if (stream === undefined) return;
    stream.forgotten = Math.max(stream.forgotten, entry.event.sequence);
    // Entries leave a stream oldest first, so the evicted one is at its head (or already gone).
    if (stream.events.peek() === entry) stream.events.shift();
  }

  /** Drops what is older than the age limit, and the global list's already-evicted entries. */
  #expire(): void {
    const oldest = this.#clock.now() - this.#limits.maxAgeMs;
    for (;;) {
      const head = this.#all.peek();
      if (head === undefined || (!head.evicted && head.event.at >= oldest)) return;
      this.#all.shift();
      this.#evict(head);
    }
  }

  /** Rebuilds the arrival list without the entries one account's own bound already evicted. */
  #compact(): void {
    const kept = new FifoQueue<Entry>();
    for (const entry of this.#all) if (!entry.evicted) kept.push(entry);
    this.#all = kept;
  }
}
