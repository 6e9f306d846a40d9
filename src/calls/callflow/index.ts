export { CallflowRunner, deviceTargets } from './runner.ts';
export { CONTINUE, STOP, ringTimeout, type FlowContext, type FlowModule, type FlowOutcome } from './flow-module.ts';
export { deviceModule } from './modules/device.ts';
export { userModule } from './modules/user.ts';
