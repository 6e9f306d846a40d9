export { Originator, type OriginatorDeps } from './originator.ts';
export { OriginateCall, ORIGINATE_STATES, type OriginateEvents, type OriginateState } from './originate-call.ts';
export { checkOriginateRequest, type OriginateAction, type OriginateLeg, type OriginateRequest, type OriginateResult } from './originate-request.ts';
export { EndpointTargets, uriTarget, type EndpointLookups, type FlowNodeDoc, type ModuleTargets, type OriginateEndpoint, type ResolvedTargets, type UnresolvedTargets } from './endpoint-targets.ts';
export { OriginatedSession, type OriginatedSessionHooks } from './originated-session.ts';
