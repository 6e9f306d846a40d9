export { SystemClock, type Clock, type TimerHandle } from './clock.ts';
export { FakeClock } from './fake-clock.ts';
export { GREGORIAN_OFFSET, toGregorian, fromGregorian } from './gregorian.ts';
export { newId, newUuid, randomHex, isAccountId } from './ids.ts';
export { SwitchboardError, ClosedError, asError } from './errors.ts';
export { createLogger, silentLogger, LOG_LEVELS, type Logger, type LogLevel } from './logger.ts';
export { TypedEmitter, type EventMap } from './typed-emitter.ts';
export { RateBuckets, type BucketSettings } from './rate-buckets.ts';
