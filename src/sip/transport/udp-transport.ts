import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { ClosedError, TypedEmitter, silentLogger } from '../../lib/index.ts';
import type { Logger } from '../../lib/index.ts';
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
  /**
   * Kernel receive and send buffer asked for (SO_RCVBUF, SO_SNDBUF), in bytes; default
   * {@link DEFAULT_UDP_BUFFER_BYTES}; 0 keeps the kernel's default. The kernel caps it (Linux:
   * `net.core.rmem_max` / `wmem_max`); a smaller buffer than asked is logged at info, not an error.
   */
  readonly bufferBytes?: number;
  /** Where the buffer sizes the kernel granted are reported. */
  readonly logger?: Logger;
}

/**
 * 4 MiB: about 4,000 queued datagrams of 1 KB (Linux charges each one's overhead too), enough to
 * ride out a stall of a second at a few thousand requests/s instead of dropping them and inviting
 * retransmission storms (the kernel default, ~208 KB, overflows within ~200 ms of backlog).
 */
export const DEFAULT_UDP_BUFFER_BYTES = 4 * 1024 * 1024;

/** The socket buffers a UDP transport has, as the kernel reports them. */
export interface UdpBufferSizes {
  readonly receive: number;
  readonly send: number;
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
        sizeBuffers(socket, options.bufferBytes ?? DEFAULT_UDP_BUFFER_BYTES, options.logger ?? silentLogger);
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

  /** The socket's receive and send buffers as the kernel reports them (Linux doubles what was set). */
  get bufferSizes(): UdpBufferSizes {
    if (this.#closed) throw new ClosedError('UDP transport');
    return { receive: this.#socket.getRecvBufferSize(), send: this.#socket.getSendBufferSize() };
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

/**
 * Asks for `bytes` of receive and send buffer on a bound socket. The kernel silently caps the size
 * (or refuses it on some systems): whatever it grants is read back and logged when short.
 */
function sizeBuffers(socket: Socket, bytes: number, log: Logger): void {
  if (bytes <= 0) return;
  const sizes: [string, (n: number) => void, () => number][] = [
    ['receive', (n) => socket.setRecvBufferSize(n), () => socket.getRecvBufferSize()],
    ['send', (n) => socket.setSendBufferSize(n), () => socket.getSendBufferSize()],
  ];
  for (const [which, set, get] of sizes) {
    let refused: unknown;
    try {
      set(bytes);
    } catch (error) {
      refused = error;
    }
    const reported = get();
    // Linux reports twice the size it granted (it counts its bookkeeping overhead, socket(7)).
    const granted = process.platform === 'linux' ? Math.floor(reported / 2) : reported;
    if (granted < bytes) {
      log.info(
        { buffer: which, asked: bytes, granted, ...(refused === undefined ? {} : { err: refused }) },
        `SIP UDP ${which} buffer is smaller than asked (raise net.core.${which === 'receive' ? 'rmem_max' : 'wmem_max'})`,
      );
    }
  }
}
