export { B2bua, type B2buaOptions, type RegisterHandler } from './b2bua.ts';
export { Channel, CHANNEL_STATES, IllegalChannelTransition, type ChannelState, type ChannelDirection, type ChannelProfile, type ChannelEvents, type ChannelSignalling } from './channel.ts';
export { MemoryChannelDirectory, type ChannelDirectory } from './channel-directory.ts';
export { CallNotifier } from './call-notifier.ts';
export { CALL_EVENTS, callRoutingKey, type CallEventName } from './call-events.ts';
export { Router, DEFAULT_RING_TIMEOUT_MS, type Route } from './router.ts';
export { Bridge } from './bridge.ts';
export { HANGUP_CAUSES, causeOfStatus, statusOfCause, bestFailure, type HangupCause } from './hangup-cause.ts';
export type { ContactBinding, ContactLocator, CallerAuthenticator, AuthenticatedCaller } from './ports.ts';
