import { callerIdType, type CallerIdType } from './caller-id.ts';

/** How one offnet call is sent (the `offnet`/`resources` callflow data, KAZOO cf_offnet). */
export interface OffnetOptions {
  /** Ring time per gateway (data `timeout`, seconds). */
  readonly ringTimeoutMs?: number;
  /** Which caller id to present (data `caller_id_type`, default external); a resource's `caller_id_options.type` wins. */
  readonly callerIdType?: CallerIdType;
  /** Flags the carrier must offer (data `outbound_flags`). */
  readonly flags?: readonly string[];
  /** Extra headers on the carrier leg (data `custom_sip_headers`). */
  readonly headers?: readonly (readonly [string, string])[];
}

/** Reads a callflow node's data into {@link OffnetOptions}; unusable values are left out. */
export function offnetOptions(data: Readonly<Record<string, unknown>>): OffnetOptions {
  const timeout = data['timeout'];
  const type = callerIdType(data['caller_id_type']);
  const flags = Array.isArray(data['outbound_flags']) ? data['outbound_flags'].filter((f): f is string => typeof f === 'string') : [];
  const rawHeaders = data['custom_sip_headers'];
  const headers =
    typeof rawHeaders === 'object' && rawHeaders !== null
      ? Object.entries(rawHeaders as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string' && /^[\w-]+$/.test(e[0]))
      : [];
  return {
    ...(typeof timeout === 'number' && timeout > 0 ? { ringTimeoutMs: timeout * 1000 } : {}),
    ...(type !== undefined ? { callerIdType: type } : {}),
    ...(flags.length > 0 ? { flags } : {}),
    ...(headers.length > 0 ? { headers } : {}),
  };
}
