import { createConnection, createServer, isIPv6 } from 'node:net';
import type { Server, Socket } from 'node:net';
import { ClosedError, SystemClock, TypedEmitter } from '../../lib/index.ts';
import type { Clock, TimerHandle } from '../../lib/index.ts';
import { StreamFramer } from '../message/index.ts';
import type { Endpoint } from '../message/index.ts';
import { socketAddress } from './address.ts';
import { TransportError, endpointKey } from './transport.ts';
import type { LocalAddress, Transport, TransportEvents } from './transport.ts';

/** Options of {@link TcpTransport.listen}. */
export interface TcpTransportOptions {
  /** Address to listen on; default 0.0.0.0. */
  readonly address?: string;
  /** Port; 0 picks a free one (read it back from `local.port`). */
  readonly port?: number;
  /** Clock of the idle timers; default the system clock. */
  readonly clock?: Clock;
  /** A connection with no traffic either way for this long is closed; default 5 minutes. */
  readonly idleTimeoutMs?: number;
  /** Largest message accepted (header section and body each); a larger one closes the connection. Default 1 MiB. */
  readonly maxMessageSize?: number;
}

interface Connection {
  readonly id: string;
  readonly socket: Socket;
  readonly remote: Endpoint;
  readonly framer: StreamFramer;
  lastActivity: number;
  idleTimer: TimerHandle | undefined;
}

/**
 * SIP over TCP (RFC 3261 §18.3): listens, connects out on demand, and reuses one connection per
 * remote address:port whichever side opened it. Messages are framed by Content-Length; a
 * double-CRLF ping is answered with CRLF (RFC 5626 §3.5.1); idle connections are closed.
 */
export class TcpTransport extends TypedEmitter<TransportEvents> implements Transport {
  readonly protocol = 'tcp' as const;
  readonly reliable = true;
  readonly #server: Server;
  readonly #clock: Clock;
  readonly #idleMs: number;
  readonly #maxSize: number;
  readonly #connections = new Map<string, Connection>();
  readonly #byRemote = new Map<string, Connection>();
  readonly #connecting = new Map<string, Promise<Connection>>();
  readonly #local: LocalAddress;
  #nextId = 1;
  #closed = false;

  private constructor(server: Server, options: TcpTransportOptions) {
    super();
    this.#server = server;
    this.#clock = options.clock ?? new SystemClock();
    this.#idleMs = options.idleTimeoutMs ?? 300_000;
    this.#maxSize = options.maxMessageSize ?? 1_048_576;
    const a = server.address();
    this.#local = typeof a === 'object' && a !== null ? { address: a.address, port: a.port } : { address: '0.0.0.0', port: 0 };
    server.on('connection', (socket) => {
      if (this.#closed) socket.destroy();
      else this.#adopt(socket);
    });
    server.on('error', (error) => this.emit('error', error));
  }

  /** Starts listening and resolves once bound. */
  static listen(options: TcpTransportOptions = {}): Promise<TcpTransport> {
    const address = options.address ?? '0.0.0.0';
    const server = createServer({ noDelay: true });
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => {
        server.close();
        reject(new TransportError('bind_failed', `cannot listen on TCP ${address}:${options.port ?? 0}`, { cause: error }));
      };
      server.once('error', onError);
      server.listen({ host: address, port: options.port ?? 0, ipv6Only: isIPv6(address) }, () => {
        server.off('error', onError);
        resolve(new TcpTransport(server, options));
      });
    });
  }

  get local(): LocalAddress {
    return this.#local;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Open connections, inbound and outbound. */
  get connectionCount(): number {
    return this.#connections.size;
  }

  hasConnection(connectionId: string): boolean {
    return this.#connections.has(connectionId);
  }

  /**
   * Sends over the connection named by `destination.connectionId` when open, else over any open
   * connection to `address:port`, else over a new connection to it.
   */
  async send(data: Buffer, destination: Endpoint): Promise<void> {
    if (this.#closed) throw new ClosedError('TCP transport');
    const byId = destination.connectionId === undefined ? undefined : this.#connections.get(destination.connectionId);
    const connection = byId ?? this.#byRemote.get(endpointKey(socketAddress(destination.address), destination.port)) ?? (await this.#connect(destination));
    connection.lastActivity = this.#clock.now();
    await new Promise<void>((resolve, reject) => {
      connection.socket.write(data, (error) => {
        if (error) reject(new TransportError('send_failed', `TCP send to ${endpointKey(connection.remote.address, connection.remote.port)} failed`, { cause: error }));
        else resolve();
      });
    });
  }

  /** Stops listening and destroys every connection and idle timer; idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#server.close();
    for (const connection of [...this.#connections.values()]) this.#drop(connection);
    this.removeAllListeners();
  }

  #connect(destination: Endpoint): Promise<Connection> {
    const address = socketAddress(destination.address);
    const key = endpointKey(address, destination.port);
    const pending = this.#connecting.get(key);
    if (pending !== undefined) return pending;
    const promise = new Promise<Connection>((resolve, reject) => {
      const socket = createConnection({ host: address, port: destination.port, noDelay: true });
      const onError = (error: Error): void => {
        this.#connecting.delete(key);
        socket.destroy();
        reject(new TransportError('connect_failed', `TCP connect to ${key} failed`, { cause: error }));
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        socket.off('error', onError);
        this.#connecting.delete(key);
        if (this.#closed) {
          socket.destroy();
          reject(new ClosedError('TCP transport'));
          return;
        }
        resolve(this.#adopt(socket));
      });
    });
    this.#connecting.set(key, promise);
    return promise;
  }

  #adopt(socket: Socket): Connection {
    if (this.#closed) {
      socket.destroy();
      throw new ClosedError('TCP transport');
    }
    const id = `tcp-${this.#nextId++}`;
    const address = socketAddress(socket.remoteAddress ?? '');
    const remote: Endpoint = { transport: 'tcp', address, port: socket.remotePort ?? 0, connectionId: id };
    const connection: Connection = {
      id,
      socket,
      remote,
      framer: new StreamFramer({ maxHeaderBytes: Math.min(65_536, this.#maxSize), maxBodyBytes: this.#maxSize }),
      lastActivity: this.#clock.now(),
      idleTimer: undefined,
    };
    this.#connections.set(id, connection);
    this.#byRemote.set(endpointKey(address, remote.port), connection);
    this.#armIdle(connection, this.#idleMs);
    socket.on('data', (chunk) => this.#data(connection, chunk));
    socket.on('error', () => this.#drop(connection));
    socket.on('close', () => this.#drop(connection));
    return connection;
  }

  #data(connection: Connection, chunk: Buffer): void {
    connection.lastActivity = this.#clock.now();
    for (const item of connection.framer.push(chunk)) {
      if (this.#closed || !this.#connections.has(connection.id)) return;
      switch (item.kind) {
        case 'message':
          this.emit('message', { data: item.raw, source: connection.remote, message: item.message });
          break;
        case 'invalid':
          this.emit('message', { data: item.raw, source: connection.remote, parseError: item.error });
          break;
        case 'ping':
          // RFC 5626 §3.5.1: "the server ... MUST respond to a double-CRLF ping with a single CRLF pong".
          connection.socket.write('\r\n');
          break;
        case 'pong':
          break;
        case 'error':
          this.emit('framingError', item.error, connection.remote);
          this.#drop(connection);
          return;
      }
    }
  }

  #armIdle(connection: Connection, ms: number): void {
    connection.idleTimer = this.#clock.setTimeout(() => {
      connection.idleTimer = undefined;
      const idle = this.#clock.now() - connection.lastActivity;
      if (idle >= this.#idleMs) this.#drop(connection);
      else this.#armIdle(connection, this.#idleMs - idle);
    }, ms);
  }

  #drop(connection: Connection): void {
    if (!this.#connections.delete(connection.id)) return;
    const key = endpointKey(connection.remote.address, connection.remote.port);
    if (this.#byRemote.get(key) === connection) this.#byRemote.delete(key);
    if (connection.idleTimer !== undefined) this.#clock.clearTimeout(connection.idleTimer);
    connection.idleTimer = undefined;
    connection.socket.destroy();
  }
}
