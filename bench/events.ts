// npm run bench:events — issue 5's two latency targets (p99 ≤ 20 ms each):
//   1. call-event delivery latency to 1,000 subscribed WebSocket clients (in a child process) at
//      fixed event rates, published on the app's bus;
//   2. `GET /v2/accounts/{A}/channels` and the user-level listing with 2,000 live legs, under
//      autocannon (in a child process) at fixed concurrency.
// Prints Markdown for docs/benchmarks.md (section "Events and channels"); progress goes to stderr.
// Knobs (env): BENCH_QUICK=1, BENCH_PARTS, BENCH_SOCKETS, BENCH_CREATE_SHARE, BENCH_EVENT_RATES,
// BENCH_EVENT_SECONDS, BENCH_LEGS, BENCH_USERS, BENCH_DEVICES_PER_USER, BENCH_CONNECTIONS,
// BENCH_HTTP_SECONDS, BENCH_CHURN, BENCH_QUIET_WAIT_SECONDS, BENCH_QUIET_CORES, BENCH_ATTEMPTS, BENCH_BUDGET_SECONDS, BENCH_EVENT_FLOOR
// (see docs/benchmarks.md).
import { loadavg } from 'node:os';
import { backends } from '../test/support/backends.ts';
import { startHarness } from '../test/support/api-harness.ts';
import { measureChannelListing, type ListingResult } from './events/channel-listing.ts';
import { killAllChildren } from './support/children.ts';
import { measureEventDelivery, type EventBenchResult } from './events/event-delivery.ts';
import { machineInfo, waitForQuiet } from './events/machine.ts';
import { formatEvents, formatListing, formatMachine } from './events/report.ts';
import { envNumber, envNumbers } from './support/env.ts';

const env = process.env;
const quick = env['BENCH_QUICK'] === '1';
const num = (name: string, fallback: number): number => envNumber(name, fallback, env);
const list = (name: string, fallback: readonly number[]): number[] => envNumbers(name, fallback, env);

const settings = {
  parts: (env['BENCH_PARTS'] ?? 'events,channels').split(',').map((s) => s.trim()),
  sockets: Math.round(num('BENCH_SOCKETS', 1000)),
  createShare: Math.min(1, num('BENCH_CREATE_SHARE', 0.25)),
  rates: list('BENCH_EVENT_RATES', quick ? [100, 500] : [50, 100, 500, 1000]),
  eventSeconds: num('BENCH_EVENT_SECONDS', quick ? 2 : 5),
  legs: Math.round(num('BENCH_LEGS', 2000)),
  users: Math.max(1, Math.round(num('BENCH_USERS', quick ? 10 : 50))),
  devicesPerUser: Math.max(1, Math.round(num('BENCH_DEVICES_PER_USER', 2))),
  connections: list('BENCH_CONNECTIONS', quick ? [10] : [1, 10]),
  httpSeconds: num('BENCH_HTTP_SECONDS', quick ? 3 : 10),
  churnPerSecond: num('BENCH_CHURN', 200),
  quietWaitSeconds: num('BENCH_QUIET_WAIT_SECONDS', quick ? 0 : 60),
  quietCores: num('BENCH_QUIET_CORES', 0.3),
  attempts: Math.max(1, Math.round(num('BENCH_ATTEMPTS', quick ? 1 : 3))),
  budgetSeconds: num('BENCH_BUDGET_SECONDS', quick ? 240 : 1800),
};

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

// Whatever happens, the benchmark ends by itself and takes its children with it.
const watchdog = setTimeout(() => {
  log(`bench:events: budget of ${settings.budgetSeconds} s exceeded, stopping`);
  killAllChildren();
  process.exit(2);
}, settings.budgetSeconds * 1000);
watchdog.unref();

const machine = machineInfo();
/** Each measurement starts once other processes use at most `quietCores` (or after the wait bound). */
const quiet = async (): Promise<void> => {
  if (settings.quietWaitSeconds > 0) await waitForQuiet(settings.quietWaitSeconds * 1000, settings.quietCores, log);
};
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
const backend = backends()[0]?.();
if (backend === undefined) throw new Error('no document backend');
const h = await startHarness(backend);
let events: EventBenchResult | undefined;
let listing: ListingResult | undefined;
const loadBefore = load();
try {
  if (settings.parts.includes('events')) {
    const a = await h.account('BenchEvents');
    events = await measureEventDelivery(
      h.app,
      a,
      { sockets: settings.sockets, createShare: settings.createShare, rates: settings.rates, seconds: settings.eventSeconds, warmupSeconds: quick ? 1 : 2, connectTimeoutMs: 60_000, quietMs: 1500, drainMs: 15_000, beforePhase: quiet, attempts: settings.attempts, quietCores: settings.quietCores, floor: process.env['BENCH_EVENT_FLOOR'] === '1' },
      log,
    );
  }
  if (settings.parts.includes('channels')) {
    const a = await h.account('BenchChannels');
    listing = await measureChannelListing(
      h,
      a,
      { legs: settings.legs, users: settings.users, devicesPerUser: settings.devicesPerUser, connections: settings.connections, seconds: settings.httpSeconds, warmupSeconds: quick ? 1 : 2, beforeRun: quiet, attempts: settings.attempts, quietCores: settings.quietCores, churnPerSecond: settings.churnPerSecond },
      log,
    );
  }
} finally {
  await h.close();
  await backend.cleanup();
  killAllChildren();
}

const out: string[] = [
  '',
  `Command: \`${quick ? 'BENCH_QUICK=1 ' : ''}npm run bench:events\`. ${formatMachine(machine)} Load average before ${loadBefore}, after ${load()}.`,
];
if (events !== undefined) out.push('', '#### Event delivery', '', formatEvents(events, settings.eventSeconds));
if (listing !== undefined) out.push('', '#### Channel listings', '', formatListing(listing, settings.httpSeconds));
process.stdout.write(`${out.join('\n')}\n`);
clearTimeout(watchdog);
