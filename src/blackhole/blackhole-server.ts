import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { Bus } from '../bus/index.ts';
import type { AccountService, TokenService } from '../documents/index.ts';
import { RateBuckets, SystemClock, silentLogger, type Clock, type Logger, type TimerHandle } from '../lib/index.ts';
import type { DocumentStore } from '../store/index.ts';
import { advertisedBindings, bindingCatalog, type AdvertisedBindings, type BindingCatalog } from './binding-catalog.ts';
import { EventHistory } from './event-history.ts';
import { EventHub } from './event-hub.ts';
import { FlushScheduler } from './flush-scheduler.ts';
import { DEFAULT_BLACKHOLE_LIMITS, type BlackholeLimits } from './limits.ts';
import { MessageHandler } from './message-handler.ts';
import { OutboundGate } from './outbound-gate.ts';
import { SocketAuthenticator } from './socket-auth.ts';
import { SocketSession, type SessionInfo } from './socket-session.ts';

/** Everything {@link BlackholeServer.start} needs; limits default to {@link DEFAULT_BLACKHOLE_LIMITS}. */
export interface BlackholeOptions {
  /** TCP port (0 = any free port). */
  readonly port: number;
  readonly host: string;
  readonly bus: Bus;
  readonly tokens: TokenService;
  readonly accounts: AccountService;
  /** Read for the token owner's `priv_level` (superduper check). */
  readonly store: DocumentStore;
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly limits?: Partial<BlackholeLimits>;
  /** Document types whose object events can be bound (default: every type the store publishes). */
  readonly objectTypes?: readonly string[];
}

/** RFC 6455 §7.4.1: 1001 "going away" (server shutting down). */
const CLOSE_GOING_AWAY = 1001;

/**
 * Switchboard's Blackhole: the KAZOO WebSocket event server (kazoo-reference §5) on its own port,
 * any path. Refuses sub-protocols (400) and more than `maxConnectionsPerIp` sockets per client IP
 * (429, counted from the upgrade, before any authentication); pings every socket and cuts those that
 * did not answer the previous ping. It is also the directory behind the `websockets` REST routes.
 */
export class BlackholeServer {
  readonly #http: Server;
  readonly #wss: WebSocketServer;
  readonly #hub: EventHub;
  readonly #handler: MessageHandler;
  readonly #catalog: BindingCatalog;
  readonly #limits: BlackholeLimits;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #sockets = new Map<WebSocket, SocketSession>();
  readonly #flusher: FlushScheduler;
  readonly #perIp = new Map<string, number>();
  readonly #port: number;
  #pingTimer: TimerHandle | undefined;
  #nextBucket = 1;
  #closing: Promise<void> | undefined;

  private constructor(parts: { http: Server; hub: EventHub; catalog: BindingCatalog; limits: BlackholeLimits; clock: Clock; logger: Logger; handler: MessageHandler }) {
    this.#http = parts.http;
    this.#hub = parts.hub;
    this.#catalog = parts.catalog;
    this.#limits = parts.limits;
    this.#clock = parts.clock;
    this.#log = parts.logger;
    this.#handler = parts.handler;
    this.#flusher = new FlushScheduler({ onError: (error) => this.#log.error({ err: error }, 'websocket flush failed') });
    this.#port = (parts.http.address() as AddressInfo).port;
    this.#wss = new WebSocketServer({ noServer: true, clientTracking: false, maxPayload: parts.limits.maxMessageBytes, perMessageDeflate: false });
    this.#http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.#upgrade(req, socket, head));
    this.#http.on('clientError', (_error, socket) => socket.destroy());
    this.#schedulePing();
  }

  /** Binds the bus, then listens; resolves once both are live. */
  static async start(options: BlackholeOptions): Promise<BlackholeServer> {
    const clock = options.clock ?? new SystemClock();
    const logger = (options.logger ?? silentLogger).child({ component: 'blackhole' });
    const limits: BlackholeLimits = { ...DEFAULT_BLACKHOLE_LIMITS, ...options.limits };
    const catalog = bindingCatalog(options.objectTypes);
    const history = new EventHistory(limits, clock);
    const hub = await EventHub.start(options.bus, catalog, history, logger);
    const handler = new MessageHandler({
      catalog,
      authenticator: new SocketAuthenticator({ tokens: options.tokens, accounts: options.accounts, store: options.store }),
      history,
      buckets: new RateBuckets(limits.messageBucket, clock),
      maxBindingsPerSocket: limits.maxBindingsPerSocket,
      logger,
    });
    const http = createServer((_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain', connection: 'close', upgrade: 'websocket' });
      res.end('this port speaks WebSocket only\n');
    });
    try {
      await new Promise<void>((resolve, reject) => {
        http.once('error', reject);
        http.listen(options.port, options.host, () => {
          http.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      hub.close();
      throw error;
    }
    const server = new BlackholeServer({ http, hub, catalog, limits, clock, logger, handler });
    logger.info({ port: server.port }, 'blackhole listening');
    return server;
  }

  /** The port listened on (useful with port 0). */
  get port(): number {
    return this.#port;
  }

  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /** Open sockets (authenticated or not). */
  get connections(): number {
    return this.#sockets.size;
  }

  /** What `GET /v2/websockets` advertises: exactly what subscribe accepts. */
  availableBindings(): AdvertisedBindings {
    return advertisedBindings(this.#catalog);
  }

  /** Sockets authenticated to the account. */
  sessions(accountId: string): SessionInfo[] {
    return [...this.#sockets.values()].filter((s) => s.auth?.accountId === accountId).map((s) => s.info());
  }

  /** One socket by its `<ip>:<port>` id (authenticated or not). */
  session(id: string): SessionInfo | undefined {
    for (const s of this.#sockets.values()) if (s.id === id) return s.info();
    return undefined;
  }

  /** Closes every socket (1001), unbinds the bus and stops listening. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    if (this.#pingTimer !== undefined) this.#clock.clearTimeout(this.#pingTimer);
    this.#pingTimer = undefined;
    const gone = [...this.#sockets.keys()].map((ws) => new Promise<void>((resolve) => (ws.readyState === ws.CLOSED ? resolve() : ws.once('close', () => resolve()))));
    this.#flusher.drain();
    this.#flusher.close();
    for (const [ws, session] of this.#sockets) {
      session.close();
      ws.close(CLOSE_GOING_AWAY, 'server shutting down');
    }
    let deadline: TimerHandle | undefined;
    await Promise.race([
      Promise.all(gone),
      new Promise<void>((resolve) => {
        deadline = this.#clock.setTimeout(resolve, this.#limits.closeTimeoutMs);
      }),
    ]);
    if (deadline !== undefined) this.#clock.clearTimeout(deadline);
    for (const ws of this.#sockets.keys()) ws.terminate();
    await Promise.all(gone);
    this.#hub.close();
    this.#wss.close();
    const stopped = new Promise<void>((resolve) => this.#http.close(() => resolve()));
    this.#http.closeAllConnections();
    await stopped;
  }

  #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const ip = clientIp(req.socket.remoteAddress);
    if (this.closed) return refuse(socket, 503, 'Service Unavailable');
    // KAZOO's cowboy handler refuses any sub-protocol with 400 (reference §5.1).
    if (req.headers['sec-websocket-protocol'] !== undefined) return refuse(socket, 400, 'Bad Request');
    if ((this.#perIp.get(ip) ?? 0) >= this.#limits.maxConnectionsPerIp) {
      this.#log.warn({ ip }, 'websocket refused: too many connections from this address');
      return refuse(socket, 429, 'Too Many Requests');
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#open(ws, req, ip, socket));
  }

  #open(ws: WebSocket, req: IncomingMessage, ip: string, tcp: Duplex): void {
    if (this.closed) {
      ws.terminate();
      return;
    }
    this.#perIp.set(ip, (this.#perIp.get(ip) ?? 0) + 1);
    const origin = {
      id: `${ip}:${req.socket.remotePort ?? 0}`,
      bucketKey: `${ip}#${this.#nextBucket++}`,
      source: ip,
      destination: clientIp(req.socket.localAddress),
      connectedAt: this.#clock.now(),
    };
    // The gate's frames are complete (ws-frame.ts) and go straight to the TCP socket ws reads and
    // writes: the same stream, so they keep their order with ws's own pings and close frame, and
    // they count in ws.bufferedAmount. Corked, a flush of several frames is one writev (on loopback
    // a write costs ~6.6 µs of which ~5.6 µs is the kernel; three frames in one writev ~2.7 µs each).
    const sink = {
      get bufferedAmount(): number {
        return ws.bufferedAmount;
      },
      write: (frames: readonly Buffer[]) => {
        if (ws.readyState !== WebSocket.OPEN || tcp.destroyed) return;
        if (frames.length === 1) {
          tcp.write(frames[0] as Buffer);
          return;
        }
        tcp.cork();
        for (const frame of frames) tcp.write(frame);
        tcp.uncork();
      },
      close: (code: number, reason: string) => ws.close(code, reason),
      terminate: () => ws.terminate(),
    };
    const session = new SocketSession(origin, new OutboundGate(sink, this.#limits, this.#clock, this.#flusher), this.#hub);
    this.#sockets.set(ws, session);
    const log = this.#log.child({ session: session.id });
    log.debug({}, 'websocket open');
    ws.on('message', (data: RawData) => {
      session.awaitingPong = false;
      this.#handler.receive(session, rawText(data));
    });
    ws.on('pong', () => {
      session.awaitingPong = false;
    });
    ws.on('error', (error) => log.debug({ err: error }, 'websocket error'));
    ws.on('close', (code: number) => {
      log.debug({ code, dropped: session.gate.dropped }, 'websocket closed');
      session.close();
      this.#sockets.delete(ws);
      const left = (this.#perIp.get(ip) ?? 1) - 1;
      if (left <= 0) this.#perIp.delete(ip);
      else this.#perIp.set(ip, left);
    });
  }

  /** RFC 6455 §5.5.2: pings find dead peers; one unanswered ping interval and the socket is cut. */
  #schedulePing(): void {
    this.#pingTimer = this.#clock.setTimeout(() => {
      for (const [ws, session] of this.#sockets) {
        if (session.awaitingPong) {
          this.#log.debug({ session: session.id }, 'websocket peer did not answer ping');
          ws.terminate();
          continue;
        }
        session.awaitingPong = true;
        ws.ping();
      }
      if (!this.closed) this.#schedulePing();
    }, this.#limits.pingIntervalMs);
  }
}

/** The client address without the IPv4-mapped prefix (`::ffff:127.0.0.1` → `127.0.0.1`). */
function clientIp(address: string | undefined): string {
  const a = address ?? 'unknown';
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

/** Answers an upgrade request with a plain HTTP error and closes the connection. */
function refuse(socket: Duplex, status: number, reason: string): void {
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${reason.length}\r\n\r\n${reason}`);
}
