import { isIP } from 'node:net';

/** A host as Node sockets want it: IPv6 references without brackets, IPv4-mapped IPv6 as IPv4. */
export function socketAddress(host: string): string {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  return mapped?.[1] ?? bare;
}

/** True when `host` is an IPv4 or IPv6 literal (brackets allowed), false for a domain name. */
export function isIpLiteral(host: string): boolean {
  return isIP(socketAddress(host)) !== 0;
}

/** A host as it goes into a Via, URI or `received` parameter (RFC 3261 §25.1: IPv6 in brackets). */
export function uriHost(address: string): string {
  const bare = socketAddress(address);
  return isIP(bare) === 6 ? `[${bare}]` : bare;
}

/** True when two hosts name the same IP address (case- and bracket-insensitive). */
export function sameHost(a: string, b: string): boolean {
  return socketAddress(a).toLowerCase() === socketAddress(b).toLowerCase();
}

/** The default port of a transport (RFC 3261 §19.1.2: 5060, 5061 for TLS). */
export function defaultPort(protocol: string): number {
  return protocol.toLowerCase() === 'tls' || protocol.toLowerCase() === 'wss' ? 5061 : 5060;
}
