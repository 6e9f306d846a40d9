// The WebSocket side of the events benchmark, in its own process so that reading 1,000 sockets
// does not share the server's event loop: opens the sockets, subscribes each to the account's call
// events, estimates the clock offset to the server process, and measures every delivery's latency
// (receive time minus the publish time carried in the payload). Driven over IPC (ipc.ts).
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';
import { WebSocket, type RawData } from 'ws';
import { isTyped, SENT_FIELD, wallNow, type ClientPhaseStats, type FromClient, type ToClient } from './ipc.ts';

const MARK = Buffer.from(`"${SENT_FIELD}":`);
const NOTICE = Buffer.from('"action":"notice"');
const CONNECT_BATCH = 50;
const CLOCK_SAMPLES = 40;

interface Client {
  readonly ws: WebSocket;
  /** Also subscribed to `call.CHANNEL_CREATE.*`. */
  readonly withCreate: boolean;
}

const clients: Client[] = [];
let openAtPhaseStart = 0;
let createOpenAtPhaseStart = 0;
let offsetMs = 0;
let histogram: RecordableHistogram = newHistogram();
let deliveries = 0;
let firstArrival = 0;
let lastArrival = 0;
let lastActivity = 0;
let droppingNotices = 0;
let droppedReported = 0;
let clamped = 0;
let frameBytes = 0;
let closedTotal = 0;
let closedAtPhaseStart = 0;
let phaseStart = 0;
let cpuAtPhaseStart = process.cpuUsage();
let subscribedAll = false;
const clockWaiters = new Map<number, (tp: number) => void>();

function send(message: FromClient): void {
  process.send?.(message);
}

function newHistogram(): RecordableHistogram {
  // Microseconds, 1 µs to 120 s, 3 significant figures.
  return createHistogram({ lowest: 1, highest: 120_000_000, figures: 3 });
}

/** The fast path: find the publish time in the raw frame without parsing the whole JSON. */
function onFrame(data: RawData): void {
  const now = wallNow();
  const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
  lastActivity = now;
  const at = buf.indexOf(MARK);
  if (at === -1) {
    if (buf.indexOf(NOTICE) !== -1) onNotice(buf);
    return;
  }
  const start = at + MARK.length;
  let end = start;
  while (end < buf.length) {
    const c = buf[end] ?? 0;
    if (c !== 0x2e && (c < 0x30 || c > 0x39)) break;
    end++;
  }
  const sent = Number(buf.toString('latin1', start, end));
  const latencyUs = Math.round((now + offsetMs - sent) * 1000);
  if (latencyUs < 1) clamped++;
  histogram.record(Math.min(120_000_000, Math.max(1, latencyUs)));
  deliveries++;
  frameBytes = buf.length;
  if (firstArrival === 0) firstArrival = now;
  lastArrival = now;
}

function onNotice(buf: Buffer): void {
  const notice = JSON.parse(buf.toString('utf8')) as { name?: unknown; data?: { state?: unknown; dropped?: unknown } };
  if (notice.name !== 'overflow') return;
  if (notice.data?.state === 'dropping') droppingNotices++;
  if (notice.data?.state === 'resumed' && typeof notice.data.dropped === 'number') droppedReported += notice.data.dropped;
}

/** Opens one socket and subscribes it; resolves once the subscribe reply is a success. */
function openOne(url: string, token: string, accountId: string, bindings: readonly string[], index: number, deadline: number): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: Math.max(1, deadline - Date.now()) });
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`socket ${index}: not subscribed in time`));
    }, Math.max(1, deadline - Date.now()));
    ws.once('unexpected-response', (_req, res) => {
      clearTimeout(timer);
      ws.terminate();
      reject(new Error(`socket ${index}: HTTP ${res.statusCode ?? '?'}`));
    });
    ws.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    ws.once('open', () => {
      ws.send(JSON.stringify({ action: 'subscribe', auth_token: token, request_id: `sub-${index}`, data: { account_id: accountId, bindings } }));
    });
    const onReply = (data: RawData): void => {
      const reply = JSON.parse(String(data)) as { action?: unknown; status?: unknown; data?: unknown };
      if (reply.action !== 'reply') return;
      clearTimeout(timer);
      ws.off('message', onReply);
      if (reply.status !== 'success') {
        ws.terminate();
        reject(new Error(`socket ${index}: subscribe failed: ${JSON.stringify(reply.data)}`));
        return;
      }
      ws.on('message', onFrame);
      ws.on('close', () => {
        if (subscribedAll) closedTotal++;
      });
      resolve(ws);
    };
    ws.on('message', onReply);
  });
}

async function connect(m: Extract<ToClient, { type: 'connect' }>): Promise<void> {
  const started = Date.now();
  const deadline = started + m.timeoutMs;
  const url = `ws://127.0.0.1:${m.port}/`;
  const every = m.createShare > 0 ? Math.max(1, Math.round(1 / m.createShare)) : 0;
  let createSubscribers = 0;
  let firstError: string | undefined;
  for (let base = 0; base < m.sockets && Date.now() < deadline; base += CONNECT_BATCH) {
    const batch: Promise<Client>[] = [];
    for (let i = base; i < Math.min(m.sockets, base + CONNECT_BATCH); i++) {
      const withCreate = every > 0 && i % every === 0;
      const bindings = withCreate ? ['call.*.*', 'call.CHANNEL_CREATE.*'] : ['call.*.*'];
      batch.push(
        openOne(url, m.token, m.accountId, bindings, i, deadline).then((ws) => {
          if (withCreate) createSubscribers++;
          return { ws, withCreate };
        }),
      );
    }
    for (const result of await Promise.allSettled(batch)) {
      if (result.status === 'fulfilled') clients.push(result.value);
      else firstError ??= String(result.reason);
    }
  }
  subscribedAll = true;
  const ms = Date.now() - started;
  const clock = await syncClock();
  offsetMs = clock.offsetMs;
  send({ type: 'connected', sockets: clients.length, createSubscribers, failed: m.sockets - clients.length, firstError, ms, offsetMs: clock.offsetMs, rttMs: clock.rttMs });
}

/** NTP-style: the sample with the shortest round trip gives the offset, within ± half of it. */
async function syncClock(): Promise<{ offsetMs: number; rttMs: number }> {
  let best = { offsetMs: 0, rttMs: Number.POSITIVE_INFINITY };
  for (let i = 0; i < CLOCK_SAMPLES; i++) {
    const t0 = wallNow();
    const tp = await new Promise<number>((resolve) => {
      clockWaiters.set(t0, resolve);
      send({ type: 'clock', t0 });
    });
    const t1 = wallNow();
    if (t1 - t0 < best.rttMs) best = { offsetMs: tp - (t0 + t1) / 2, rttMs: t1 - t0 };
  }
  return best;
}

function startPhase(): void {
  histogram = newHistogram();
  deliveries = 0;
  firstArrival = 0;
  lastArrival = 0;
  droppingNotices = 0;
  droppedReported = 0;
  clamped = 0;
  closedAtPhaseStart = closedTotal;
  const open = clients.filter((c) => c.ws.readyState === WebSocket.OPEN);
  openAtPhaseStart = open.length;
  createOpenAtPhaseStart = open.filter((c) => c.withCreate).length;
  phaseStart = wallNow();
  lastActivity = phaseStart;
  cpuAtPhaseStart = process.cpuUsage();
  send({ type: 'phase-ready' });
}

async function collect(m: Extract<ToClient, { type: 'collect' }>): Promise<void> {
  const started = wallNow();
  const expected = m.events * openAtPhaseStart + m.createEvents * createOpenAtPhaseStart;
  for (;;) {
    const now = wallNow();
    if (deliveries >= expected || now - lastActivity >= m.quietMs || now - started >= m.maxWaitMs) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const cpu = process.cpuUsage(cpuAtPhaseStart);
  const us = (p: number): number => (deliveries === 0 ? 0 : histogram.percentile(p) / 1000);
  const stats: ClientPhaseStats = {
    expected,
    openSockets: openAtPhaseStart,
    deliveries,
    latency: {
      count: deliveries,
      min: deliveries === 0 ? 0 : histogram.min / 1000,
      mean: deliveries === 0 ? 0 : histogram.mean / 1000,
      p50: us(50),
      p90: us(90),
      p99: us(99),
      p999: us(99.9),
      max: deliveries === 0 ? 0 : histogram.max / 1000,
    },
    firstArrival,
    lastArrival,
    droppingNotices,
    droppedReported,
    socketsClosed: closedTotal - closedAtPhaseStart,
    clamped,
    frameBytes,
    cpuMs: (cpu.user + cpu.system) / 1000,
    busyMs: lastArrival === 0 ? 0 : lastArrival - phaseStart,
  };
  send({ type: 'stats', stats });
}

function stop(): void {
  for (const c of clients) c.ws.terminate();
  process.exit(0);
}

process.on('message', (message: unknown) => {
  if (!isTyped<ToClient>(message)) return;
  switch (message.type) {
    case 'connect':
      connect(message).catch((error: unknown) => {
        process.stderr.write(`ws clients: ${String(error)}\n`);
        process.exit(1);
      });
      return;
    case 'clock-reply':
      clockWaiters.get(message.t0)?.(message.tp);
      clockWaiters.delete(message.t0);
      return;
    case 'phase':
      return startPhase();
    case 'collect':
      void collect(message);
      return;
    case 'stop':
      return stop();
  }
});
// The benchmark going away (normally or not) ends this process too.
process.on('disconnect', stop);
