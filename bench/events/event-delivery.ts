// Part 1 of bench:events: event delivery latency to many subscribed sockets. The server side
// (the app's bus and a Blackhole) runs here; the sockets live in a child process
// (ws-clients-process.ts). Call events are published on the bus at a fixed rate with their wall-clock
// publish time in the payload; the clients measure receive time minus that.
import { fork, type ChildProcess } from 'node:child_process';
import { createHistogram } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { App } from '../../src/app.ts';
import { BlackholeServer } from '../../src/blackhole/index.ts';
import { callRoutingKey, Channel, type CallEventName } from '../../src/calls/index.ts';
import { randomHex, silentLogger } from '../../src/lib/index.ts';
import { stopChild, track } from '../support/children.ts';
import { isTyped, SENT_FIELD, wallNow, type ClientPhaseStats, type FromClient, type ToClient } from './ipc.ts';
import { busyCores, machineCpu, processCpuSeconds } from './machine.ts';
import { FloorServer } from './floor-server.ts';
import { benchProfile } from './profiles.ts';

export interface EventBenchOptions {
  readonly sockets: number;
  /** Share of sockets that also subscribe `call.CHANNEL_CREATE.*` (0..1). */
  readonly createShare: number;
  /** Events per second, one phase each. */
  readonly rates: readonly number[];
  /** Publishing time of each phase, s. */
  readonly seconds: number;
  /** An unreported phase first (JIT warm-up), s at the first rate. */
  readonly warmupSeconds: number;
  readonly connectTimeoutMs: number;
  /** A phase's stragglers are awaited until this long without a message. */
  readonly quietMs: number;
  /** ...and never longer than this after publishing ended. */
  readonly drainMs: number;
  /** Runs before each phase (the benchmark waits there for a quiet machine). */
  readonly beforePhase?: () => Promise<void>;
  /** A phase during which other processes used more than `quietCores` is run again, up to `attempts` times in all; the quietest is kept. */
  readonly attempts: number;
  readonly quietCores: number;
  /** Measure the floor instead: a bare broadcast server (floor-server.ts) on the same clients. */
  readonly floor?: boolean;
}

export interface EventPhaseResult {
  /** Offered events/s, and what was actually published over how long. */
  readonly rate: number;
  readonly published: number;
  readonly publishMs: number;
  /** Latest an event went out after its scheduled time (the publisher falling behind), ms. */
  readonly maxPublishLagMs: number;
  /** How long one `bus.publish` took: the whole fan-out runs inside it, blocking the event loop, ms. */
  readonly publishCall: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly client: ClientPhaseStats;
  /** Server process CPU over the publishing window, % of one core. */
  readonly serverCpuPct: number;
  /** Client process CPU over [phase start, last arrival], % of one core. */
  readonly clientCpuPct: number;
  /** Deliveries over [publish start, last arrival]. */
  readonly deliveriesPerSec: number;
  /** CPU used by every other process on the machine over the publishing window, cores. */
  readonly othersCores: number;
}

export interface EventBenchResult {
  readonly sockets: number;
  readonly createSubscribers: number;
  readonly connectFailed: number;
  readonly connectMs: number;
  readonly clockOffsetMs: number;
  readonly clockRttMs: number;
  /** Size of one event frame as a socket receives it, bytes. */
  readonly messageBytes: number;
  readonly phases: EventPhaseResult[];
}

const EVENT_CYCLE: readonly CallEventName[] = ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_DESTROY'];

/** One child process and typed request/response over its IPC channel. */
class ClientProcess {
  readonly child: ChildProcess;
  readonly #waiting = new Map<string, { resolve: (m: FromClient) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();

  constructor(serverNow: () => number) {
    const path = fileURLToPath(new URL('./ws-clients-process.ts', import.meta.url));
    this.child = track(fork(path, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
    this.child.on('message', (message: unknown) => {
      if (!isTyped<FromClient>(message)) return;
      if (message.type === 'clock') {
        this.send({ type: 'clock-reply', t0: message.t0, tp: serverNow() });
        return;
      }
      const waiter = this.#waiting.get(message.type);
      if (waiter === undefined) return;
      this.#waiting.delete(message.type);
      clearTimeout(waiter.timer);
      waiter.resolve(message);
    });
    this.child.once('exit', (code, signal) => {
      for (const [type, waiter] of this.#waiting) {
        clearTimeout(waiter.timer);
        waiter.reject(new Error(`client process exited (${code ?? signal ?? '?'}) while waiting for '${type}'`));
      }
      this.#waiting.clear();
    });
  }

  send(message: ToClient): void {
    this.child.send(message);
  }

  /** Sends `message` and resolves with the child's next message of type `type`. */
  request<T extends FromClient['type']>(message: ToClient, type: T, timeoutMs: number): Promise<Extract<FromClient, { type: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(type);
        reject(new Error(`client process: no '${type}' within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiting.set(type, { resolve: (m) => resolve(m as Extract<FromClient, { type: T }>), reject, timer });
      this.send(message);
    });
  }
}

/** A real CHANNEL_CREATE payload of the switch's notifier, to publish copies of. */
async function callEventTemplate(app: App, accountId: string, realm: string): Promise<Record<string, unknown>> {
  const endpoint = await app.switch.engine.createEndpoint();
  const channel = new Channel(benchProfile(0, { accountId, realm, username: 'template' }, 'template'), endpoint, app.clock, silentLogger);
  let captured: Record<string, unknown> | undefined;
  const sub = app.bus.subscribe('call.*.CHANNEL_CREATE.*', (message) => {
    captured = { ...message.payload };
  });
  try {
    app.switch.notifier.publish(channel, 'CHANNEL_CREATE');
  } finally {
    sub.unsubscribe();
    channel.hangup();
  }
  if (captured === undefined) throw new Error('the notifier published no CHANNEL_CREATE');
  return captured;
}

/**
 * Publishes `rate` events/s for `seconds`, one event per turn of the event loop (as events arrive
 * from SIP, one per packet), so socket I/O runs between them; when behind schedule it publishes as
 * fast as the loop allows, and stops 2 s past the end whatever it has published.
 */
function publishAtRate(rate: number, seconds: number, publish: (k: number) => void): Promise<{ published: number; elapsedMs: number; maxLagMs: number }> {
  const total = Math.max(1, Math.round(rate * seconds));
  const start = wallNow();
  const hardEnd = start + seconds * 1000 + 2000;
  const due = (k: number): number => start + (k * 1000) / rate;
  return new Promise((resolve) => {
    let k = 0;
    let maxLagMs = 0;
    const tick = (): void => {
      const now = wallNow();
      if (k < total && now <= hardEnd && due(k) <= now) {
        maxLagMs = Math.max(maxLagMs, now - due(k));
        publish(k++);
      }
      const after = wallNow();
      if (k >= total || after > hardEnd) {
        resolve({ published: k, elapsedMs: after - start, maxLagMs });
        return;
      }
      const wait = due(k) - after;
      if (wait <= 0) setImmediate(tick);
      else setTimeout(tick, wait);
    };
    setImmediate(tick);
  });
}

/**
 * Opens `sockets` subscribed clients against a Blackhole on the app's bus and measures delivery
 * latency at each rate. The app's own Blackhole is closed first (its per-IP cap is fixed at the
 * default 100 and not configurable through App); ours has the same defaults except that cap.
 */
export async function measureEventDelivery(app: App, account: { accountId: string; token: string; realm: string }, options: EventBenchOptions, log: (line: string) => void): Promise<EventBenchResult> {
  await app.blackhole.close();
  const template = await callEventTemplate(app, account.accountId, account.realm);
  const server = options.floor === true ? await FloorServer.start() : await BlackholeServer.start({
    port: 0,
    host: '127.0.0.1',
    bus: app.bus,
    tokens: app.tokens,
    accounts: app.accounts,
    store: app.store,
    clock: app.clock,
    logger: silentLogger,
    limits: { maxConnectionsPerIp: options.sockets + 100 },
  });
  const clients = new ClientProcess(wallNow);
  try {
    log(`events: opening ${options.sockets} sockets in a child process...`);
    const connected = await clients.request(
      { type: 'connect', port: server.port, token: account.token, accountId: account.accountId, sockets: options.sockets, createShare: options.createShare, timeoutMs: options.connectTimeoutMs },
      'connected',
      options.connectTimeoutMs + 30_000,
    );
    log(`events: ${connected.sockets} subscribed in ${connected.ms} ms (${connected.failed} failed${connected.firstError !== undefined ? `: ${connected.firstError}` : ''}); clock offset ${connected.offsetMs.toFixed(3)} ms ± ${(connected.rttMs / 2).toFixed(3)}`);
    if (connected.sockets === 0) throw new Error('no socket could subscribe');

    const run = randomHex(4);
    const runPhase = async (rate: number, seconds: number, tag: string): Promise<EventPhaseResult> => {
      await options.beforePhase?.();
      await clients.request({ type: 'phase' }, 'phase-ready', 10_000);
      let createEvents = 0;
      const blocked = createHistogram({ lowest: 1, highest: 60_000_000, figures: 3 });
      const cpu0 = process.cpuUsage();
      const machine0 = machineCpu();
      const child0 = processCpuSeconds(clients.child.pid);
      const start = wallNow();
      const outcome = await publishAtRate(rate, seconds, (k) => {
        const sent = wallNow();
        const name = EVENT_CYCLE[k % EVENT_CYCLE.length] ?? 'CHANNEL_CREATE';
        if (name === 'CHANNEL_CREATE') createEvents++;
        const callId = `${run}${tag}-${Math.floor(k / EVENT_CYCLE.length)}-bench@127.0.0.1`;
        const routingKey = callRoutingKey(account.accountId, name, callId);
        const payload = { [SENT_FIELD]: sent, ...template, event_name: name, call_id: callId, msg_id: `${tag}${k}` };
        if (server instanceof FloorServer) server.publish(routingKey, name, payload);
        else app.bus.publish(routingKey, payload);
        blocked.record(Math.max(1, Math.round((wallNow() - sent) * 1000)));
      });
      const cpu = process.cpuUsage(cpu0);
      const childCores = (processCpuSeconds(clients.child.pid) - child0) / (outcome.elapsedMs / 1000);
      const machineCores = busyCores(machine0, machineCpu());
      const serverCores = (cpu.user + cpu.system) / 1000 / outcome.elapsedMs;
      const stats = await clients.request(
        { type: 'collect', events: outcome.published, createEvents, quietMs: options.quietMs, maxWaitMs: options.drainMs + seconds * 1000 },
        'stats',
        options.drainMs + seconds * 1000 + 30_000,
      );
      const client = stats.stats;
      const spanMs = client.lastArrival > 0 ? client.lastArrival - start : 0;
      return {
        rate,
        published: outcome.published,
        publishMs: outcome.elapsedMs,
        maxPublishLagMs: outcome.maxLagMs,
        publishCall: { p50: blocked.percentile(50) / 1000, p99: blocked.percentile(99) / 1000, max: blocked.max / 1000 },
        client,
        serverCpuPct: serverCores * 100,
        clientCpuPct: client.busyMs > 0 ? (client.cpuMs / client.busyMs) * 100 : 0,
        deliveriesPerSec: spanMs > 0 ? (client.deliveries / spanMs) * 1000 : 0,
        othersCores: Math.max(0, machineCores - serverCores - childCores),
      };
    };

    const first = options.rates[0] ?? 100;
    if (options.warmupSeconds > 0) {
      log(`events: warm-up, ${Math.min(first, 100)} events/s for ${options.warmupSeconds} s`);
      await runPhase(Math.min(first, 100), options.warmupSeconds, 'w');
    }
    const phases: EventPhaseResult[] = [];
    for (const [i, rate] of options.rates.entries()) {
      let phase: EventPhaseResult | undefined;
      for (let attempt = 1; attempt <= Math.max(1, options.attempts); attempt++) {
        log(`events: ${rate} events/s for ${options.seconds} s${attempt > 1 ? ` (attempt ${attempt}: other processes used ${phase?.othersCores.toFixed(2)} cores)` : ''}...`);
        const tried = await runPhase(rate, options.seconds, `p${i}a${attempt}`);
        if (phase === undefined || tried.othersCores < phase.othersCores) phase = tried;
        if (phase.othersCores <= options.quietCores) break;
      }
      if (phase === undefined) throw new Error('no phase ran');
      const c = phase.client;
      log(
        `events: ${rate}/s → ${c.deliveries}/${c.expected} deliveries, p50 ${c.latency.p50.toFixed(2)} p99 ${c.latency.p99.toFixed(2)} max ${c.latency.max.toFixed(2)} ms, ` +
          `publish() p50 ${phase.publishCall.p50.toFixed(2)} p99 ${phase.publishCall.p99.toFixed(2)} ms, server CPU ${phase.serverCpuPct.toFixed(0)}%, client CPU ${phase.clientCpuPct.toFixed(0)}%, others ${phase.othersCores.toFixed(2)} cores, ` +
          `published ${phase.published} in ${phase.publishMs.toFixed(0)} ms (lag ≤ ${phase.maxPublishLagMs.toFixed(1)} ms), dropping notices ${c.droppingNotices}, closed ${c.socketsClosed}`,
      );
      phases.push(phase);
    }
    return {
      sockets: connected.sockets,
      createSubscribers: connected.createSubscribers,
      connectFailed: connected.failed,
      connectMs: connected.ms,
      clockOffsetMs: connected.offsetMs,
      clockRttMs: connected.rttMs,
      messageBytes: phases.find((p) => p.client.frameBytes > 0)?.client.frameBytes ?? 0,
      phases,
    };
  } finally {
    if (clients.child.connected) clients.send({ type: 'stop' });
    await stopChild(clients.child, 'SIGTERM', 5000);
    await server.close();
  }
}
