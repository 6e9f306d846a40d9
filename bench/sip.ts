// npm run bench:sip — SIP load benchmark of the switch (issue 3): call setup rate, concurrent
// anchored calls with RTP, resident memory per call. The switch runs in its own process
// (`switchboard start`), provisioned over REST; SIPp places and answers the calls; a media process
// counts the relayed RTP. Prints Markdown for docs/benchmarks.md. Knobs: see docs/benchmarks.md.
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { killAllChildren } from './support/children.ts';
import { measureConcurrency, measureMemory, type ConcurrencyOptions, type ConcurrencyRun } from './sip/concurrency.ts';
import { formatReport, type Report } from './sip/report.ts';
import type { RigOptions, RtpPlayer } from './sip/rig.ts';
import { RigSession } from './sip/session.ts';
import { measureSetupRate, measureSignallingOnly, type SetupRateOptions } from './sip/setup-rate.ts';
import type { SweepResult } from './sip/sweep.ts';
import { envNumber, envNumbers } from './support/env.ts';

const env = process.env;
const quick = env['BENCH_QUICK'] === '1';
const num = (name: string, fallback: number): number => envNumber(name, fallback, env);
const list = (name: string, fallback: readonly number[]): number[] => envNumbers(name, fallback, env);
const rtpPlayer = (raw: string): RtpPlayer => {
  if (raw !== 'node' && raw !== 'sipp') throw new Error(`BENCH_RTP_PLAYER: expected node or sipp, got '${raw}'`);
  return raw;
};
const portRange = (raw: string): { min: number; max: number } => {
  const m = /^(\d+)-(\d+)$/.exec(raw);
  if (m === null) throw new Error(`BENCH_RTP_PORTS: expected min-max, got '${raw}'`);
  return { min: Number(m[1]), max: Number(m[2]) };
};

const settings = {
  phases: (env['BENCH_PHASES'] ?? 'setup,concurrency,memory').split(',').map((s) => s.trim()),
  rates: list('BENCH_RATES', quick ? [50, 100] : [50, 100, 150, 200, 300, 400, 600, 800]),
  stepSeconds: num('BENCH_STEP_SECONDS', quick ? 4 : 8),
  maxCalls: num('BENCH_MAX_CALLS', 8000),
  holdMs: num('BENCH_HOLD_MS', 2000),
  setupRtpMs: num('BENCH_SETUP_RTP_MS', 1000),
  repeats: Math.max(1, Math.round(num('BENCH_REPEATS', quick ? 1 : 3))),
  signallingRate: num('BENCH_SIGNALLING_RATE', 100),
  targets: list('BENCH_CONCURRENCY', quick ? [100, 200] : [250, 500, 750, 1000, 1500]),
  memoryCalls: num('BENCH_MEMORY_CALLS', quick ? 300 : 1500),
  rampCps: num('BENCH_RAMP_CPS', 100),
  plateauSeconds: num('BENCH_PLATEAU_SECONDS', quick ? 6 : 10),
  maxLoss: num('BENCH_MAX_LOSS', 0.001),
  player: rtpPlayer(env['BENCH_RTP_PLAYER'] ?? 'node'),
  sources: Math.min(2000, Math.max(1, Math.round(num('BENCH_SOURCES', 64)))),
  callers: Math.max(1, Math.round(num('BENCH_CALLERS', 64))),
  rtpPorts: portRange(env['BENCH_RTP_PORTS'] ?? '20000-31999'),
  budgetSeconds: num('BENCH_BUDGET_SECONDS', quick ? 150 : 570),
  logLevel: env['BENCH_SWITCH_LOG_LEVEL'] ?? 'warn',
  /** A directory: the switch then writes V8 CPU profiles there (--cpu-prof) when it stops. */
  profileDir: env['BENCH_SWITCH_PROFILE'],
};
if (settings.holdMs < settings.setupRtpMs + 300) throw new Error('BENCH_HOLD_MS must exceed BENCH_SETUP_RTP_MS by 300 ms (RTP must end before the BYE)');

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};
const sipp = spawnSync('sipp', ['-v'], { encoding: 'utf8' });
const sippVersion = /SIPp v\S+/.exec(sipp.stdout ?? '')?.[0];
if (sippVersion === undefined) {
  log('bench:sip needs SIPp (apt-get install sip-tester)');
  process.exit(1);
}
if (process.getuid?.() !== 0 && !/cap_net_raw/.test(spawnSync('sh', ['-c', 'getcap "$(command -v sipp)"'], { encoding: 'utf8' }).stdout ?? '')) {
  log('bench:sip needs SIPp to play pcaps: run as root or `setcap cap_net_raw+ep $(command -v sipp)`');
  process.exit(1);
}

const started = Date.now();
const deadline = started + settings.budgetSeconds * 1000;
const rigOptions: RigOptions = {
  sources: settings.sources,
  callers: settings.callers,
  rtpPorts: settings.rtpPorts,
  logLevel: settings.logLevel,
  ...(settings.profileDir !== undefined && settings.profileDir !== '' ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${settings.profileDir}`] } : {}),
};
const report: Report = {
  machine: {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGb: totalmem() / 2 ** 30,
    node: process.version,
    kernel: release(),
    sipp: sippVersion,
    loadAtStart: loadavg().map((l) => l.toFixed(2)).join(' '),
  },
  settings,
  idleRssMb: Number.NaN,
  setup: undefined,
  signalling: [],
  concurrency: undefined,
  memory: undefined,
  findings: [],
  elapsedS: 0,
};

/** Share of the time left that a phase may use, by which phases are still to come (setup 45 %, concurrency 75 % of the rest). */
function phaseDeadline(share: number): number {
  return Date.now() + Math.max(0, deadline - Date.now()) * share;
}
const wants = (phase: string): boolean => settings.phases.includes(phase);
/** Never above the clean setup rate found, nor above BENCH_RAMP_CPS. */
const rampCps = (): number => Math.min(settings.rampCps, report.setup?.best ?? settings.rampCps);

/** Runs `body` with a fresh, warmed-up switch and closes it afterwards. */
async function withSession(body: (session: RigSession) => Promise<void>): Promise<void> {
  const session = new RigSession(rigOptions, report.findings, log);
  try {
    await session.start();
    if (!Number.isFinite(report.idleRssMb)) report.idleRssMb = session.startRssKb / 1024;
    await body(session);
  } finally {
    await session.close();
  }
}

try {
  if (wants('setup')) {
    log(`bench:sip — call setup rate: ${settings.rates.join(', ')} calls/s, ${settings.stepSeconds} s per step`);
    const share = wants('concurrency') || wants('memory') ? 0.45 : 1;
    await withSession(async (session) => {
      const options: SetupRateOptions = {
        rates: settings.rates,
        stepSeconds: settings.stepSeconds,
        maxCalls: settings.maxCalls,
        holdMs: settings.holdMs,
        rtpMs: settings.setupRtpMs,
        repeats: settings.repeats,
        deadline: phaseDeadline(share),
        log,
      };
      report.setup = await measureSetupRate(session, options);
      const rate = Math.min(settings.signallingRate, report.setup.best ?? settings.signallingRate);
      log(`bench:sip — signalling only at ${rate} calls/s`);
      report.signalling = await measureSignallingOnly(session, { ...options, deadline: Math.max(options.deadline, Date.now() + 60_000) }, rate, Math.min(2, settings.repeats));
    });
  }
  const concurrencyOptions = (phaseEnd: number): ConcurrencyOptions => ({
    player: settings.player,
    targets: settings.targets,
    rampCps: rampCps(),
    plateauSeconds: settings.plateauSeconds,
    maxLoss: settings.maxLoss,
    repeats: settings.repeats,
    deadline: phaseEnd,
    log,
  });
  if (wants('concurrency')) {
    log(`bench:sip — concurrent calls: ${settings.targets.join(', ')}, ramp ${rampCps()} calls/s, plateau ${settings.plateauSeconds} s, RTP played by ${settings.player}`);
    const phaseEnd = phaseDeadline(wants('memory') ? 0.75 : 1);
    await withSession(async (session) => {
      const result: SweepResult<ConcurrencyRun> = await measureConcurrency(session, concurrencyOptions(phaseEnd));
      report.concurrency = { ...result, rampCps: rampCps() };
    });
  }
  if (wants('memory')) {
    // A fresh switch: after the concurrency runs its heap has grown, and freed space would hide new allocations.
    log(`bench:sip — memory: ${settings.memoryCalls} calls up without RTP, ramp ${rampCps()} calls/s`);
    await withSession(async (session) => {
      report.memory = { ...(await measureMemory(session, concurrencyOptions(deadline), settings.memoryCalls)), rampCps: rampCps() };
    });
  }
} finally {
  killAllChildren();
}
report.elapsedS = (Date.now() - started) / 1000;
process.stdout.write(formatReport(report));
