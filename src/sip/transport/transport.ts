import { SwitchboardError } from '../../lib/index.ts';
import type { TypedEmitter } from '../../lib/index.ts';
import type { Endpoint, SipMessage, SipParseError, TransportProtocol } from '../message/index.ts';

/**
 * One message as a transport hands it up: its bytes and source, and — when a stream framer already
 * parsed it — the parsed message or the parse error (datagrams are parsed by the transport layer).
 */
export interface InboundPacket {
  readonly data: Buffer;
  readonly source: Endpoint;
  readonly message?: SipMessage;
  readonly parseError?: SipParseError;
}

/** Events of a transport: whole messages (framed already on streams), and failures. */
export type TransportEvents = {
  /** One SIP message (a datagram, or one framed message of a stream). */
  message: [packet: InboundPacket];
  /** A stream could not be framed (bad or missing Content-Length, oversized message); the connection is closed. */
  framingError: [error: Error, source: Endpoint];
  /** A socket-level failure that did not belong to one send. */
  error: [error: Error];
};

/** An address and port a transport is bound to. */
export interface LocalAddress {
  readonly address: string;
  readonly port: number;
}

/**
 * The two-member contract the transport layer needs from a socket (RFC 3261 §18): send bytes to an
 * endpoint, report what arrives. Implementations: UDP, TCP, in-memory.
 */
export interface Transport extends Pick<TypedEmitter<TransportEvents>, 'on' | 'off' | 'once'> {
  readonly protocol: TransportProtocol;
  /** Reliable transports (TCP, TLS) use the "0 for TCP" Table 4 timer values and no retransmissions. */
  readonly reliable: boolean;
  /** The bound address and the real port (also when bound to port 0). */
  readonly local: LocalAddress;
  /** Sends one message's bytes; rejects with a {@link TransportError} when it cannot. */
  send(data: Buffer, destination: Endpoint): Promise<void>;
  /** Connection-oriented transports: true while the connection with this id is open (§18.2.2). */
  hasConnection?(connectionId: string): boolean;
  /** Closes the socket(s) and every connection; idempotent. */
  close(): void;
  readonly closed: boolean;
}

/** A send or connect failure (RFC 3261 §18.4: the transport layer reports it to the transaction). */
export class TransportError extends SwitchboardError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** The key of a remote address and port, as connections are indexed (`1.2.3.4:5060`, `[::1]:5060`). */
export function endpointKey(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}
