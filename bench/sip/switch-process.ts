// The switch under test, in its own Node process: `switchboard create-account` on a fresh data
// directory, then `switchboard start` with the benchmark's ports, measured through /proc.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, portIsBound } from '../../test/support/sipp-ports.ts';
import { removeDir, sleep, stopChild, track, trackDir } from '../support/children.ts';
import { cpuTime, openFds, rssKb, threadCount } from './proc-stats.ts';
import { BENCH_ACCOUNT } from './provision.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'bin/switchboard.js');

/** A running switch process. */
export interface SwitchProcess {
  readonly pid: number;
  readonly httpPort: number;
  readonly sipPort: number;
  readonly rtpPorts: { readonly min: number; readonly max: number };
  /** Set when the process has exited (it should not before `stop`). */
  readonly exitStatus: string | undefined;
  cpu(): { user: number; system: number; total: number };
  rssKb(): number;
  fds(): number;
  threads(): number;
  /** The last lines it wrote to stdout/stderr. */
  logTail(lines?: number): string;
  /** SIGTERM (the switch hangs up its calls and closes), SIGKILL after 10 s; removes the data dir. */
  stop(): Promise<void>;
}

export interface SwitchOptions {
  readonly rtpPorts: { readonly min: number; readonly max: number };
  readonly logLevel: string;
  /** Extra Node flags for the switch process (e.g. --cpu-prof). */
  readonly nodeArgs?: readonly string[];
}

/** Creates the benchmark account in a new data directory and starts the switch on free ports. */
export async function startSwitchProcess(options: SwitchOptions): Promise<SwitchProcess> {
  const dataDir = trackDir(mkdtempSync(join(tmpdir(), 'bench-sip-data-')));
  const [httpPort, wsPort] = [await freePort('127.0.0.1', 'tcp'), await freePort('127.0.0.1', 'tcp')];
  const sipPort = await freePort('127.0.0.1', 'udp', true);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SWITCHBOARD_DATA_DIR: dataDir,
    SWITCHBOARD_BIND: '127.0.0.1',
    SWITCHBOARD_HTTP_PORT: String(httpPort),
    SWITCHBOARD_WS_PORT: String(wsPort),
    SWITCHBOARD_SIP_PORT: String(sipPort),
    SWITCHBOARD_RTP_PORTS: `${options.rtpPorts.min}-${options.rtpPorts.max}`,
    SWITCHBOARD_LOG_LEVEL: options.logLevel,
  };
  const created = spawnSync(
    process.execPath,
    [CLI, 'create-account', '--name', BENCH_ACCOUNT.name, '--realm', BENCH_ACCOUNT.realm, '--username', BENCH_ACCOUNT.username, '--password', BENCH_ACCOUNT.password],
    { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 },
  );
  if (created.status !== 0) {
    removeDir(dataDir);
    throw new Error(`switchboard create-account failed (${created.status}): ${created.stderr}${created.stdout}`);
  }

  const logPath = join(dataDir, 'switch.log');
  const log = createWriteStream(logPath);
  const child: ChildProcess = track(spawn(process.execPath, [...(options.nodeArgs ?? []), CLI, 'start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] }));
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  let exitStatus: string | undefined;
  child.once('exit', (code, signal) => {
    exitStatus = signal !== null ? `killed by ${signal}` : `exit code ${code}`;
  });
  const pid = child.pid;
  const logTail = (lines = 30): string => {
    try {
      return readFileSync(logPath, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  };
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      await stopChild(child, 'SIGTERM', 10_000);
      log.end();
      removeDir(dataDir);
    })());

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exitStatus !== undefined || pid === undefined) {
      await stop();
      throw new Error(`the switch stopped while starting (${exitStatus}):\n${logTail()}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the switch did not start within 60 s:\n${logTail()}`);
    }
    if (portIsBound('127.0.0.1', sipPort, 'udp') && (await httpUp(httpPort))) break;
    await sleep(200);
  }
  return {
    pid,
    httpPort,
    sipPort,
    rtpPorts: options.rtpPorts,
    get exitStatus() {
      return exitStatus;
    },
    cpu: () => cpuTime(pid),
    rssKb: () => rssKb(pid),
    fds: () => openFds(pid),
    threads: () => threadCount(pid),
    logTail,
    stop,
  };
}

async function httpUp(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/v2/accounts`, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}
