// Runs SIPp 3.6 scenarios from test/sipp as an independent SIP peer for end-to-end tests.
// Each run gets a temp working directory holding a copy of the scenario and a
// `pcap -> /usr/share/sip-tester` link (scenarios play `pcap/<file>`), fresh ports, SIPp's
// -timeout/-timeout_error so it cannot hang, and a hard kill shortly after that as a backstop.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { RtpCounter, type RtpCounts } from './rtp-counter.ts';
import { keyArgs, readScenarioKeys, resolveScenarioKeys, scenarioPath } from './sipp-scenario.ts';
import { freeMediaBase, freePort, portIsBound } from './sipp-ports.ts';

/** Where Debian's sip-tester package puts g711a.pcap and dtmf_2833_*.pcap. */
export const SIPP_PCAP_DIR = '/usr/share/sip-tester';
/** Our scenarios advertise RTP at -mp + 4: SIPp binds -mp and -mp+2 itself (its echo sockets). */
export const RTP_PORT_OFFSET = 4;

export type SippTransport = 'udp' | 'tcp';

export interface SippOptions {
  /** A file name in test/sipp, or an absolute path. */
  readonly scenario: string;
  /** host:port SIPp sends to (the switch). Needed by scenarios that start with a request. */
  readonly remote?: string;
  /** Local IP for SIP and media (-i, -mi); default 127.0.0.1. */
  readonly localIp?: string;
  /** SIP port (-p); default a free one. Reuse a register run's port to receive its calls. */
  readonly localPort?: number;
  readonly transport?: SippTransport;
  /** Calls to run before exiting (-m); default 1. */
  readonly calls?: number;
  /** Calls per second (-r); default 10. */
  readonly rate?: number;
  /** SIPp gives up and fails after this many seconds (-timeout Ns -timeout_error). */
  readonly timeoutSec: number;
  /** Scenario keys (see the @key comments of each scenario); passed as -key name value. */
  readonly vars?: Readonly<Record<string, string | number>>;
  /**
   * Digest credentials (-au, -ap) and the digest uri (-auth_uri, without "sip:"), which should be the
   * Request-URI: SIPp's default is sip:<remote ip>:<remote port>.
   */
  readonly auth?: { readonly username?: string; readonly password?: string; readonly uri?: string };
  /** Rows for -inf (SEQUENTIAL); the scenario reads them as [field0], [field1]... */
  readonly injectionCsv?: readonly (readonly string[])[];
  /** SIPp's -mp; the SDP then says mediaPort + RTP_PORT_OFFSET. Default: a free block. */
  readonly mediaPort?: number;
  /** Listen with an RtpCounter where the SDP points and report its counts. */
  readonly countRtp?: boolean;
  /** Write SIP messages to the result (-trace_msg); default true. */
  readonly traceMessages?: boolean;
  readonly extraArgs?: readonly string[];
  /** Working directory to use (kept); default a temp directory removed after the run. */
  readonly cwd?: string;
  /** Keep the temp working directory (its path is in the result). */
  readonly keepFiles?: boolean;
}

export interface SippResult {
  readonly scenario: string;
  /**
   * SIPp's exit status: 0 all calls ok, 1 some failed (or the scenario did not load), 97 stopped,
   * 99 no call, 255 fatal or -timeout reached, 254 bind error; -1 killed or not started.
   */
  readonly exitCode: number;
  readonly signal: NodeJS.Signals | null;
  readonly successful: number;
  readonly failed: number;
  /** The cumulative statistics of -trace_stat (last row), e.g. stats['FailedUnexpectedMessage(C)']. */
  readonly stats: Readonly<Record<string, string>>;
  /** What reached the advertised RTP port (with `countRtp`). SIPp 3.6.1 reports no sent count at exit. */
  readonly rtp?: RtpCounts;
  /** -trace_err file plus SIPp's stderr. */
  readonly errors: string;
  /** -trace_msg file, when traced. */
  readonly messages?: string;
  /** Lines written by the scenario's <log> actions. */
  readonly logs: string;
  /** Final screens (-trace_screen). */
  readonly screen: string;
  readonly stdout: string;
  readonly args: readonly string[];
  readonly dir: string;
  readonly localPort: number;
  readonly mediaPort: number;
  readonly rtpPort: number;
}

/** A SIPp process that has bound its SIP port (or already ended). */
export interface RunningSipp {
  readonly pid: number | undefined;
  readonly localIp: string;
  readonly localPort: number;
  readonly mediaPort: number;
  /** Where the scenario's SDP points: mediaPort + RTP_PORT_OFFSET. */
  readonly rtpPort: number;
  /** The live counter, with `countRtp`. */
  readonly rtp: RtpCounter | undefined;
  /** Settles when SIPp exits; never rejects. */
  readonly done: Promise<SippResult>;
  readonly exited: boolean;
  /** Asks SIPp to finish (SIGUSR1), kills it after `graceMs`, and returns its result. */
  stop(graceMs?: number): Promise<SippResult>;
}

let version: string | null | undefined;

/** SIPp's version banner, or undefined when the binary is missing. */
export function sippVersion(): string | undefined {
  if (version === undefined) {
    const probe = spawnSync('sipp', ['-v'], { encoding: 'utf8' });
    version = probe.error === undefined ? (/SIPp v\S+/.exec(probe.stdout ?? '')?.[0] ?? null) : null;
  }
  return version ?? undefined;
}

/**
 * Why SIPp cannot run here at all (binary or pcaps missing), or undefined. Suites guard with
 * `sippSkip()` (sipp-skip.ts), which fails instead of skipping where SIPp is required (CI).
 */
export function sippSkipReason(): string | undefined {
  if (sippVersion() === undefined) return 'sipp is not installed (apt-get install sip-tester)';
  if (!existsSync(join(SIPP_PCAP_DIR, 'g711a.pcap'))) return `SIPp pcaps missing in ${SIPP_PCAP_DIR}`;
  return undefined;
}

/**
 * SIPp 3.6.1 plays pcaps through a raw socket: it needs root or CAP_NET_RAW, otherwise
 * play_pcap_audio is a fatal error ("Can't create raw IPv4 socket").
 */
export function sippCanPlayPcap(): boolean {
  if (process.getuid?.() === 0) return true;
  const caps = spawnSync('sh', ['-c', 'getcap "$(command -v sipp)"'], { encoding: 'utf8' });
  return /cap_net_raw/.test(caps.stdout ?? '');
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;
let runSeq = 0;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

/** Stops every SIPp this process started that is still running (for an `after` hook). */
export async function stopAllSipp(): Promise<void> {
  await Promise.all(
    [...live].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('close', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}

/** Runs a scenario to its end (client scenarios: give `remote`). */
export async function runSipp(opts: SippOptions): Promise<SippResult> {
  const running = await startSipp(opts);
  return running.done;
}

/** Starts SIPp and resolves once its SIP port is bound, e.g. a UAS waiting for the switch's INVITE. */
export async function startSipp(opts: SippOptions): Promise<RunningSipp> {
  const file = scenarioPath(opts.scenario);
  const name = basename(file);
  const keys = resolveScenarioKeys(readScenarioKeys(file), opts.vars ?? {}, name);
  const host = opts.localIp ?? '127.0.0.1';
  const transport = opts.transport ?? 'udp';
  const localPort = opts.localPort ?? (await freePort(host, transport));
  const { mediaPort, counter } = await mediaSetup(host, opts);
  const rtpPort = mediaPort + RTP_PORT_OFFSET;

  const dir = opts.cwd ?? mkdtempSync(join(tmpdir(), 'sipp-'));
  mkdirSync(dir, { recursive: true });
  copyFileSync(file, join(dir, name));
  if (!existsSync(join(dir, 'pcap'))) symlinkSync(SIPP_PCAP_DIR, join(dir, 'pcap'));
  runSeq += 1;
  const tag = `${name.replace(/\.xml$/, '')}-${process.pid}-${runSeq}`;
  const files = {
    stat: join(dir, `${tag}-stat.csv`),
    err: join(dir, `${tag}-errors.log`),
    msg: join(dir, `${tag}-messages.log`),
    logs: join(dir, `${tag}-logs.log`),
    screen: join(dir, `${tag}-screen.log`),
    csv: join(dir, `${tag}-inject.csv`),
  };

  const args: string[] = [];
  if (opts.remote !== undefined) args.push(opts.remote);
  args.push('-sf', name, '-i', host, '-p', String(localPort), '-mi', host, '-mp', String(mediaPort));
  args.push('-t', transport === 'tcp' ? 't1' : 'u1', '-m', String(opts.calls ?? 1), '-r', String(opts.rate ?? 10));
  args.push('-timeout', `${opts.timeoutSec}s`, '-timeout_error', '-nostdin');
  args.push('-trace_stat', '-stf', files.stat, '-trace_err', '-error_file', files.err);
  args.push('-trace_logs', '-log_file', files.logs, '-trace_screen', '-screen_file', files.screen);
  if (opts.traceMessages ?? true) args.push('-trace_msg', '-message_file', files.msg);
  args.push(...keyArgs(keys));
  if (opts.auth?.username !== undefined) args.push('-au', opts.auth.username);
  if (opts.auth?.password !== undefined) args.push('-ap', opts.auth.password);
  if (opts.auth?.uri !== undefined) args.push('-auth_uri', opts.auth.uri);
  if (opts.injectionCsv !== undefined) {
    writeFileSync(files.csv, ['SEQUENTIAL', ...opts.injectionCsv.map((row) => row.join(';'))].join('\n') + '\n');
    args.push('-inf', files.csv);
  }
  args.push(...(opts.extraArgs ?? []));

  installExitHook();
  const child = spawn('sipp', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  const stdout = tail(child.stdout);
  const stderr = tail(child.stderr);
  const killer = setTimeout(() => child.kill('SIGKILL'), (opts.timeoutSec + 10) * 1000);
  let exited = false;

  const done = new Promise<SippResult>((resolve) => {
    let spawnError: Error | undefined;
    const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (exited) return;
      exited = true;
      clearTimeout(killer);
      live.delete(child);
      const stats = parseStatCsv(readText(files.stat));
      const result: SippResult = {
        scenario: name,
        exitCode: code ?? -1,
        signal,
        successful: Number(stats['SuccessfulCall(C)'] ?? 0),
        failed: Number(stats['FailedCall(C)'] ?? 0),
        stats,
        ...(counter !== undefined ? { rtp: counter.counts() } : {}),
        errors: [readText(files.err), stderr(), spawnError?.message ?? ''].filter((s) => s !== '').join('\n'),
        ...((opts.traceMessages ?? true) ? { messages: readText(files.msg) } : {}),
        logs: readText(files.logs),
        screen: readText(files.screen),
        stdout: stdout(),
        args,
        dir,
        localPort,
        mediaPort,
        rtpPort,
      };
      const cleanup = counter !== undefined ? counter.close() : Promise.resolve();
      void cleanup.then(() => {
        if (opts.cwd === undefined && opts.keepFiles !== true) rmSync(dir, { recursive: true, force: true });
        resolve(result);
      });
    };
    child.once('error', (err) => {
      spawnError = err;
      if (child.pid === undefined) finish(null, null);
    });
    child.once('close', (code, signal) => finish(code, signal));
  });

  const running: RunningSipp = {
    pid: child.pid,
    localIp: host,
    localPort,
    mediaPort,
    rtpPort,
    rtp: counter,
    done,
    get exited() {
      return exited;
    },
    async stop(graceMs = 2000) {
      if (!exited) {
        child.kill('SIGUSR1');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await done;
        clearTimeout(timer);
      }
      return done;
    },
  };

  const deadline = Date.now() + 5000;
  while (!exited && !portIsBound(host, localPort, transport)) {
    if (Date.now() > deadline) {
      const result = await running.stop(0);
      throw new Error(`SIPp (${name}) did not bind ${host}:${localPort}/${transport} within 5 s: ${explainSipp(result)}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return running;
}

/**
 * The injection-file field that carries per-call digest credentials: SIPp expands an
 * [authentication ...] keyword found in a field (used by register-csv.xml as [field1]).
 */
export function csvAuthentication(username: string, password: string): string {
  return `[authentication username=${username} password=${password}]`;
}

/** Asserts that SIPp exited 0 (every call of the scenario succeeded), explaining the result if not. */
export function assertSippOk(result: SippResult): void {
  assert.equal(result.exitCode, 0, explainSipp(result));
}

/** A short text for assertion messages: exit code, counters, errors and logs. */
export function explainSipp(result: SippResult): string {
  const failures = Object.entries(result.stats)
    .filter(([k, v]) => k.startsWith('Failed') && k.endsWith('(C)') && v !== '0' && v !== '')
    .map(([k, v]) => `${k}=${v}`);
  return [
    `${result.scenario}: exit ${result.exitCode}${result.signal !== null ? ` (${result.signal})` : ''}, ` +
      `${result.successful} ok, ${result.failed} failed ${failures.join(' ')}`,
    result.errors.trim() !== '' ? `errors:\n${result.errors.trim().slice(-3000)}` : '',
    result.logs.trim() !== '' ? `logs:\n${result.logs.trim().slice(-1500)}` : '',
  ]
    .filter((s) => s !== '')
    .join('\n');
}

async function mediaSetup(host: string, opts: SippOptions): Promise<{ mediaPort: number; counter: RtpCounter | undefined }> {
  if (opts.countRtp !== true) {
    return { mediaPort: opts.mediaPort ?? (await freeMediaBase(host, RTP_PORT_OFFSET)), counter: undefined };
  }
  if (opts.mediaPort !== undefined) {
    return { mediaPort: opts.mediaPort, counter: await RtpCounter.open({ host, port: opts.mediaPort + RTP_PORT_OFFSET }) };
  }
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const counter = await RtpCounter.open({ host });
    try {
      return { mediaPort: await freeMediaBase(host, RTP_PORT_OFFSET, counter.port), counter };
    } catch {
      await counter.close();
    }
  }
  throw new Error(`no free media port block on ${host}`);
}

/** Parses SIPp's -trace_stat CSV (';'-separated header row, then one row per dump) into its last row. */
export function parseStatCsv(text: string): Record<string, string> {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = lines[0]?.split(';') ?? [];
  const last = lines.length > 1 ? (lines.at(-1)?.split(';') ?? []) : [];
  const out: Record<string, string> = {};
  header.forEach((col, i) => {
    const key = col.trim();
    if (key !== '') out[key] = (last[i] ?? '').trim();
  });
  return out;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return '';
  }
}

/** Keeps the last 256 KiB a stream wrote. */
function tail(stream: NodeJS.ReadableStream | null): () => string {
  const limit = 256 * 1024;
  let text = '';
  stream?.setEncoding('latin1');
  stream?.on('data', (chunk: string) => {
    text = (text + chunk).slice(-limit);
  });
  return () => text;
}
