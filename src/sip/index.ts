export * from './message/index.ts';
export * from './auth/index.ts';
export * from './transport/index.ts';
export * from './transaction/index.ts';
export * from './dialog/index.ts';
export { OutgoingInvite, type OutgoingInviteEvents, type OutgoingInviteOptions } from './outgoing-invite.ts';
export { SipStack, type SipStackUser, type SipStackOptions, type SipStackListenOptions, type ListenSpec, type RespondOptions } from './sip-stack.ts';
export { FloodGuard, FLOOD_CLASSES, DEFAULT_FLOOD_LIMITS, type FloodClass, type FloodLimits, type FloodGuardOptions } from './flood-guard.ts';
