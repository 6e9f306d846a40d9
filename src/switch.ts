import { B2bua, CallCommandError, CallNotifier, MemoryChannelDirectory, type Channel, type ChannelDirectory } from './calls/index.ts';
import { coreChannelActions, type ChannelAction, type RouteSpec } from './api/index.ts';
import type { Bus } from './bus/index.ts';
import type { Config } from './config/index.ts';
import { EndpointDirectory, MEDIA_ATTACHMENT } from './documents/index.ts';
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
  const udp = await UdpTransport.listen({ address: config.bind, port: config.sipPort });
  let tcp: TcpTransport;
  try {
    tcp = await TcpTransport.listen({ address: config.bind, port: udp.local.port, clock });
  } catch (error) {
    udp.close();
    throw error;
  }
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
  const endpoints = new EndpointDirectory(deps.store);
  const registrations = new MemoryRegistrationStore({ clock, logger });
  // MD5 is offered first: many deployed phones (and SIPp) read only the first challenge and know
  // only MD5 (RFC 8760 §2.4 lets the server order them). SHA-256 stays available to clients that pick it.
  const authenticator = new SipAuthenticator({ responder: stack, directory: endpoints, clock, logger, algorithms: ['MD5', 'SHA-256'] });
  const registrar = new Registrar({ responder: stack, authenticator, store: registrations, clock, logger });
  const channels = new MemoryChannelDirectory();
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
    musicOnHold: (holder) => musicOnHold(deps.store, holder),
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

  // ── features: each feature wires itself here, one block each (hooks, modules, routes, closers) ──
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
async function musicOnHold(store: DocumentStore, holder: Channel): Promise<Uint8Array | undefined> {
  const p = holder.profile;
  for (const id of [p.ownerId, p.authorizingId, p.accountId]) {
    if (id === undefined) continue;
    const doc = await store.get(id);
    const moh = doc?.['music_on_hold'];
    const mediaId = typeof moh === 'object' && moh !== null ? (moh as Record<string, unknown>)['media_id'] : undefined;
    if (typeof mediaId !== 'string' || mediaId === '') continue;
    const media = await store.get(mediaId);
    if (media === undefined || media.pvt_account_id !== p.accountId) continue;
    const audio = await store.getAttachment(mediaId, MEDIA_ATTACHMENT);
    if (audio !== undefined) return audio.data;
  }
  return undefined;
}
