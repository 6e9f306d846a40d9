// npm run bench:lookups — what the endpoint directory's cache saves per call setup. An in-memory
// PGlite store with BENCH_ACCOUNTS accounts of BENCH_DEVICES devices (each with a callflow number)
// answers "call setups": the lookups the switch makes for an authenticated INVITE to a device
// (realm → account, SIP username → device, number → callflow, callee device), cycling over every
// device. Each row runs BENCH_SECONDS with BENCH_CONCURRENCY setups in flight: the directory
// without a cache (every lookup a query), with a warm cache, and with a warm cache while devices
// are edited at BENCH_WRITES_PER_SECOND (each write invalidates that account's device lookups).
// Prints Markdown for docs/benchmarks.md; progress on stderr. BENCH_QUICK=1 for a short run.
import { cpus, loadavg } from 'node:os';
import { AccountService, DocumentService, EndpointDirectory, callflowKind, deviceKind } from '../src/documents/index.ts';
import { SystemClock, silentLogger } from '../src/lib/index.ts';
import { openStore, type StoredDoc } from '../src/store/index.ts';
import { envNumber } from './support/env.ts';

const env = process.env;
const quick = env['BENCH_QUICK'] === '1';
const num = (name: string, fallback: number): number => envNumber(name, fallback, env);

const settings = {
  accounts: Math.max(1, Math.round(num('BENCH_ACCOUNTS', quick ? 5 : 20))),
  devices: Math.max(2, Math.round(num('BENCH_DEVICES', quick ? 20 : 50))),
  seconds: num('BENCH_SECONDS', quick ? 2 : 5),
  concurrency: Math.max(1, Math.round(num('BENCH_CONCURRENCY', 8))),
  writesPerSecond: num('BENCH_WRITES_PER_SECOND', 20),
};
const LOOKUPS_PER_SETUP = 4;

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

interface Phone {
  readonly account: StoredDoc;
  readonly realm: string;
  readonly username: string;
  readonly number: string;
  readonly deviceId: string;
}

interface Row {
  readonly mode: string;
  readonly setups: number;
  readonly seconds: number;
  readonly cpuMs: number;
  readonly hitRate: number | undefined;
  readonly writes: number;
}

const clock = new SystemClock();
const store = await openStore({ dataDir: 'memory://', clock, logger: silentLogger });
const docs = new DocumentService(store);
const accounts = new AccountService(docs);

log(`bench:lookups: provisioning ${settings.accounts} accounts × ${settings.devices} devices`);
const phones: Phone[] = [];
for (let a = 0; a < settings.accounts; a++) {
  const realm = `bench${a}.example.test`;
  const account = await accounts.create({ name: `Bench ${a}`, realm }, undefined);
  for (let d = 0; d < settings.devices; d++) {
    const username = `u${a}x${d}`;
    const device = await docs.create(deviceKind, account, { name: username, sip: { username, password: 'bench-secret' } });
    const number = String(1000 + d);
    await docs.create(callflowKind, account, { numbers: [number], flow: { module: 'device', data: { id: device._id } } });
    phones.push({ account, realm, username, number, deviceId: device._id });
  }
}

/** One call setup's lookups: caller's realm and device, the dialled number, the callee device. */
async function setup(directory: EndpointDirectory, caller: Phone, callee: Phone): Promise<void> {
  const account = await directory.accountByRealm(caller.realm);
  if (account === undefined) throw new Error(`realm ${caller.realm} not found`);
  const device = await directory.deviceByUsername(account, caller.username);
  if (device === undefined) throw new Error(`device ${caller.username} not found`);
  const route = await directory.callflowFor(account._id, callee.number);
  if (route === undefined) throw new Error(`number ${callee.number} not routed`);
  if ((await directory.device(account._id, callee.deviceId)) === undefined) throw new Error('callee not found');
}

/** A device edit of a random phone every 1/rate s, until `until`. */
async function writer(rate: number, until: number): Promise<number> {
  if (rate <= 0) return 0;
  let writes = 0;
  const interval = 1000 / rate;
  let next = Date.now();
  while (Date.now() < until) {
    const phone = phones[Math.floor(Math.random() * phones.length)];
    if (phone !== undefined) {
      await docs.patch(deviceKind, phone.account, phone.deviceId, { name: `${phone.username} ${writes}` });
      writes++;
    }
    next += interval;
    const wait = next - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  return writes;
}

async function run(mode: string, directory: EndpointDirectory, writesPerSecond: number): Promise<Row> {
  let i = 0;
  const nextPair = (): [Phone, Phone] => {
    const at = i++ % phones.length;
    // The callee is the next phone of the caller's account.
    const first = at - (at % settings.devices);
    const caller = phones[at];
    const callee = phones[first + ((at + 1) % settings.devices)];
    if (caller === undefined || callee === undefined) throw new Error('no phones');
    return [caller, callee];
  };
  // Warm-up: one pass over every phone (fills the cache when there is one).
  for (let k = 0; k < phones.length; k++) await setup(directory, ...nextPair());
  const stats0 = directory.cacheStats;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const until = Date.now() + settings.seconds * 1000;
  let setups = 0;
  const worker = async (): Promise<void> => {
    while (Date.now() < until) {
      await setup(directory, ...nextPair());
      setups++;
      // Cache hits settle in microtasks: yield now and then so timers and the writer's queries run,
      // as they would between the packets of a real switch.
      if (setups % 64 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  };
  const [writes] = await Promise.all([writer(writesPerSecond, until), ...Array.from({ length: settings.concurrency }, worker)]);
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const stats = directory.cacheStats;
  const hits = stats.hits - stats0.hits;
  const misses = stats.misses - stats0.misses;
  directory.close();
  const row: Row = {
    mode,
    setups,
    seconds,
    cpuMs: (cpu.user + cpu.system) / 1000,
    hitRate: hits + misses === 0 ? undefined : hits / (hits + misses),
    writes: writes ?? 0,
  };
  log(`  ${mode}: ${Math.round(setups / seconds)} setups/s`);
  return row;
}

const rows: Row[] = [];
const loadBefore = loadavg().map((l) => l.toFixed(2)).join(' ');
log('bench:lookups: measuring');
rows.push(await run('no cache (every lookup a query)', new EndpointDirectory(store), 0));
rows.push(await run('cache, warm', new EndpointDirectory(store, { cache: { clock } }), 0));
rows.push(
  await run(
    `cache, ${settings.writesPerSecond} device edits/s`,
    new EndpointDirectory(store, { cache: { clock } }),
    settings.writesPerSecond,
  ),
);
const loadAfter = loadavg().map((l) => l.toFixed(2)).join(' ');
await store.close();

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const base = rows[0];
const lines = [
  `PGlite in memory, ${settings.accounts} accounts × ${settings.devices} devices (and as many callflow numbers), ` +
    `${settings.concurrency} setups in flight, ${settings.seconds} s per row; ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ` +
    `Node ${process.versions.node}; load average ${loadBefore} → ${loadAfter}.`,
  '',
  '| directory | call setups/s | lookups/s | CPU µs per setup | cache hit rate | speed-up |',
  '|---|---:|---:|---:|---:|---:|',
  ...rows.map((r) => {
    const rate = r.setups / r.seconds;
    const speedup = base === undefined ? 1 : rate / (base.setups / base.seconds);
    const hit = r.hitRate === undefined ? '—' : `${(r.hitRate * 100).toFixed(1)} %`;
    const mode = r.writes > 0 ? `${r.mode} (${fmt(r.writes)} edits)` : r.mode;
    return `| ${mode} | ${fmt(rate)} | ${fmt(rate * LOOKUPS_PER_SETUP)} | ${fmt((r.cpuMs * 1000) / Math.max(1, r.setups))} | ${hit} | ${speedup.toFixed(1)}× |`;
  }),
];
process.stdout.write(`${lines.join('\n')}\n`);
