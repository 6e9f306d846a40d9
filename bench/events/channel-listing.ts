// Part 2 of bench:events: `GET /v2/accounts/{A}/channels` and the user-level listing with many live
// legs in the channel directory. The legs are real Channel objects (each with a real MediaEndpoint,
// i.e. an RTP/RTCP socket pair from the app's media engine) put in the switch's directory without
// SIP; the load comes from autocannon in a child process (http-load-process.ts).
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Channel } from '../../src/calls/index.ts';
import { randomHex, silentLogger } from '../../src/lib/index.ts';
import type { Harness, TestAccount } from '../../test/support/api-harness.ts';
import { stopChild, track } from '../support/children.ts';
import type { HttpLoadResult, HttpLoadSpec } from './http-load-process.ts';
import { busyCores, machineCpu, type CpuSnapshot } from './machine.ts';
import { benchProfile } from './profiles.ts';

export interface ListingOptions {
  /** Live legs in the directory, all in the benchmark account. */
  readonly legs: number;
  readonly users: number;
  readonly devicesPerUser: number;
  /** autocannon concurrency, one run each. */
  readonly connections: readonly number[];
  readonly seconds: number;
  readonly warmupSeconds: number;
  /** Runs before each autocannon run (the benchmark waits there for a quiet machine). */
  readonly beforeRun?: () => Promise<void>;
  /** A run during which other processes used more than `quietCores` is repeated, up to `attempts` runs in all; the quietest is kept. */
  readonly attempts: number;
  readonly quietCores: number;
}

export interface ListingRow {
  readonly route: string;
  /** Channels in one response. */
  readonly rows: number;
  readonly connections: number;
  readonly load: HttpLoadResult;
  /** Server process CPU over the run, % of one core. */
  readonly serverCpuPct: number;
  /** autocannon's process, % of one core. */
  readonly loadCpuPct: number;
  /** Every other process on the machine, cores. */
  readonly othersCores: number;
}

export interface ListingResult {
  readonly legs: number;
  /** Time to build the legs (endpoints bound, channels answered and bridged in pairs), ms. */
  readonly buildMs: number;
  readonly rows: ListingRow[];
}

interface Seeded {
  readonly userId: string;
  /** Channels the user's listing returns. */
  readonly userLegs: number;
}

/** Users with devices (each device `owner_id` → its user), and the legs spread over the devices. */
async function seed(h: Harness, a: TestAccount, options: ListingOptions, run: string): Promise<{ channels: Channel[]; seeded: Seeded }> {
  const devices: { id: string; username: string; ownerId: string }[] = [];
  let firstUser = '';
  for (let u = 0; u < options.users; u++) {
    const user = await a.client.put(`/v2/accounts/${a.accountId}/users`, { first_name: `Bench${u}`, last_name: 'User', username: `bu${run}${u}`, password: 'pw-secret' });
    if (user.status !== 201) throw new Error(`user not created: ${user.text}`);
    const userId = String((user.body['data'] as Record<string, unknown>)['id']);
    if (u === 0) firstUser = userId;
    for (let d = 0; d < options.devicesPerUser; d++) {
      const username = `bd${run}${u}x${d}`;
      const device = await a.client.put(`/v2/accounts/${a.accountId}/devices`, { name: username, owner_id: userId, sip: { username, password: 'xsecret' } });
      if (device.status !== 201) throw new Error(`device not created: ${device.text}`);
      devices.push({ id: String((device.body['data'] as Record<string, unknown>)['id']), username, ownerId: userId });
    }
  }
  const engine = h.app.switch.engine;
  const directory = h.app.switch.channels;
  const channels: Channel[] = [];
  let userLegs = 0;
  for (let i = 0; i < options.legs; i++) {
    const device = devices[i % devices.length];
    if (device === undefined) throw new Error('no devices');
    if (device.ownerId === firstUser) userLegs++;
    const owner = { accountId: a.accountId, realm: a.realm, username: device.username, deviceId: device.id, ownerId: device.ownerId };
    const channel = new Channel(benchProfile(i, owner, run), await engine.createEndpoint(), h.app.clock, silentLogger);
    channels.push(channel);
    directory.add(channel);
  }
  // Calls as a switch holds them: legs answered and bridged in pairs.
  for (let i = 0; i + 1 < channels.length; i += 2) {
    const [x, y] = [channels[i], channels[i + 1]];
    if (x === undefined || y === undefined) continue;
    x.setToTag(`to${i}`);
    y.setToTag(`to${i + 1}`);
    x.transition('answered');
    y.transition('answered');
    x.bridgedTo(y, x.uuid);
    y.bridgedTo(x, x.uuid);
  }
  return { channels, seeded: { userId: firstUser, userLegs } };
}

interface Snapshot {
  readonly cpu: NodeJS.CpuUsage;
  readonly machine: CpuSnapshot;
}

/** Runs autocannon in a child; snapshots this process and the machine when its measured run starts. */
function load(spec: HttpLoadSpec): Promise<{ result: HttpLoadResult; start: Snapshot }> {
  const path = fileURLToPath(new URL('./http-load-process.ts', import.meta.url));
  const child = track(fork(path, [JSON.stringify(spec)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  const limitMs = (spec.seconds + spec.warmupSeconds) * 1000 + 30_000;
  return new Promise((resolve, reject) => {
    let start: Snapshot | undefined;
    const timer = setTimeout(() => {
      reject(new Error(`autocannon did not finish within ${limitMs} ms`));
      void stopChild(child, 'SIGTERM', 2000);
    }, limitMs);
    child.on('message', (message: unknown) => {
      const type = (message as { type?: unknown }).type;
      if (type === 'measuring') start = { cpu: process.cpuUsage(), machine: machineCpu() };
      if (type !== 'result' || start === undefined) return;
      clearTimeout(timer);
      resolve({ result: message as HttpLoadResult, start });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`autocannon process exited (${code ?? '?'}) without a result`));
    });
  });
}

/** One autocannon run against `path`, with the CPU used by this process, autocannon and the rest of the machine. */
async function measureOnce(base: string, token: string, route: string, path: string, rows: number, connections: number, options: ListingOptions): Promise<ListingRow> {
  await options.beforeRun?.();
  const { result, start } = await load({ url: `${base}${path}`, token, connections, seconds: options.seconds, warmupSeconds: options.warmupSeconds });
  const cpu = process.cpuUsage(start.cpu);
  const machine = busyCores(start.machine, machineCpu());
  const serverCores = (cpu.user + cpu.system) / 1000 / result.wallMs;
  const loadCores = result.cpuMs / result.wallMs;
  return {
    route,
    rows,
    connections,
    load: result,
    serverCpuPct: serverCores * 100,
    loadCpuPct: loadCores * 100,
    othersCores: Math.max(0, machine - serverCores - loadCores),
  };
}

/** Populates the directory, then loads the account and user listings at each concurrency. */
export async function measureChannelListing(h: Harness, a: TestAccount, options: ListingOptions, log: (line: string) => void): Promise<ListingResult> {
  const run = randomHex(3);
  const built = Date.now();
  log(`channels: creating ${options.users} users × ${options.devicesPerUser} devices and ${options.legs} live legs...`);
  const { channels, seeded } = await seed(h, a, options, run);
  const buildMs = Date.now() - built;
  log(`channels: ${channels.length} legs in the directory (${h.app.switch.engine.stats().endpoints} media endpoints) after ${buildMs} ms`);
  try {
    const routes = [
      { route: 'GET /v2/accounts/{A}/channels', path: `/v2/accounts/${a.accountId}/channels` },
      { route: 'GET /v2/accounts/{A}/users/{U}/channels', path: `/v2/accounts/${a.accountId}/users/${seeded.userId}/channels` },
    ];
    const rows: ListingRow[] = [];
    for (const r of routes) {
      const check = await a.client.get(r.path);
      const data = check.body['data'];
      if (check.status !== 200 || !Array.isArray(data)) throw new Error(`${r.route}: ${check.status} ${check.text.slice(0, 200)}`);
      const expected = r.path.includes('/users/') ? seeded.userLegs : channels.length;
      if (data.length !== expected) throw new Error(`${r.route}: ${data.length} channels, expected ${expected}`);
      for (const connections of options.connections) {
        log(`channels: ${r.route} (${data.length} channels, ${check.text.length} bytes) at ${connections} connection(s) for ${options.seconds} s...`);
        let row: ListingRow | undefined;
        for (let attempt = 1; attempt <= Math.max(1, options.attempts); attempt++) {
          if (attempt > 1) log(`channels: again (other processes used ${row?.othersCores.toFixed(2)} cores)`);
          const tried = await measureOnce(h.client.base, a.token, r.route, r.path, data.length, connections, options);
          if (row === undefined || tried.othersCores < row.othersCores) row = tried;
          if (row.othersCores <= options.quietCores) break;
        }
        if (row === undefined) throw new Error('no run');
        const result = row.load;
        log(
          `channels: → ${result.rps.toFixed(0)} req/s, p50 ${result.p50.toFixed(2)} p99 ${result.p99.toFixed(2)} max ${result.max.toFixed(2)} ms, errors ${result.errors + result.non2xx}, ` +
            `server CPU ${row.serverCpuPct.toFixed(0)}%, autocannon ${row.loadCpuPct.toFixed(0)}%, others ${row.othersCores.toFixed(2)} cores`,
        );
        rows.push(row);
      }
    }
    return { legs: channels.length, buildMs, rows };
  } finally {
    for (const channel of channels) {
      channel.hangup();
      h.app.switch.channels.remove(channel.uuid);
    }
  }
}
