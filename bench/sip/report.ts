// Formats the benchmark's results as Markdown (for docs/benchmarks.md, "SIP calls").
import type { ConcurrencyRun } from './concurrency.ts';
import { CLEAN_SETUP_MS, type RateRun } from './setup-rate.ts';
import { median, type SweepResult } from './sweep.ts';

export interface Report {
  readonly machine: {
    readonly cores: number;
    readonly cpu: string;
    readonly memoryGb: number;
    readonly node: string;
    readonly kernel: string;
    readonly sipp: string;
    readonly loadAtStart: string;
  };
  readonly settings: {
    readonly stepSeconds: number;
    readonly holdMs: number;
    readonly setupRtpMs: number;
    readonly repeats: number;
    readonly plateauSeconds: number;
    readonly sources: number;
    readonly callers: number;
    readonly maxLoss: number;
    readonly player: string;
  };
  idleRssMb: number;
  setup: SweepResult<RateRun> | undefined;
  signalling: RateRun[];
  concurrency: (SweepResult<ConcurrencyRun> & { rampCps: number }) | undefined;
  memory: (ConcurrencyRun & { rampCps: number }) | undefined;
  readonly findings: string[];
  elapsedS: number;
}

const f = (x: number, digits = 0): string => (Number.isFinite(x) ? x.toFixed(digits) : '–');
const pct = (x: number): string => (Number.isFinite(x) ? `${(100 * x).toFixed(3)} %` : '–');

function setupTable(runs: readonly RateRun[]): string[] {
  const rows = [
    '| calls/s | run | calls ok | failed | mean setup (INVITE→200) ms | retrans. | SIP drops | switch CPU ms/call | switch CPU while calls arrive (% of a core) | RTP loss →callee / →caller | SIPp + RTP process (% of a core) | other processes (% of a core), load | drained after | pass |',
    '|---:|---:|---:|---|---:|---:|---:|---:|---:|---|---:|---|---|---|',
  ];
  for (const r of runs) {
    const why = r.failures.length > 0 ? ` (${r.failures.join(', ')})` : '';
    rows.push(
      `| ${r.value} | ${r.attempt} | ${r.ok}/${r.calls} | ${r.failed}${why} | ${f(r.responseMs)} | ${r.retransmissions} | ${r.sipDrops} | ${f(r.cpuMsPerCall, 2)} | ${f(r.cpuPercent)} | ` +
        `${pct(r.lossToCallees)} / ${pct(r.lossToCallers)} | ${f(r.generatorPercent)} | ${f(r.othersPercent)}, ${f(r.load1, 1)} | ${r.drained} | ${r.pass ? (r.clean ? 'yes' : 'yes, overloaded') : 'no'}${r.note !== '' ? ` (${r.note})` : ''} |`,
    );
  }
  return rows;
}

/** The highest rate whose runs were mostly clean (every lower rate run too). */
function highestClean(runs: readonly RateRun[]): number | undefined {
  let best: number | undefined;
  for (const rate of [...new Set(runs.map((r) => r.value))].sort((a, b) => a - b)) {
    const mine = runs.filter((r) => r.value === rate);
    if (mine.filter((r) => r.clean).length * 2 <= mine.length) break;
    best = rate;
  }
  return best;
}

function concurrencyTable(runs: readonly ConcurrencyRun[]): string[] {
  const rows = [
    '| calls | run | ok | failed | up in window | RTP loss →callee | RTP loss →caller | relayed pkt/s (offered) | switch µs CPU/pkt (kernel share) | switch (% core) | SIPp (% core) | RTP process (% core) | other processes (% core), load | kernel drops switch / RTP process | RSS idle → plateau MB | KB/call | pass |',
    '|---:|---:|---:|---|---:|---:|---:|---|---:|---:|---:|---:|---|---|---|---:|---|',
  ];
  for (const r of runs) {
    const why = r.failures.length > 0 ? ` (${r.failures.join(', ')})` : '';
    rows.push(
      `| ${r.value} | ${r.attempt} | ${r.ok} | ${r.failed}${why} | ${r.callsUp} | ${pct(r.lossToCallees)} | ${pct(r.lossToCallers)} | ${f(r.relayedPps)} (${r.offeredPps}) | ` +
        `${f(r.relayUsPerPacket, 1)} (${f(100 * r.systemShare)} %) | ${f(r.switchPercent)} | ${f(r.sippPercent)} | ${f(r.mediaPercent)}${r.skippedTicks > 0 ? ` (${r.skippedTicks} ticks skipped)` : ''} | ${f(r.othersPercent)}, ${f(r.load1, 1)} | ${r.switchDrops} / ${r.mediaDrops} | ` +
        `${f(r.rssIdleMb)} → ${f(r.rssPlateauMb)} | ${f(r.kbPerCall, 1)} | ${r.pass ? 'yes' : 'no'}${r.note !== '' ? ` (${r.note})` : ''}${r.drained !== 'yes' ? ` (not drained: ${r.drained})` : ''} |`,
    );
  }
  return rows;
}

/** The whole report. */
export function formatReport(report: Report): string {
  const m = report.machine;
  const s = report.settings;
  const out: string[] = [
    '',
    `Machine: ${m.cores} × ${m.cpu}, ${f(m.memoryGb)} GB, Linux ${m.kernel}, Node ${m.node}, ${m.sipp}; load average at start ${m.loadAtStart}. ` +
      `Run took ${f(report.elapsedS)} s. The switch's idle RSS after start: ${f(report.idleRssMb)} MB.`,
    '',
  ];
  const setup = report.setup;
  let bestRate: number | undefined;
  let cpuAtBest = Number.NaN;
  if (setup !== undefined) {
    out.push(
      `#### Call setup rate (${s.stepSeconds} s of calls per step; each call: 407, authenticated INVITE, 180, 200, ACK, ${s.setupRtpMs} ms of RTP each way, BYE after ${s.holdMs} ms; ` +
        `${s.sources} source addresses, ${s.callers} caller devices, one callee device)`,
      '',
      ...setupTable(setup.runs),
      '',
      ...abortLines(setup.runs),
    );
    bestRate = setup.best;
    cpuAtBest = median(setup.runs.filter((r) => r.value === bestRate && r.pass).map((r) => r.cpuMsPerCall));
    const fixed = [...new Set(setup.runs.map((r) => r.value))]
      .map((rate) => `${rate} calls/s: ${f(median(setup.runs.filter((r) => r.value === rate && r.ok > 0).map((r) => r.cpuMsPerCall)), 2)} ms`)
      .join(', ');
    out.push(
      `Highest rate with 0 failed calls (majority of up to ${s.repeats} runs): **${bestRate ?? 'none'} calls/s**` +
        `${setup.failedAt !== undefined ? `; ${setup.failedAt} calls/s failed` : ''}${setup.skipped.length > 0 ? `; not run: ${setup.skipped.join(', ')}` : ''}.`,
      `Highest rate the switch handled cleanly (0 failed, no SIP datagram dropped at its socket, mean setup < ${CLEAN_SETUP_MS} ms): **${highestClean(setup.runs) ?? 'none'} calls/s**.`,
      `Switch CPU per call (median, user + system, RTP relaying included): ${fixed}.`,
    );
    if (report.signalling.length > 0) {
      const sig = median(report.signalling.filter((r) => r.ok > 0).map((r) => r.cpuMsPerCall));
      const rate = report.signalling[0]?.value ?? 0;
      const withRtp = median(setup.runs.filter((r) => r.value === rate && r.ok > 0).map((r) => r.cpuMsPerCall));
      out.push(
        `Signalling alone (1 RTP packet each way) at ${rate} calls/s: ${f(sig, 2)} ms CPU per call` +
          `${Number.isFinite(withRtp) ? ` (with ${s.setupRtpMs} ms of RTP: ${f(withRtp, 2)} ms)` : ''}; ` +
          `runs: ${report.signalling.map((r) => `${r.ok}/${r.calls} ok, ${f(r.cpuMsPerCall, 2)} ms`).join('; ')}.`,
      );
    }
    out.push('');
  }
  const conc = report.concurrency;
  let bestConcurrency: number | undefined;
  let kbAtBest = Number.NaN;
  let usPerPacket = Number.NaN;
  if (conc !== undefined) {
    out.push(
      `#### Concurrent anchored calls (ramp at ${conc.rampCps} calls/s, then ${s.plateauSeconds} s with every call up; 20 ms PCMA both ways, played by ` +
        `${s.player === 'node' ? 'the RTP media process (Node)' : "SIPp's pcap player"}; pass: 0 failed calls, every call up at once and < ${pct(s.maxLoss)} RTP loss each way)`,
      '',
      ...concurrencyTable(conc.runs),
      '',
      ...abortLines(conc.runs),
    );
    bestConcurrency = conc.best;
    const atBest = conc.runs.filter((r) => r.value === bestConcurrency && r.pass);
    kbAtBest = median(atBest.map((r) => r.kbPerCall));
    usPerPacket = median(conc.runs.filter((r) => r.callsUp > 0).map((r) => r.relayUsPerPacket));
    out.push(
      `Highest concurrency held with < ${pct(s.maxLoss)} loss: **${bestConcurrency ?? 'none'} calls**` +
        `${conc.failedAt !== undefined ? `; ${conc.failedAt} failed` : ''}${conc.skipped.length > 0 ? `; not run: ${conc.skipped.join(', ')}` : ''}. ` +
        `Switch CPU per relayed packet (median of all runs): ${f(usPerPacket, 1)} µs. RSS with N calls minus the idle RSS just before, over N, at ${bestConcurrency ?? '–'} calls: ${f(kbAtBest, 1)} KB ` +
        `(with RTP flowing this mostly measures garbage awaiting collection: see the memory phase).`,
      '',
    );
  }
  const mem = report.memory;
  if (mem !== undefined) {
    out.push(
      `#### Resident memory per call (${mem.value} calls ramped at ${mem.rampCps} calls/s and held without RTP)`,
      '',
      ...concurrencyTable([mem]),
      '',
      ...abortLines([mem]),
      `RSS ${f(mem.rssIdleMb)} MB idle (median of 5 samples just before) → ${f(mem.rssPlateauMb)} MB with ${mem.callsUp} calls up (median of 4 samples): ` +
        `**${f(mem.kbPerCall, 1)} KB per call**${mem.pass ? '' : ' (the run did not hold every call: see the table)'}. ` +
        `RSS samples at a third, two thirds and all of the calls give a slope of ${f(mem.marginalKbPerCall, 1)} KB per further call ` +
        '(it leaves out what the heap reserves once, but the calls still arriving leave garbage in those samples: a noisy figure).',
      '',
    );
  }
  const memoryFigure = mem !== undefined && mem.callsUp > 0 ? mem.kbPerCall : kbAtBest;
  out.push(
    '#### Against the issue 3 targets',
    '',
    '| figure | target | measured |',
    '|---|---:|---:|',
    `| call setups/s with 0 failures | ≥ 500 | ${bestRate ?? '–'} |`,
    `| … of which without overload (no SIP drops, setup < ${CLEAN_SETUP_MS} ms) | – | ${setup !== undefined ? (highestClean(setup.runs) ?? '–') : '–'} |`,
    `| switch CPU per call at that rate | – | ${f(cpuAtBest, 2)} ms |`,
    `| concurrent anchored calls, < 0.1 % loss | ≥ 1,500 | ${bestConcurrency ?? '–'} |`,
    `| resident memory per call | ≤ 40 KB | ${f(memoryFigure, 1)} KB${mem !== undefined ? ` (${mem.callsUp} calls, no RTP)` : ''} |`,
    `| switch CPU per relayed RTP packet | – | ${f(usPerPacket, 1)} µs |`,
    '',
  );
  if (report.findings.length > 0) out.push('Findings during the run:', '', ...report.findings.map((x) => `- ${x.replace(/\n/g, '\n  ')}`), '');
  return `${out.join('\n')}\n`;
}

/** What SIPp said about the calls it aborted, per failed run. */
function abortLines(runs: readonly { value: number; attempt: number; pass: boolean; aborts: readonly string[] }[]): string[] {
  const lines = runs
    .filter((r) => !r.pass && r.aborts.length > 0)
    .map((r) => `- ${r.value}, run ${r.attempt}: ${r.aborts.slice(0, 4).join('; ')}`);
  return lines.length > 0 ? ['Aborted calls, as SIPp reported them:', '', ...lines, ''] : [];
}
