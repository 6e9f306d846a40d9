import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { ClosedError, TypedEmitter } from '../../lib/index.ts';
import type { Endpoint } from '../message/index.ts';
import { TransportError } from './transport.ts';
import type { LocalAddress, Transport, TransportEvents } from './transport.ts';

/** Options of {@link UdpTransport.listen}. */
export interface UdpTransportOptions {
  /** Address to bind; default 0.0.0.0. */
  readonly address?: string;
  /** Port to bind; 0 picks a free one (read it back from `local.port`). */
  readonly port?: number;
  /** Datagrams larger than this are dropped on receipt and refused on send; default 65507. */
  readonly maxMessageSize?: number;
}

/**
 * SIP over UDP (RFC 3261 §18): one datagram is one message. Requests larger than the path MTU are
 * sent anyway (§18.1.1 would switch to TCP above 1300 bytes; we leave that choice to the caller).
 */
export class UdpTransport extends TypedEmitter<TransportEvents> implements Transport {
  readonly protocol = 'udp' as const;
  readonly reliable = false;
  readonly #socket: Socket;
  readonly #maxMessageSize: number;
  #local: LocalAddress;
  #closed = false;

  private constructor(socket: Socket, maxMessageSize: number) {
    super();
    this.#socket = socket;
    this.#maxMessageSize = maxMessageSize;
    const a = socket.address();
    this.#local = { address: a.address, port: a.port };
    socket.on('message', (data, rinfo) => {
      if (data.length > this.#maxMessageSize) return;
      this.emit('message', { data, source: { transport: 'udp', address: rinfo.address, port: rinfo.port } });
    });
    socket.on('error', (error) => this.emit('error', error));
  }

  /** Binds a UDP socket and resolves once it listens. */
  static listen(options: UdpTransportOptions = {}): Promise<UdpTransport> {
    const address = options.address ?? '0.0.0.0';
    const socket = createSocket({ type: isIPv6(address) ? 'udp6' : 'udp4' });
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => {
        socket.close();
        reject(new TransportError('bind_failed', `cannot bind UDP ${address}:${options.port ?? 0}`, { cause: error }));
      };
      socket.once('error', onError);
      socket.bind(options.port ?? 0, address, () => {
        socket.off('error', onError);
        resolve(new UdpTransport(socket, options.maxMessageSize ?? 65_507));
      });
    });
  }

  get local(): LocalAddress {
    return this.#local;
  }

  get closed(): boolean {
    return this.#closed;
  }

  send(data: Buffer, destination: Endpoint): Promise<void> {
    if (this.#closed) return Promise.reject(new ClosedError('UDP transport'));
    if (data.length > this.#maxMessageSize) {
      return Promise.reject(new TransportError('message_too_large', `datagram of ${data.length} bytes exceeds ${this.#maxMessageSize}`));
    }
    return new Promise((resolve, reject) => {
      this.#socket.send(data, destination.port, destination.address, (error) => {
        if (error) reject(new TransportError('send_failed', `UDP send to ${destination.address}:${destination.port} failed`, { cause: error }));
        else resolve();
      });
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.close();
    this.removeAllListeners();
  }
}
