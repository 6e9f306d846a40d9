import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApi, channelRoutes, DEFAULT_BUCKETS, type RouteSpec } from './api/index.ts';
import { BlackholeServer, DEFAULT_OBJECT_TYPES } from './blackhole/index.ts';
import { MemoryBus, type Bus } from './bus/index.ts';
import type { Config } from './config/index.ts';
import { AccountService, DocumentService, MEDIA_ATTACHMENT, MediaLibrary, publishDocChanges, TokenService } from './documents/index.ts';
import { CallCommandError } from './calls/index.ts';
import { BUILTIN_METAFLOW_MODULES, MetaflowExecutor } from './konami/index.ts';
import { SystemClock, createLogger, type Clock, type Logger } from './lib/index.ts';
import { openStore, type DocumentStore } from './store/index.ts';
import { startSwitch, type Switch } from './switch.ts';

/** Options of {@link App.start}; everything but the config has a production default. */
export interface AppOptions {
  readonly config: Config;
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly version?: string;
  /** PostgreSQL schema to use (tests isolate themselves); default `public`. */
  readonly pgSchema?: string;
  /** Rate buckets for token-less requests (tests raise them). */
  readonly buckets?: { capacity: number; refillPerSecond: number };
}

/**
 * The composition root: builds every object explicitly, starts the listeners, and closes all of
 * it in reverse order.
 */
export class App {
  readonly config: Config;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly store: DocumentStore;
  readonly bus: Bus;
  readonly docs: DocumentService;
  readonly accounts: AccountService;
  readonly tokens: TokenService;
  readonly switch: Switch;
  readonly blackhole: BlackholeServer;
  readonly #http: FastifyInstance;
  readonly #unsubscribe: () => void;
  #closed = false;

  private constructor(parts: {
    config: Config;
    clock: Clock;
    logger: Logger;
    store: DocumentStore;
    bus: Bus;
    docs: DocumentService;
    accounts: AccountService;
    tokens: TokenService;
    switch: Switch;
    blackhole: BlackholeServer;
    http: FastifyInstance;
    unsubscribe: () => void;
  }) {
    this.config = parts.config;
    this.clock = parts.clock;
    this.logger = parts.logger;
    this.store = parts.store;
    this.bus = parts.bus;
    this.docs = parts.docs;
    this.accounts = parts.accounts;
    this.tokens = parts.tokens;
    this.switch = parts.switch;
    this.blackhole = parts.blackhole;
    this.#http = parts.http;
    this.#unsubscribe = parts.unsubscribe;
  }

  /** Opens the store, builds the services and starts listening. */
  static async start(options: AppOptions): Promise<App> {
    const { config } = options;
    const clock = options.clock ?? new SystemClock();
    const logger = options.logger ?? createLogger(config.logLevel);
    const version = options.version ?? '0.1.0';
    const store = await openStore({
      clock,
      logger: logger.child({ component: 'store' }),
      ...(config.databaseUrl !== undefined ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir }),
      ...(options.pgSchema !== undefined ? { pgSchema: options.pgSchema } : {}),
    });
    const bus = new MemoryBus(logger.child({ component: 'bus' }));
    let sw: Switch | undefined;
    let blackhole: BlackholeServer | undefined;
    try {
      const unsubscribe = publishDocChanges(store, bus, version, logger);
      const docs = new DocumentService(store);
      const accounts = new AccountService(docs);
      const tokens = await TokenService.open(store, clock, config.tokenExpirySeconds);
      sw = await startSwitch({ config, store, bus, clock, logger, version });
      blackhole = await BlackholeServer.start({
        port: config.wsPort,
        host: config.bind,
        bus,
        tokens,
        accounts,
        store,
        clock,
        logger: logger.child({ component: 'blackhole' }),
        objectTypes: [...DEFAULT_OBJECT_TYPES, 'call_recording'],
        limits: { maxConnectionsPerIp: config.wsMaxConnectionsPerIp },
      });
      const metaflows = new MetaflowExecutor(BUILTIN_METAFLOW_MODULES, logger);
      const started = sw;
      const control = started.b2bua.control;
      const engine = started.engine;
      const extraRoutes: RouteSpec[] = [
        ...sw.routes,
        ...channelRoutes({
          channels: sw.channels,
          control,
          endpoints: sw.endpoints,
          clock,
          actions: sw.channelActions,
          systemWideList: true,
          metaflow: (channel, node) =>
            metaflows.run(
              {
                channel,
                control,
                media: engine,
                logger,
                mediaAudio: async (id) => {
                  const media = await store.get(id);
                  if (media?.pvt_type !== 'media' || media.pvt_account_id !== channel.profile.accountId) return undefined;
                  return (await store.getAttachment(id, MEDIA_ATTACHMENT))?.data;
                },
                runCallflow: async (target, which) => {
                  const accountId = target.profile.accountId;
                  const found =
                    'id' in which
                      ? await started.endpoints.callflow(accountId, which.id).then((callflow) => (callflow === undefined ? undefined : { callflow, captures: [] }))
                      : await started.endpoints.callflowFor(accountId, which.number);
                  if (found === undefined) throw new CallCommandError('id', 'invalid', 'No such callflow');
                  started.b2bua.runCallflow(target, found.callflow, found.captures);
                },
              },
              node as Parameters<typeof metaflows.run>[1],
            ),
        }),
      ];
      const http = await buildApi({
        store,
        docs,
        accounts,
        tokens,
        media: new MediaLibrary(store),
        clock,
        logger: logger.child({ component: 'api' }),
        version,
        buckets: options.buckets ?? DEFAULT_BUCKETS,
        websockets: blackhole,
        extraRoutes,
      });
      await http.listen({ port: config.httpPort, host: config.bind });
      logger.info({ port: (http.server.address() as AddressInfo).port }, 'crossbar API listening');
      return new App({ config, clock, logger, store, bus, docs, accounts, tokens, switch: sw, blackhole, http, unsubscribe });
    } catch (error) {
      await blackhole?.close();
      await sw?.close();
      await bus.close();
      await store.close();
      throw error;
    }
  }

  /** The SIP port, UDP and TCP (useful with port 0). */
  get sipPort(): number {
    return this.switch.sipPort;
  }

  /** The WebSocket (Blackhole) port. */
  get wsPort(): number {
    return this.blackhole.port;
  }

  /** The port the REST API listens on (useful with port 0). */
  get httpPort(): number {
    return (this.#http.server.address() as AddressInfo).port;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Stops listening and releases everything; safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.switch.close();
    await this.blackhole.close();
    await this.#http.close();
    this.#unsubscribe();
    await this.bus.close();
    await this.store.close();
  }
}
