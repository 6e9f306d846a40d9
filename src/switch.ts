import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  B2bua, CallCommandError, CallNotifier, CallRecordings, MemoryChannelDirectory, StoreRecordingArchive, recordOptionsFromKazoo,
  type Channel, type ChannelDirectory,
} from './calls/index.ts';
import { Carriers, ResourceCatalog, offnetModule, resourcesModule } from './calls/index.ts';
import { ParkingLots, createParkModule, createPlayModule, defaultMusicOnHold, ringGroupModule } from './calls/index.ts';
import { Transfers } from './calls/index.ts';
import { Interceptor, interceptOptionsFromKazoo } from './calls/index.ts';
import { MediaWatchdog } from './calls/index.ts';
import { parkedCallRoutes } from './api/index.ts';
import { coreChannelActions, recordingRoutes, reqValue, type ChannelAction, type RouteSpec } from './api/index.ts';
import type { Bus } from './bus/index.ts';
import type { Config } from './config/index.ts';
import { DocumentService, EndpointDirectory, LOOKUP_TTL_MS, MEDIA_ATTACHMENT } from './documents/index.ts';
import type { Clock, Logger } from './lib/index.ts';
import { MediaEngine } from './media/index.ts';
import { MemoryRegistrationStore, Registrar, SipAuthenticator, type RegistrationStore } from './registrar/index.ts';
import { SipStack, TcpTransport, UdpTransport } from './sip/index.ts';
import type { DocumentStore } from './store/index.ts';

/** Everything that handles live calls, built and closed together. */
export interface Switch {
  readonly stack: SipStack;
  readonly engine: MediaEngine;
  readonly registrations: RegistrationStore;
  readonly channels: ChannelDirectory;
  readonly notifier: CallNotifier;
  readonly b2bua: B2bua;
  /** The SIP port (UDP and TCP share it). */
  readonly sipPort: number;
  /** REST routes of the switch's features (parked calls, recordings...), served by the API. */
  readonly routes: RouteSpec[];
  /** Channel actions of `POST /v2/accounts/{A}/channels/{id}` by name; features add theirs. */
  readonly channelActions: Map<string, ChannelAction>;
  readonly endpoints: EndpointDirectory;
  close(): Promise<void>;
}

/**
 * Starts the SIP side: UDP and TCP on one port (TCP binds the port UDP got, so port 0 works), the
 * media engine on the RTP range, the registrar and the B2BUA.
 */
export async function startSwitch(deps: { config: Config; store: DocumentStore; bus: Bus; clock: Clock; logger: Logger; version: string }): Promise<Switch> {
  const { config, clock } = deps;
  const logger = deps.logger.child({ component: 'switch' });
  const advertise = { host: config.advertisedAddress };
  const { udp, tcp } = await listenPair(config, clock, logger.child({ category: 'sip' }));
  const stack = new SipStack({ clock, logger: logger.child({ category: 'sip' }) });
  stack.addTransport(udp, advertise);
  stack.addTransport(tcp, advertise);
  const engine = new MediaEngine({
    address: config.bind,
    advertisedAddress: config.advertisedAddress,
    portRange: config.rtpPorts,
    clock,
    logger,
  });
  // REGISTER/INVITE lookups are cached and invalidated by the store's change events; with a shared
  // PostgreSQL, other processes' writes arrive only by expiry (docs/architecture.md § Lookup cache).
  const endpoints = new EndpointDirectory(deps.store, {
    cache: { clock, ttlMs: config.databaseUrl !== undefined ? LOOKUP_TTL_MS.sharedDatabase : LOOKUP_TTL_MS.singleWriter },
  });
  const registrations = new MemoryRegistrationStore({ clock, logger });
  // MD5 is offered first: many deployed phones (and SIPp) read only the first challenge and know
  // only MD5 (RFC 8760 §2.4 lets the server order them). SHA-256 stays available to clients that pick it.
  const authenticator = new SipAuthenticator({ responder: stack, directory: endpoints, clock, logger, algorithms: ['MD5', 'SHA-256'] });
  const registrar = new Registrar({ responder: stack, authenticator, store: registrations, clock, logger });
  const channels = new MemoryChannelDirectory();
  const holdMusic = musicOnHoldLookup(deps.store);
  const notifier = new CallNotifier(deps.bus, clock, logger, deps.version);
  const b2bua = new B2bua({
    stack,
    engine,
    endpoints,
    authenticator,
    locator: registrations,
    registrar,
    channels,
    notifier,
    logger,
    maxCallMs: config.maxCallSeconds * 1000,
    floodLimits: {
      invite: { capacity: config.inviteRate * 2, refillPerSecond: config.inviteRate },
      register: { capacity: config.registerRate * 2, refillPerSecond: config.registerRate },
      options: { capacity: config.optionsRate * 2, refillPerSecond: config.optionsRate },
      other: { capacity: config.optionsRate * 2, refillPerSecond: config.optionsRate },
    },
    musicOnHold: (holder) => holdMusic(holder),
  });
  stack.user = b2bua;
  const routes: RouteSpec[] = [];
  const channelActions = coreChannelActions(b2bua.control);
  channelActions.set('callflow', async (channel, req) => {
    const id = req.data['id'] ?? req.query['id'];
    if (typeof id !== 'string' || id === '') throw new CallCommandError('id', 'required', 'No callflow id specified');
    const callflow = await endpoints.callflow(channel.profile.accountId, id);
    if (callflow === undefined) throw new CallCommandError('id', 'invalid', `Callflow ${id} not found`);
    b2bua.runCallflow(channel, callflow);
    return 'callflow initiated';
  });
  const closers: (() => Promise<void> | void)[] = [];
  closers.push(() => endpoints.close());

  // ── features: each feature wires itself here, one block each (hooks, modules, routes, closers) ──
  // recording (issue 4 item 7): stereo WAV of a bridged call → call_recording doc; GET/DELETE /recordings
  {
    const directory = config.databaseUrl !== undefined || config.dataDir.includes('://')
      ? join(tmpdir(), 'switchboard-recordings')
      : join(config.dataDir, 'recordings.tmp');
    const recordings = await CallRecordings.open({ engine, clock, logger, directory, archive: new StoreRecordingArchive(deps.store) });
    b2bua.control.useRecordings(recordings);
    channelActions.set('record_start', async (channel, req) => {
      b2bua.control.recordStart(channel, { origin: 'api', ...recordOptionsFromKazoo(req.data) });
      return 'record_start initiated';
    });
    channelActions.set('record_stop', async (channel) => {
      await b2bua.control.recordStop(channel);
      return 'record_stop initiated';
    });
    routes.push(...recordingRoutes(new DocumentService(deps.store)));
    closers.push(() => recordings.close());
  }
  // carriers (issue 4 item 4): account resources out (offnet/resources modules, numbers no callflow owns), gateways trusted in;
  // the transfers block sends transfer targets no callflow owns through them too
  let carriers: Carriers;
  {
    const catalog = new ResourceCatalog({ store: deps.store, logger });
    const changes = deps.bus.subscribe('*.*.resource.*', (message) => {
      const id = message.payload['id'];
      if (message.payload['type'] !== 'resource' || typeof id !== 'string') return;
      catalog.refresh(id).catch((error: unknown) => logger.warn({ err: error, id }, 'carrier resource not reloaded'));
    });
    closers.push(() => {
      changes.unsubscribe();
      catalog.close();
    });
    await catalog.load();
    carriers = new Carriers({ calls: b2bua.context, catalog, endpoints, logger });
    b2bua.runner.register(offnetModule(carriers));
    b2bua.runner.register(resourcesModule(carriers));
    b2bua.features.trunk = (request) => carriers.trunk(request);
    b2bua.features.unrouted = (session, account, number) => carriers.unrouted(session, account, number);
  }
  // callflow modules ring_group, play and park (issue 4 item 3); GET /parked_calls
  {
    const parking = new ParkingLots({ notifier, clock, logger });
    b2bua.runner.register(ringGroupModule);
    b2bua.runner.register(
      createPlayModule({
        media: async (accountId, mediaId) => {
          const media = await deps.store.get(mediaId);
          if (media?.pvt_type !== 'media' || media.pvt_account_id !== accountId) return undefined;
          return (await deps.store.getAttachment(mediaId, MEDIA_ATTACHMENT))?.data;
        },
      }),
    );
    b2bua.runner.register(createParkModule({ lots: parking, musicOnHold: (parked) => holdMusic(parked) }));
    routes.push(...parkedCallRoutes(parking));
    closers.push(() => parking.close());
    // POST /channels/{id} {action: park, slot?}: the channel waits in a slot with music; its peer is released.
    channelActions.set('park', async (channel, req) => {
      if (!channel.answered) throw new CallCommandError('call_id', 'invalid', 'Channel is not answered');
      const slotValue = reqValue(req, 'slot');
      const slot = typeof slotValue === 'string' || typeof slotValue === 'number' ? String(slotValue) : undefined;
      const lot = parking.lot(channel.profile.accountId);
      if (slot !== undefined && lot.occupant(slot) !== undefined) throw new CallCommandError('slot', 'unique', `Slot ${slot} is occupied`);
      const bridge = b2bua.context.bridges.get(channel.uuid);
      const peer = bridge?.peerOf(channel);
      bridge?.unbridge();
      const music = engine.createWavPlayer((await holdMusic(channel)) ?? defaultMusicOnHold(), { loop: true });
      const parked = lot.park(channel, { ...(slot !== undefined ? { slot } : {}), music });
      peer?.hangup('NORMAL_CLEARING');
      return `park initiated in slot ${parked.slot}`;
    });
  }
  // transfers (issue 4 item 2): the transfer command (blind/attended with takeback), REFER (RFC 3515), Replaces (RFC 3891)
  {
    const transfers = new Transfers({
      context: b2bua.context,
      runner: b2bua.runner,
      endpoints,
      authenticator,
      offnet: carriers,
      music: async (holder, _held, mediaId) => (mediaId !== undefined ? mediaAudio(deps.store, holder.profile.accountId, mediaId) : holdMusic(holder)),
    });
    b2bua.control.useTransfers(transfers);
    // POST /channels/{id} {action: transfer} (KAZOO §2.4: `transfer-type` — `transfer_type` too —
    // `leg`, `takeback_dtmf`, `moh`), and Wazo's `complete` / `cancel` of an attended transfer.
    channelActions.set('transfer', async (channel, req) => {
      const text = (key: string): string | undefined => {
        const v = reqValue(req, key);
        return typeof v === 'string' && v !== '' ? v : undefined;
      };
      const type = text('transfer-type') ?? text('transfer_type') ?? 'blind';
      if (type !== 'blind' && type !== 'attended') throw new CallCommandError('transfer-type', 'enum', 'Transfer type must be blind or attended');
      const leg = text('leg');
      await b2bua.control.transfer(channel, text('target') ?? '', {
        type,
        ...(leg === 'bleg' || leg === 'self' ? { leg } : {}),
        ...(text('takeback_dtmf') !== undefined ? { takebackDtmf: text('takeback_dtmf') } : {}),
        ...(text('moh') !== undefined ? { moh: text('moh') } : {}),
      });
      return 'transfer initiated';
    });
    channelActions.set('complete', async (channel) => {
      b2bua.control.completeTransfer(channel);
      return 'transfer completed';
    });
    channelActions.set('cancel', async (channel) => {
      b2bua.control.cancelTransfer(channel);
      return 'transfer cancelled';
    });
    b2bua.features.refer = (request, transaction, channel) => transfers.refer(request, transaction, channel);
    b2bua.features.replaces = (request, transaction) => transfers.replaces(request, transaction);
    closers.push(() => transfers.close());
  }
  // intercept and move (issue 4 item 6): control.intercept/move, the `intercept` channel action.
  // Originate (item 5) needs no wiring: `new Originator({ context: b2bua.context, endpoints, locator: registrations, runner: b2bua.runner })`.
  {
    b2bua.control.useTakeover(new Interceptor({ context: b2bua.context, endpoints, locator: registrations }));
    channelActions.set('intercept', async (channel, req) => {
      await b2bua.control.intercept(channel, interceptOptionsFromKazoo({ ...req.query, ...req.data }));
      return 'intercept initiated';
    });
  }
  // media inactivity: an answered phone silent for SWITCHBOARD_RTP_TIMEOUT_SECONDS (on hold:
  // SWITCHBOARD_RTP_HOLD_TIMEOUT_SECONDS) is hung up with MEDIA_TIMEOUT, and its bridge with it
  {
    const watchdog = new MediaWatchdog({
      channels,
      clock,
      logger,
      rtpTimeoutMs: config.rtpTimeoutSeconds * 1000,
      rtpHoldTimeoutMs: config.rtpHoldTimeoutSeconds * 1000,
    });
    closers.push(() => watchdog.close());
  }
  // ── end of features ──

  logger.info({ port: udp.local.port }, 'SIP listening on UDP and TCP');
  let closing: Promise<void> | undefined;
  return {
    stack,
    engine,
    registrations,
    channels,
    notifier,
    b2bua,
    sipPort: udp.local.port,
    routes,
    channelActions,
    endpoints,
    close: () =>
      (closing ??= (async () => {
        await b2bua.shutdown();
        for (const close of closers.reverse()) await close();
        stack.close();
        registrations.close();
        await engine.close();
      })()),
  };
}

/**
 * The music a held party hears: the holder's user, then device, then account
 * `music_on_hold.media_id` (KAZOO's endpoint → account order); undefined = the built-in loop.
 */
const MUSIC_CACHE_SIZE = 32;

/**
 * The music-on-hold lookup of one switch. It keeps the last files by media id and revision, so a
 * held call gets the same buffer object as the previous one and the engine decodes it once.
 */
function musicOnHoldLookup(store: DocumentStore): (holder: Channel) => Promise<Uint8Array | undefined> {
  const cache = new Map<string, Uint8Array>();
  return (holder) => musicOnHold(store, holder, cache);
}

async function musicOnHold(store: DocumentStore, holder: Channel, musicCache: Map<string, Uint8Array>): Promise<Uint8Array | undefined> {
  const p = holder.profile;
  for (const id of [p.ownerId, p.authorizingId, p.accountId]) {
    if (id === undefined) continue;
    const doc = await store.get(id);
    const moh = doc?.['music_on_hold'];
    const mediaId = typeof moh === 'object' && moh !== null ? (moh as Record<string, unknown>)['media_id'] : undefined;
    if (typeof mediaId !== 'string' || mediaId === '') continue;
    const media = await store.get(mediaId);
    if (media === undefined || media.pvt_account_id !== p.accountId) continue;
    const key = `${mediaId}:${media._rev}`;
    const cached = musicCache.get(key);
    if (cached !== undefined) return cached;
    const audio = await store.getAttachment(mediaId, MEDIA_ATTACHMENT);
    if (audio === undefined) continue;
    if (musicCache.size >= MUSIC_CACHE_SIZE) musicCache.delete(musicCache.keys().next().value ?? '');
    musicCache.set(key, audio.data);
    return audio.data;
  }
  return undefined;
}

/** The audio of media document `mediaId` of the account (a transfer's `moh`), if it has any. */
async function mediaAudio(store: DocumentStore, accountId: string, mediaId: string): Promise<Uint8Array | undefined> {
  const media = await store.get(mediaId);
  if (media === undefined || media.pvt_account_id !== accountId) return undefined;
  return (await store.getAttachment(mediaId, MEDIA_ATTACHMENT))?.data;
}

/**
 * UDP and TCP on one SIP port. With port 0 the OS picks the UDP port, which may already be taken
 * for TCP (an ephemeral outgoing connection): then another pair is tried.
 */
async function listenPair(config: Config, clock: Clock, logger: Logger): Promise<{ udp: UdpTransport; tcp: TcpTransport }> {
  const { bind: address, sipPort: port } = config;
  for (let attempt = 1; ; attempt++) {
    const udp = await UdpTransport.listen({ address, port, bufferBytes: config.sipUdpBufferBytes, logger });
    try {
      const tcp = await TcpTransport.listen({ address, port: udp.local.port, clock, maxConnectionsPerIp: config.sipTcpMaxConnectionsPerIp });
      return { udp, tcp };
    } catch (error) {
      udp.close();
      if (port !== 0 || attempt >= 20) throw error;
    }
  }
}
