export { TransportError, endpointKey, type Transport, type TransportEvents, type InboundPacket, type LocalAddress } from './transport.ts';
export { UdpTransport, DEFAULT_UDP_BUFFER_BYTES, type UdpTransportOptions, type UdpBufferSizes } from './udp-transport.ts';
export { TcpTransport, type TcpTransportOptions, type TcpTransportStats } from './tcp-transport.ts';
export { MemoryNetwork, MemoryTransport, type MemoryNetworkOptions, type MemoryPacket, type DropRule } from './memory-transport.ts';
export { TransportLayer, topVia, stampVia, type TransportLayerEvents, type TransportLayerOptions, type SentBy, type TransportStats } from './transport-layer.ts';
export { nextHop, uriHop, type NextHop } from './next-hop.ts';
export { socketAddress, uriHost, isIpLiteral, sameHost, defaultPort } from './address.ts';
