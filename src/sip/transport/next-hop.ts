import { parseNameAddr, parseUri } from '../message/index.ts';
import type { SipRequest, SipUri, TransportProtocol } from '../message/index.ts';
import { defaultPort } from './address.ts';
import { TransportError } from './transport.ts';

/** Where a request goes before name resolution: protocol, host (maybe a domain name), port. */
export interface NextHop {
  readonly protocol: TransportProtocol;
  readonly host: string;
  readonly port: number;
}

/**
 * RFC 3261 §8.1.2: the request goes to the first Route URI when there is a route set, else to the
 * Request-URI; `maddr` overrides the host, `transport` picks the protocol (UDP by default, TLS for
 * sips). RFC 3263 NAPTR/SRV selection is not done: the host is used with the default port.
 */
export function nextHop(request: SipRequest): NextHop {
  const route = request.headers.get('Route');
  let uri: SipUri;
  try {
    uri = route !== undefined ? parseNameAddr(route).uri : parseUri(request.uri);
  } catch (error) {
    throw new TransportError('bad_target', 'cannot route request: malformed Route or Request-URI', { cause: error });
  }
  return uriHop(uri);
}

/** The hop a SIP URI designates (§19.1.1 transport/maddr parameters, §19.1.2 default ports). */
export function uriHop(uri: SipUri): NextHop {
  if (uri.scheme === 'tel') throw new TransportError('bad_target', 'a tel URI cannot be routed without a proxy');
  const param = uri.params['transport'];
  const protocol = (typeof param === 'string' ? param.toLowerCase() : uri.scheme === 'sips' ? 'tls' : 'udp') as TransportProtocol;
  const maddr = uri.params['maddr'];
  const host = typeof maddr === 'string' && maddr.length > 0 ? maddr : uri.host;
  return { protocol, host, port: uri.port ?? defaultPort(protocol) };
}
