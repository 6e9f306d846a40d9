export { Interceptor, type InterceptorDeps } from './interceptor.ts';
export { Takeover, type TakeoverDialOptions } from './takeover.ts';
export { planIntercept, planMove, rolesOf, identityOf, type TakeoverPlan } from './takeover-plan.ts';
export { interceptOptionsFromKazoo, checkInterceptOptions } from './intercept-request.ts';
export type { CallTakeover, InterceptOptions, MoveOptions, TakeoverCall, TakeoverOutcome } from './takeover-types.ts';
