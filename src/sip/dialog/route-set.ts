import { formatUri, parseContacts, parseNameAddr } from '../message/index.ts';
import type { SipMessage, SipUri } from '../message/index.ts';

/** Where an in-dialog request goes: its Request-URI and Route header values (§12.2.1.1). */
export interface InDialogRouting {
  readonly uri: string;
  readonly routes: readonly string[];
}

/**
 * RFC 3261 §12.2.1.1: "If the route set is empty, the UAC MUST place the remote target URI into the
 * Request-URI." With a loose router first (`lr`), the Request-URI is the remote target and the Route
 * header fields are the route set in order. With a strict router first, "the UAC MUST place the
 * first URI from the route set into the Request-URI, stripping any parameters that are not allowed
 * in a Request-URI", then the rest of the route set and the remote target as the last Route.
 */
export function inDialogRouting(routeSet: readonly string[], remoteTarget: string): InDialogRouting {
  const first = routeSet[0];
  if (first === undefined) return { uri: remoteTarget, routes: [] };
  const firstUri = parseNameAddr(first).uri;
  if (Object.hasOwn(firstUri.params, 'lr')) return { uri: remoteTarget, routes: [...routeSet] };
  const stripped: SipUri = { ...firstUri, params: withoutForbidden(firstUri.params), headers: {} };
  return { uri: formatUri(stripped), routes: [...routeSet.slice(1), `<${remoteTarget}>`] };
}

/** The first Contact URI of a message as text, or undefined (§12.1.1, §12.1.2 remote target). */
export function contactTarget(message: SipMessage): string | undefined {
  const value = message.headers.get('Contact');
  if (value === undefined) return undefined;
  try {
    const contacts = parseContacts(value);
    const first = contacts === '*' ? undefined : contacts[0];
    return first === undefined ? undefined : formatUri(first.uri);
  } catch {
    return undefined;
  }
}

/** The Record-Route values of a message, verbatim ("preserving all URI parameters", §12.1.1). */
export function recordRoutes(message: SipMessage): string[] {
  return message.headers.getAll('Record-Route').map((value) => value.trim());
}

/** §19.1.1 Table 1: method and maddr/ttl/transport are allowed in a Request-URI; `lr` is dropped too. */
function withoutForbidden(params: Record<string, string | null>): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const [name, value] of Object.entries(params)) {
    if (name !== 'method' && name !== 'lr') out[name] = value;
  }
  return out;
}
