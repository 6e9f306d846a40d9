export { BlackholeServer, type BlackholeOptions } from './blackhole-server.ts';
export { DEFAULT_BLACKHOLE_LIMITS, type BlackholeLimits } from './limits.ts';
export type { SessionInfo } from './socket-session.ts';
export { bindingCatalog, advertisedBindings, DEFAULT_OBJECT_TYPES, type AdvertisedBindings, type BindingCatalog } from './binding-catalog.ts';
export { parseBinding, type Binding, type BindingCheck } from './binding.ts';
export { BLACKHOLE_ERRORS } from './error-texts.ts';
export { CLOSE_TRY_AGAIN_LATER } from './outbound-gate.ts';
