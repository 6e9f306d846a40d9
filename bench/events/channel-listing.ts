// Part 2 of bench:events: `GET /v2/accounts/{A}/channels` and the user-level listing with many live
// legs in the channel directory. The legs are real Channel objects (each with a real MediaEndpoint,
// i.e. an RTP/RTCP socket pair from the app's media engine) put in the switch's directory without
// SIP; the load comes from autocannon in a child process (http-load-process.ts).
import { fork } from 'node:child_process';
import { createServer, type Server } from 'node:http';
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
  /** Leg changes per second during an extra account-listing run at each concurrency (0: no such run). */
  readonly churnPerSecond: number;
}

export interface ListingRow {
  readonly route: string;
  /** Channels in one response (0 for the floor row, which sends no channels). */
  readonly rows: number;
  /** Leg changes per second made while the run was measured (a churn row), achieved rate. */
  readonly churnPerSecond?: number;
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
  /** Leg changes made so far by the churn, if any. */
  readonly changes: number;
}

/** Leg changes made on the switch's loop while a run lasts. */
interface Churn {
  readonly changes: number;
  stop(): void;
}

/**
 * Changes `perSecond` legs a second, round robin: each change puts a leg on hold or takes it off
 * (`Channel.setOnHold`, what a phone's re-INVITE does), so the next listing serialises that leg
 * again. Runs in 10 ms ticks on the server's event loop and catches up after a stall, as SIP
 * traffic would.
 */
function startChurn(channels: readonly Channel[], perSecond: number): Churn {
  const started = performance.now();
  let changes = 0;
  let next = 0;
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - started) * perSecond) / 1000);
    for (; changes < due; changes++) {
      const channel = channels[next++ % channels.length];
      channel?.setOnHold(!channel.onHold);
    }
  }, 10);
  return {
    get changes() {
      return changes;
    },
    stop: () => clearInterval(timer),
  };
}

/** Runs autocannon in a child; snapshots this process and the machine when its measured run starts. */
function load(spec: HttpLoadSpec, churn?: Churn): Promise<{ result: HttpLoadResult; start: Snapshot }> {
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
      if (type === 'measuring') start = { cpu: process.cpuUsage(), machine: machineCpu(), changes: churn?.changes ?? 0 };
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
async function measureOnce(base: string, token: string, route: string, path: string, rows: number, connections: number, options: ListingOptions, churnOf?: readonly Channel[]): Promise<ListingRow> {
  await options.beforeRun?.();
  const churn = churnOf === undefined ? undefined : startChurn(churnOf, options.churnPerSecond);
  let measured: Awaited<ReturnType<typeof load>>;
  try {
    measured = await load({ url: `${base}${path}`, token, connections, seconds: options.seconds, warmupSeconds: options.warmupSeconds }, churn);
  } finally {
    churn?.stop();
  }
  const { result, start } = measured;
  const cpu = process.cpuUsage(start.cpu);
  const machine = busyCores(start.machine, machineCpu());
  const serverCores = (cpu.user + cpu.system) / 1000 / result.wallMs;
  const loadCores = result.cpuMs / result.wallMs;
  return {
    route,
    rows,
    ...(churn !== undefined ? { churnPerSecond: ((churn.changes - start.changes) * 1000) / result.wallMs } : {}),
    connections,
    load: result,
    serverCpuPct: serverCores * 100,
    loadCpuPct: loadCores * 100,
    othersCores: Math.max(0, machine - serverCores - loadCores),
  };
}

/**
 * The floor of a row: a bare `node:http` server on this process answering every request with the
 * same number of bytes from one prepared buffer, so the load generator's own cost shows.
 */
async function startFloor(bytes: number): Promise<{ server: Server; base: string }> {
  const body = Buffer.alloc(bytes, 0x20);
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('floor server has no port');
  return { server, base: `http://127.0.0.1:${address.port}` };
}

/** Populates the directory, then loads the account and user listings at each concurrency. */
export async function measureChannelListing(h: Harness, a: TestAccount, options: ListingOptions, log: (line: string) => void): Promise<ListingResult> {
  const run = randomHex(3);
  const built = Date.now();
  log(`channels: creating ${options.users} users × ${options.devicesPerUser} devices and ${options.legs} live legs...`);
  const { channels, seeded } = await seed(h, a, options, run);
  const buildMs = Date.now() - built;
  log(`channels: ${channels.length} legs in the directory (${h.app.switch.engine.stats().endpoints} media endpoints) after ${buildMs} ms`);
  let floor: Awaited<ReturnType<typeof startFloor>> | undefined;
  try {
    const account = `/v2/accounts/${a.accountId}/channels`;
    const accountBytes = Buffer.byteLength((await a.client.get(account)).text);
    floor = await startFloor(accountBytes);
    const routes = [
      { route: 'GET /v2/accounts/{A}/channels', path: account, churn: false, floor: false },
      ...(options.churnPerSecond > 0 ? [{ route: 'GET /v2/accounts/{A}/channels', path: account, churn: true, floor: false }] : []),
      { route: 'floor: bare node:http, a static body of that size', path: account, churn: false, floor: true },
      { route: 'GET /v2/accounts/{A}/users/{U}/channels', path: `/v2/accounts/${a.accountId}/users/${seeded.userId}/channels`, churn: false, floor: false },
    ];
    const rows: ListingRow[] = [];
    for (const r of routes) {
      const check = await a.client.get(r.path);
      const data = check.body['data'];
      if (check.status !== 200 || !Array.isArray(data)) throw new Error(`${r.route}: ${check.status} ${check.text.slice(0, 200)}`);
      const expected = r.path.includes('/users/') ? seeded.userLegs : channels.length;
      if (data.length !== expected) throw new Error(`${r.route}: ${data.length} channels, expected ${expected}`);
      const [base, path] = r.floor ? [floor.base, '/'] : [h.client.base, r.path];
      for (const connections of options.connections) {
        const churning = r.churn ? ` with ${options.churnPerSecond} leg changes/s` : '';
        log(`channels: ${r.route}${churning} (${data.length} channels, ${check.text.length} bytes) at ${connections} connection(s) for ${options.seconds} s...`);
        let row: ListingRow | undefined;
        for (let attempt = 1; attempt <= Math.max(1, options.attempts); attempt++) {
          if (attempt > 1) log(`channels: again (other processes used ${row?.othersCores.toFixed(2)} cores)`);
          const tried = await measureOnce(base, a.token, r.route, path, r.floor ? 0 : data.length, connections, options, r.churn ? channels : undefined);
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
    floor?.server.close();
    for (const channel of channels) {
      channel.hangup();
      h.app.switch.channels.remove(channel.uuid);
    }
  }
}
