export type { Bus, BusHandler, BusMessage, Subscription } from './bus.ts';
export { MemoryBus } from './memory-bus.ts';
export { TopicPattern } from './topic-pattern.ts';
export { encodeRoutingWord, decodeRoutingWord } from './amqp-encode.ts';
