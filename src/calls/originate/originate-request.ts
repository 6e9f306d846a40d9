import type { ToneSpec } from '../../media/index.ts';
import { parseUri } from '../../sip/index.ts';
import { CallCommandError } from '../call-control.ts';
import type { HangupCause } from '../hangup-cause.ts';
import type { FlowNodeDoc, OriginateEndpoint } from './endpoint-targets.ts';

/** What to do with the first leg once it answers (KAZOO's originate `Application-Name`, §4.6). */
export type OriginateAction =
  /**
   * KAZOO's `transfer`: ring `to` with the first leg's codec while the first leg hears ringback,
   * then bridge the two. The second party sees `callerIdName`/`callerIdNumber`, by default the
   * originate's callee id (who answered the first leg).
   */
  | {
      readonly kind: 'connect';
      readonly to: OriginateEndpoint;
      /** Ring time of the second leg; default the callflow node's `timeout`, else 20 s. */
      readonly timeoutMs?: number;
      readonly callerIdName?: string;
      readonly callerIdNumber?: string;
      /** What the first leg hears while the second rings (default US ringback). */
      readonly ringback?: ToneSpec;
    }
  /** The `park` callflow module on the first leg (`data`: `slot`, `action`...). */
  | { readonly kind: 'park'; readonly data?: Readonly<Record<string, unknown>> }
  /** The `play` callflow module: the media document `mediaId` (or a `tone_stream://`), then hang up. */
  | { readonly kind: 'play'; readonly mediaId: string }
  /** Any callflow tree run on the first leg (its modules must be registered). */
  | { readonly kind: 'flow'; readonly flow: FlowNodeDoc };

/** An originate (KAZOO `resource.originate_req`, reference §4.6), camelCase. */
export interface OriginateRequest {
  readonly accountId: string;
  /** Who is called first. */
  readonly endpoint: OriginateEndpoint;
  readonly action: OriginateAction;
  /** Ring time of the first leg (KAZOO `Timeout`); default 30 s. */
  readonly timeoutMs?: number;
  /** What the first leg's phone displays as the caller (the INVITE's From). */
  readonly callerIdName?: string;
  readonly callerIdNumber?: string;
  /** Who the first leg is, in its channel and events; also the caller id the connected party sees. */
  readonly calleeIdName?: string;
  readonly calleeIdNumber?: string;
  /** Extra headers on the first leg's INVITE (KAZOO `Custom-SIP-Headers`). */
  readonly customSipHeaders?: Readonly<Record<string, string>>;
  /** Set on both legs (`custom_channel_vars` of their events and channel views). */
  readonly customChannelVars?: Readonly<Record<string, unknown>>;
  /** Set on both legs (`custom_application_vars`). */
  readonly customApplicationVars?: Readonly<Record<string, unknown>>;
  /** Early media of the second leg is not relayed to the first leg, which keeps its ringback (default true, as KAZOO). */
  readonly ignoreEarlyMedia?: boolean;
}

/** Which leg an event or a failure is about. */
export type OriginateLeg = 'first' | 'second';

/**
 * How an originate ended (what click-to-call records as history `result`/`cause`, §4.5): `success`
 * once the first leg answered and the action ran (for `connect`: the two legs are bridged).
 */
export type OriginateResult =
  | {
      readonly result: 'success';
      /** The first leg (KAZOO's originate response `Call-ID`). */
      readonly callId: string;
      /** The connected second leg, for `connect`. */
      readonly otherLegCallId?: string;
    }
  | {
      readonly result: 'error';
      /** Q.850 name: NO_ANSWER, USER_BUSY, UNALLOCATED_NUMBER, ORIGINATOR_CANCEL... */
      readonly cause: HangupCause;
      /** The leg that failed. */
      readonly leg: OriginateLeg;
      /** The final SIP status the failing leg got, when it got one. */
      readonly status?: number;
      readonly callId?: string;
      readonly otherLegCallId?: string;
    };

/** RFC 3261 §25.1 `token` (a header name). */
const TOKEN = /^[A-Za-z0-9.!%*_+`'~-]+$/;
/** Headers the switch writes itself on an INVITE; a custom header may not replace them. */
const RESERVED = new Set(['via', 'from', 'to', 'call-id', 'cseq', 'contact', 'max-forwards', 'content-type', 'content-length', 'route', 'record-route']);

/** Checks a request before anything rings; a bad field is a {@link CallCommandError} (the API answers 400). */
export function checkOriginateRequest(request: OriginateRequest): void {
  if (request.accountId === '') throw new CallCommandError('account_id', 'required', 'No account specified');
  checkEndpoint(request.endpoint, 'endpoint');
  if (request.timeoutMs !== undefined && !(request.timeoutMs > 0)) throw new CallCommandError('timeout', 'minimum', 'Timeout must be positive');
  for (const [name, value] of Object.entries(request.customSipHeaders ?? {})) {
    if (!TOKEN.test(name) || RESERVED.has(name.toLowerCase())) throw new CallCommandError('custom_sip_headers', 'invalid', `Header ${name} cannot be set`);
    if (typeof value !== 'string' || /[\r\n\0]/.test(value)) throw new CallCommandError('custom_sip_headers', 'invalid', `Header ${name} has an invalid value`);
  }
  for (const [field, value] of [['caller_id_name', request.callerIdName], ['caller_id_number', request.callerIdNumber]] as const) {
    if (value !== undefined && /[\r\n\0"<>]/.test(value)) throw new CallCommandError(field, 'invalid', `${field} has invalid characters`);
  }
  if (request.callerIdNumber !== undefined && !/^[A-Za-z0-9+*#._-]+$/.test(request.callerIdNumber)) {
    throw new CallCommandError('caller_id_number', 'pattern', 'Caller id number must be digits or a SIP user');
  }
  const action = request.action;
  switch (action.kind) {
    case 'connect':
      checkEndpoint(action.to, 'action.to');
      if (action.timeoutMs !== undefined && !(action.timeoutMs > 0)) throw new CallCommandError('action.timeout', 'minimum', 'Timeout must be positive');
      return;
    case 'play':
      if (action.mediaId === '') throw new CallCommandError('action.media_id', 'required', 'No media specified');
      return;
    case 'park':
    case 'flow':
      return;
    default:
      throw new CallCommandError('action', 'enum', 'Unknown originate action');
  }
}

function checkEndpoint(endpoint: OriginateEndpoint, field: string): void {
  switch (endpoint.type) {
    case 'device':
    case 'user':
      if (endpoint.id === '') throw new CallCommandError(`${field}.id`, 'required', `No ${endpoint.type} id specified`);
      return;
    case 'number':
      if (!/^[A-Za-z0-9+*#._%-]+$/.test(endpoint.number)) throw new CallCommandError(`${field}.number`, 'pattern', 'Not a dialable number');
      return;
    case 'uri':
      try {
        parseUri(endpoint.uri);
      } catch {
        throw new CallCommandError(`${field}.uri`, 'invalid', 'Not a SIP URI');
      }
      return;
    default:
      throw new CallCommandError(`${field}.type`, 'enum', 'Endpoint type must be device, user, number or uri');
  }
}
