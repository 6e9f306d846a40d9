export { buildApi, crossbarRoutes, DEFAULT_BUCKETS, type ApiDeps } from './api.ts';
export { ApiError, errors, fieldError } from './api-error.ts';
export { reqValue, type RouteSpec, type MethodSpec, type ApiRequest, type ApiResult, type AuthInfo } from './request-context.ts';
export { checkToken, extractToken } from './authenticate.ts';
export { channelRoutes, coreChannelActions, type ChannelAction, type ChannelsDeps, type MetaflowRunner } from './resources/channels.ts';
export { recordingRoutes } from './resources/recordings.ts';
export { parkedCallRoutes, parkedSlotView, type ParkedCallDirectory } from './resources/parked-calls.ts';
