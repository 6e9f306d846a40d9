export { Carriers, type CarriersOptions, type OffnetRequest } from './carriers.ts';
export { ResourceCatalog, normalizeAddress, type ResourceCatalogOptions, type HostResolver, type TrunkMatch } from './resource-catalog.ts';
export { carrierRoutes, matchRules, gatewayUri, callerIdAllowed, type CarrierRoute, type GatewayCredentials, type RouteQuery } from './carrier-routes.ts';
export { presentedCallerId, callerIdType, CALLER_ID_TYPES, type CallerId, type CallerIdType } from './caller-id.ts';
export { huntCarriers, type CarrierOutcome, type HuntStep, type HuntOptions } from './carrier-hunt.ts';
export { offnetOptions, type OffnetOptions } from './offnet-options.ts';
