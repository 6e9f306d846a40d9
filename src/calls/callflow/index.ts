export { CallflowRunner, deviceTargets } from './runner.ts';
export { CONTINUE, STOP, ringTimeout, type FlowContext, type FlowModule, type FlowOutcome } from './flow-module.ts';
export { deviceModule } from './modules/device.ts';
export { userModule } from './modules/user.ts';
export { offnetModule, sendOffnet, type OffnetSender } from './modules/offnet.ts';
export { resourcesModule } from './modules/resources.ts';
export { ringGroupModule, ringGroupMembers, ringGroupTargets, weightedOrder, type RingGroupMember, type MemberLookup } from './modules/ring-group.ts';
export { createPlayModule, parseToneStream, type PlayModuleDeps } from './modules/play.ts';
export { createParkModule, PARK_DEFAULTS, type ParkModuleDeps } from './modules/park.ts';
