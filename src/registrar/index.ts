export { byPreference, type Binding, type BindingChange, type BindingChangeReason, type RegistrationStore, type RegistrationStoreEvents } from './binding.ts';
export { MemoryRegistrationStore, type MemoryRegistrationStoreOptions } from './memory-registration-store.ts';
export { AuthFailureLimiter, type AuthFailureLimiterOptions } from './auth-failure-limiter.ts';
export {
  SipAuthenticator, type AuthenticatedDevice, type AuthenticateOptions, type DeviceDirectory, type SipAuthenticatorOptions, type SipResponder,
} from './sip-authenticator.ts';
export { RegisterRejection, readRegister, type ExpiryLimits, type RegisterAction, type RequestedContact } from './register-request.ts';
export { Registrar, type RegistrarOptions, type RequestAuthenticator } from './registrar.ts';
