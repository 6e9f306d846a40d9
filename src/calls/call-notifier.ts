import type { Bus } from '../bus/index.ts';
import type { Clock, Logger } from '../lib/index.ts';
import { callRoutingKey, commonEventFields, eventExtras, type CallEventName } from './call-events.ts';
import type { Channel } from './channel.ts';

/**
 * The one publisher of `call.*` events: follows a channel from creation to destruction and puts
 * each of its events on the bus (CREATE, ANSWER, BRIDGE, DESTROY, DTMF, and what later features
 * report through {@link CallNotifier.publish}).
 */
export class CallNotifier {
  readonly #bus: Bus;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #version: string;

  constructor(bus: Bus, clock: Clock, logger: Logger, appVersion: string) {
    this.#bus = bus;
    this.#clock = clock;
    this.#log = logger;
    this.#version = appVersion;
  }

  /** Publishes CHANNEL_CREATE now and the channel's later events as they happen. */
  track(channel: Channel): void {
    this.publish(channel, 'CHANNEL_CREATE');
    channel.on('answered', () => this.publish(channel, 'CHANNEL_ANSWER'));
    channel.on('bridged', (other) => {
      const inbound = channel.profile.direction === 'inbound' ? channel : other;
      const outbound = inbound === channel ? other : channel;
      this.publish(channel, 'CHANNEL_BRIDGE', { bridge_a_unique_id: inbound.uuid, bridge_b_unique_id: outbound.uuid });
    });
    channel.on('unbridged', (other) => this.publish(channel, 'CHANNEL_UNBRIDGE', { other_leg_call_id: other.uuid }));
    channel.on('held', () => this.publish(channel, 'CHANNEL_HOLD'));
    channel.on('unheld', () => this.publish(channel, 'CHANNEL_UNHOLD'));
    channel.on('dtmf', (digit, durationMs) => this.publish(channel, 'DTMF', { dtmf_digit: digit, dtmf_duration: durationMs }));
    channel.on('closed', () => this.publish(channel, 'CHANNEL_DESTROY'));
  }

  /** Publishes one event of a channel, with extra fields. */
  publish(channel: Channel, event: CallEventName, extra: Record<string, unknown> = {}): void {
    if (this.#bus.closed) return;
    const now = this.#clock.now();
    try {
      this.#bus.publish(callRoutingKey(channel.profile.accountId, event, channel.uuid), {
        ...commonEventFields(channel, event, now, this.#version),
        ...eventExtras(channel, event, now, extra),
      });
    } catch (error) {
      this.#log.error({ err: error, event, channel: channel.uuid }, 'call event not published');
    }
  }
}
