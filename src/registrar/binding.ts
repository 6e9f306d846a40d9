import type { Endpoint, Params } from '../sip/index.ts';

/**
 * One registered contact of a device (RFC 3261 §10.3: a binding of an address-of-record to a
 * contact address), with what the switch needs to reach the phone again through its NAT.
 */
export interface Binding {
  /** The address-of-record in canonical form, `sip:user@realm` (§10.3 step 5). */
  readonly aor: string;
  /** The Contact URI as registered. */
  readonly contact: string;
  /** The Contact header parameters as registered, without `expires` (echoed in the 200). */
  readonly params: Params;
  /** When the binding expires (ms since the epoch, injected clock). */
  readonly expiresAt: number;
  readonly callId: string;
  readonly cseq: number;
  /** Where the REGISTER came from: reach the phone through it (NAT, RFC 3581 / RFC 5626). */
  readonly source: Endpoint;
  /** Path header values of the REGISTER (RFC 3327), top first; empty when there were none. */
  readonly path: readonly string[];
  readonly userAgent?: string;
  /** `+sip.instance` of the contact, unquoted (RFC 5626 §4.1). */
  readonly instance?: string;
  /** `q` of the contact, 0..1 (RFC 3261 §20.10). */
  readonly q?: number;
  readonly accountId: string;
  readonly deviceId: string;
  /** The device's SIP username (the authenticated digest username). */
  readonly username: string;
  /** The account realm the device authenticated in. */
  readonly realm: string;
  /** When the binding was last registered or refreshed (ms). */
  readonly registeredAt: number;
}

/** Why a device's bindings changed. */
export type BindingChangeReason = 'update' | 'expire' | 'remove';

/** A device's bindings after a change (presence and diagnostics listen to these). */
export interface BindingChange {
  readonly accountId: string;
  readonly deviceId: string;
  /** The device's live bindings after the change, ordered as {@link RegistrationStore.contactsFor}. */
  readonly bindings: readonly Binding[];
  readonly reason: BindingChangeReason;
}

/** Events of a {@link RegistrationStore}. */
export type RegistrationStoreEvents = {
  change: [change: BindingChange];
};

/**
 * Where bindings live (RFC 3261 §10.2 "location service"), per device (account id + device id).
 * In memory for one node; a shared store (NATS KV) can implement the same shape for several.
 */
export interface RegistrationStore {
  readonly closed: boolean;
  /** Live bindings, all devices together. */
  readonly count: number;
  /** A device's live bindings: highest q first (absent q counts as 1), then newest first. */
  contactsFor(accountId: string, deviceId: string): Binding[];
  /** Every live binding (diagnostics). */
  all(): Binding[];
  /**
   * Atomically replaces a device's bindings with what `change` computes from its live ones and
   * returns them ordered as {@link contactsFor}. When `change` throws, nothing changes and the
   * error propagates (the registrar's all-or-nothing rule, RFC 3261 §10.3 step 7).
   */
  update(accountId: string, deviceId: string, change: (live: readonly Binding[]) => Binding[]): Binding[] | Promise<Binding[]>;
  /** Drops every binding of a device (the device was deleted or disabled). */
  removeDevice(accountId: string, deviceId: string): void;
  /** Subscribes to changes; returns the unsubscribe function. */
  on<K extends keyof RegistrationStoreEvents>(event: K, listener: (...args: RegistrationStoreEvents[K]) => void): () => void;
  close(): void;
}

/** Orders bindings as {@link RegistrationStore.contactsFor} promises. */
export function byPreference(a: Binding, b: Binding): number {
  return (b.q ?? 1) - (a.q ?? 1) || b.registeredAt - a.registeredAt;
}
