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
  /** Inbound connections one IP address may hold; one more is closed at once. Default 100. */
  readonly maxConnectionsPerIp?: number;
  /**
   * An inbound connection that has not delivered one complete SIP message this long after it was
   * accepted is closed (CRLF keep-alives do not count). Default 32 s (64·T1).
   */
  readonly firstMessageTimeoutMs?: number;
}

/** What the TCP transport refused or closed on its own. */
export interface TcpTransportStats {
  /** Inbound connections closed at once: their IP address already held `maxConnectionsPerIp`. */
  refusedConnections: number;
  /** Inbound connections closed because no complete SIP message came within `firstMessageTimeoutMs`. */
  silentConnections: number;
}

interface Connection {
  readonly id: string;
  readonly socket: Socket;
  readonly remote: Endpoint;
  readonly framer: StreamFramer;
  /** Accepted by our listener (counted against its IP address), not opened by us. */
  readonly inbound: boolean;
  lastActivity: number;
  idleTimer: TimerHandle | undefined;
  /** Running until an inbound connection delivers its first complete message. */
  firstMessageTimer: TimerHandle | undefined;
}

/**
 * SIP over TCP (RFC 3261 §18.3): listens, connects out on demand, and reuses one connection per
 * remote address:port whichever side opened it. Messages are framed by Content-Length; a
 * double-CRLF ping is answered with CRLF (RFC 5626 §3.5.1); idle connections are closed.
 *
 * Against connection floods (RFC 3261 §18 and RFC 5626 leave connection management to the
 * implementation): one IP address may hold `maxConnectionsPerIp` inbound connections, and an
 * inbound connection must deliver a complete SIP message within `firstMessageTimeoutMs` of being
 * accepted. Once it has, only the idle timeout applies, so a registered phone keeps its connection
 * open with its own traffic or CRLF keep-alives.
 */
export class TcpTransport extends TypedEmitter<TransportEvents> implements Transport {
  readonly protocol = 'tcp' as const;
  readonly reliable = true;
  readonly #server: Server;
  readonly #clock: Clock;
  readonly #idleMs: number;
  readonly #maxSize: number;
  readonly #maxPerIp: number;
  readonly #firstMessageMs: number;
  /** Inbound connections per remote IP address (entries removed at 0). */
  readonly #inboundByIp = new Map<string, number>();
  readonly #connections = new Map<string, Connection>();
  readonly #byRemote = new Map<string, Connection>();
  readonly #connecting = new Map<string, Promise<Connection>>();
  readonly #local: LocalAddress;
  #nextId = 1;
  #closed = false;
  readonly stats: TcpTransportStats = { refusedConnections: 0, silentConnections: 0 };

  private constructor(server: Server, options: TcpTransportOptions) {
    super();
    this.#server = server;
    this.#clock = options.clock ?? new SystemClock();
    this.#idleMs = options.idleTimeoutMs ?? 300_000;
    this.#maxSize = options.maxMessageSize ?? 1_048_576;
    this.#maxPerIp = options.maxConnectionsPerIp ?? 100;
    this.#firstMessageMs = options.firstMessageTimeoutMs ?? 32_000;
    if (!Number.isInteger(this.#maxPerIp) || this.#maxPerIp < 1) throw new TransportError('invalid_option', `maxConnectionsPerIp must be an integer >= 1, got ${this.#maxPerIp}`);
    if (!(this.#firstMessageMs > 0)) throw new TransportError('invalid_option', `firstMessageTimeoutMs must be > 0, got ${this.#firstMessageMs}`);
    const a = server.address();
    this.#local = typeof a === 'object' && a !== null ? { address: a.address, port: a.port } : { address: '0.0.0.0', port: 0 };
    server.on('connection', (socket) => this.#accept(socket));
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
        try {
          resolve(new TcpTransport(server, options));
        } catch (error) {
          server.close();
          reject(error);
        }
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

  /** Open inbound connections from one IP address. */
  connectionsFrom(address: string): number {
    return this.#inboundByIp.get(socketAddress(address)) ?? 0;
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
        resolve(this.#adopt(socket, false));
      });
    });
    this.#connecting.set(key, promise);
    return promise;
  }

  /** A connection our listener accepted: refused at once past the per-IP cap. */
  #accept(socket: Socket): void {
    if (this.#closed) {
      socket.destroy();
      return;
    }
    const address = socketAddress(socket.remoteAddress ?? '');
    if ((this.#inboundByIp.get(address) ?? 0) >= this.#maxPerIp) {
      this.stats.refusedConnections++;
      socket.destroy();
      return;
    }
    this.#adopt(socket, true);
  }

  #adopt(socket: Socket, inbound: boolean): Connection {
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
      inbound,
      lastActivity: this.#clock.now(),
      idleTimer: undefined,
      firstMessageTimer: undefined,
    };
    this.#connections.set(id, connection);
    this.#byRemote.set(endpointKey(address, remote.port), connection);
    this.#armIdle(connection, this.#idleMs);
    if (inbound) {
      this.#inboundByIp.set(address, (this.#inboundByIp.get(address) ?? 0) + 1);
      connection.firstMessageTimer = this.#clock.setTimeout(() => {
        connection.firstMessageTimer = undefined;
        this.stats.silentConnections++;
        this.#drop(connection);
      }, this.#firstMessageMs);
    }
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
          this.#greeted(connection);
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

  /** The first complete message arrived: the connection has shown it speaks SIP. */
  #greeted(connection: Connection): void {
    if (connection.firstMessageTimer === undefined) return;
    this.#clock.clearTimeout(connection.firstMessageTimer);
    connection.firstMessageTimer = undefined;
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
    this.#greeted(connection);
    if (connection.inbound) {
      const address = connection.remote.address;
      const left = (this.#inboundByIp.get(address) ?? 1) - 1;
      if (left > 0) this.#inboundByIp.set(address, left);
      else this.#inboundByIp.delete(address);
    }
    connection.socket.destroy();
  }
}
