// Phase 1: call setup rate. Short device-to-device calls (407 challenge, authenticated INVITE,
// 180, 200, ACK, RTP both ways through the relay, BYE) at rising rates; a step passes when every
// call succeeded. Also the switch's CPU per call, and the same at one fixed rate without RTP.
import { PACKETS_PER_SECOND } from './pcap.ts';
import { sleep } from '../support/children.ts';
import type { BatchResult } from './rig.ts';
import type { RigSession } from './session.ts';
import { sweep, type StepRun, type SweepResult } from './sweep.ts';

export interface SetupRateOptions {
  readonly rates: readonly number[];
  /** Seconds of calls per step (calls = rate × seconds, capped by maxCalls). */
  readonly stepSeconds: number;
  readonly maxCalls: number;
  readonly holdMs: number;
  /** RTP per call and direction, ms (20 ms packets); must end before the BYE. */
  readonly rtpMs: number;
  readonly repeats: number;
  readonly deadline: number;
  readonly log: (line: string) => void;
}

/** One run of one rate. */
export interface RateRun extends StepRun {
  readonly calls: number;
  readonly ok: number;
  readonly failed: number;
  readonly failures: readonly string[];
  /** Why the UAC aborted calls (SIPp's unexpected messages), most frequent first. */
  readonly aborts: readonly string[];
  readonly responseMs: number;
  readonly retransmissions: number;
  /** Switch CPU per successful call, ms (user + system). */
  readonly cpuMsPerCall: number;
  /** Switch CPU while the calls arrived (from 0.5 s to the last new call), in % of one core. */
  readonly cpuPercent: number;
  readonly rtpPackets: number;
  readonly lossToCallees: number;
  readonly lossToCallers: number;
  /** SIPp UAC + UAS + RTP media process CPU over the step, % of one core. */
  readonly generatorPercent: number;
  /** CPU of every other process on the machine over the step, % of one core. */
  readonly othersPercent: number;
  readonly load1: number;
  /** Datagrams dropped by the kernel at the switch's SIP socket. */
  readonly sipDrops: number;
  readonly drained: string;
  readonly note: string;
  /** Passed, and the switch kept up: no SIP datagram dropped at its socket, mean setup under {@link CLEAN_SETUP_MS}. */
  readonly clean: boolean;
}

/** Mean INVITE→200 time above which a step that passed still counts as overloaded. */
export const CLEAN_SETUP_MS = 500;

/** Switch CPU between the two probes (0.5 s and the last new call), or over the whole step without them. */
function arrivalCpuPercent(r: BatchResult): number {
  const [a, b] = r.probes;
  if (a === undefined || b === undefined || b.atMs <= a.atMs) return (100 * r.switchCpu) / (r.wallMs / 1000);
  return (100 * (b.switchCpu - a.switchCpu)) / ((b.atMs - a.atMs) / 1000);
}

/** Turns a batch into a run row. */
export function rateRun(value: number, attempt: number, r: BatchResult, drained: string): RateRun {
  const wallS = r.wallMs / 1000;
  const failed = Math.max(r.uac.failed, r.spec.calls - r.uac.successful);
  // Failed calls sent part of their RTP: loss is only meaningful when every call succeeded.
  const loss = (got: number, sent: number): number => (failed === 0 && sent > 0 ? 1 - got / sent : Number.NaN);
  const notes = [r.switchDied !== undefined ? `switch died: ${r.switchDied}` : '', r.uas.failed > 0 ? `callee side counted ${r.uas.failed} failed${r.uas.failures.length > 0 ? `: ${r.uas.failures.join(' ')}` : ''}` : '', r.uac.exitCode !== 0 && failed === 0 ? `SIPp exit ${r.uac.exitCode}` : '']
    .filter((s) => s !== '')
    .join('; ');
  // The callers are the judge: the callee's SIPp also counts late requests of an earlier step's
  // calls (the switch retransmitting a BYE it got no answer to) as failed calls of its own.
  const pass = failed === 0 && r.uac.exitCode === 0 && r.switchDied === undefined;
  return {
    value,
    attempt,
    pass,
    clean: pass && r.sipDrops === 0 && r.uac.responseMs < CLEAN_SETUP_MS,
    calls: r.spec.calls,
    ok: r.uac.successful,
    failed,
    failures: r.uac.failures,
    aborts: [...r.uac.aborts.map((a) => `caller: ${a}`), ...r.uas.aborts.map((a) => `callee: ${a}`)],
    responseMs: r.uac.responseMs,
    retransmissions: r.uac.retransmissions,
    cpuMsPerCall: r.uac.successful > 0 ? (1000 * r.switchCpu) / r.uac.successful : Number.NaN,
    cpuPercent: arrivalCpuPercent(r),
    rtpPackets: r.toCallees + r.toCallers,
    lossToCallees: loss(r.toCallees, r.sentByCallers),
    lossToCallers: loss(r.toCallers, r.sentByCallees),
    generatorPercent: (100 * (r.uacCpu + r.uasCpu + r.mediaCpu)) / wallS,
    othersPercent: (100 * Math.max(0, r.machineCpu - r.switchCpu - r.uacCpu - r.uasCpu - r.mediaCpu)) / wallS,
    load1: r.load1,
    sipDrops: r.sipDrops,
    drained,
    note: notes,
  };
}

async function step(session: RigSession, options: SetupRateOptions, rate: number, attempt: number, packets: number, name: string): Promise<RateRun> {
  const rig = session.rig;
  const calls = Math.min(options.maxCalls, Math.max(1, Math.round(rate * options.stepSeconds)));
  const result = await rig.batch({
    name,
    calls,
    rate,
    holdMs: options.holdMs,
    packets,
    player: 'sipp',
    rtpBaseline: session.stuckSockets,
    timeoutSec: Math.ceil(calls / rate + options.holdMs / 1000 + 10),
    // The switch's CPU while the calls arrive (the step's average also covers its tail).
    monitor: async (m) => {
      for (const at of [500, (1000 * calls) / rate]) {
        while (m.running() && m.elapsedMs() < at) await sleep(Math.min(100, at - m.elapsedMs()));
        if (m.running()) await m.probe();
      }
    },
  });
  const drained = await session.settle(name, result.uac.failed > 0 ? 10_000 : 5_000);
  const run = rateRun(rate, attempt, result, drained);
  options.log(
    `  ${name}: ${run.ok}/${run.calls} ok, ${run.failed} failed${run.failures.length > 0 ? ` (${run.failures.join(' ')})` : ''}, ` +
      `${run.cpuMsPerCall.toFixed(2)} ms CPU/call, switch ${run.cpuPercent.toFixed(0)} %, others ${run.othersPercent.toFixed(0)} %, load ${run.load1.toFixed(1)}, ` +
      `setup ${run.responseMs.toFixed(0)} ms, retrans ${run.retransmissions}, SIP drops ${run.sipDrops}, drained ${drained}` +
      `${run.aborts.length > 0 ? `\n    ${run.aborts.slice(0, 4).join('\n    ')}` : ''}`,
  );
  return run;
}

/** Sweeps the rates; returns every run and the boundary. */
export async function measureSetupRate(session: RigSession, options: SetupRateOptions): Promise<SweepResult<RateRun>> {
  const packets = Math.max(1, Math.round((options.rtpMs / 1000) * PACKETS_PER_SECOND));
  return sweep({ values: options.rates, repeats: options.repeats, deadline: options.deadline }, (rate, attempt) =>
    step(session, options, rate, attempt, packets, `rate-${rate}-${attempt}`),
  );
}

/** CPU per call at one fixed rate with one RTP packet per direction: the signalling's own cost. */
export async function measureSignallingOnly(session: RigSession, options: SetupRateOptions, rate: number, runs: number): Promise<RateRun[]> {
  const out: RateRun[] = [];
  for (let i = 1; i <= runs && Date.now() < options.deadline; i++) out.push(await step(session, options, rate, i, 1, `signalling-${rate}-${i}`));
  return out;
}
