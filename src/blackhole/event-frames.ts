import { subscriptionKey, type Binding } from './binding.ts';
import type { RecordedEvent } from './event-history.ts';
import { eventMessage } from './wire.ts';
import { textFrame } from './ws-frame.ts';

/**
 * The ready-to-write frames of one event: one per binding string and kind of account (the event's
 * own, or `*`), since `subscribed_key` and `subscription_key` depend on nothing else. The first
 * socket that needs a frame builds it and every other socket with the same binding shares it; the
 * lookup is by the binding's own string, so a delivery builds no string at all.
 */
export class EventFrames {
  readonly event: RecordedEvent;
  readonly #replay: boolean;
  readonly #own = new Map<string, Buffer>();
  readonly #wildcard = new Map<string, Buffer>();

  constructor(event: RecordedEvent, replay: boolean) {
    this.event = event;
    this.#replay = replay;
  }

  /** The frame for a subscription of `accountId` (the event's account or `*`) with this binding. */
  frame(binding: Binding, accountId: string): Buffer {
    const frames = accountId === '*' ? this.#wildcard : this.#own;
    let frame = frames.get(binding.text);
    if (frame === undefined) {
      const key = subscriptionKey(binding, accountId, this.event);
      frame = textFrame(eventMessage(this.event, binding.text, key, this.#replay));
      frames.set(binding.text, frame);
    }
    return frame;
  }
}
