// Phase 2 and 3: concurrent anchored calls and resident memory per call. Long calls are ramped up
// to a target concurrency, all of them sending RTP both ways (20 ms PCMA) through the relay; during
// a plateau where every call is up, the switch's CPU per relayed packet and its RSS are measured.
// A step passes when no call failed and each direction lost < 0.1 % of its packets (sent by SIPp's
// pcap players or by the RTP media process, counted by the media process).
import { PACKETS_PER_SECOND } from './pcap.ts';
import type { Probe, RtpPlayer } from './rig.ts';
import type { RigSession } from './session.ts';
import { sleep } from '../support/children.ts';
import { median, sweep, type StepRun, type SweepResult } from './sweep.ts';

export interface ConcurrencyOptions {
  /** Who plays the phones' RTP. */
  readonly player: RtpPlayer;
  readonly targets: readonly number[];
  /** Calls per second while ramping up. */
  readonly rampCps: number;
  /** Seconds every call is up together (the measuring window). */
  readonly plateauSeconds: number;
  readonly maxLoss: number;
  readonly repeats: number;
  readonly deadline: number;
  readonly log: (line: string) => void;
}

/** One run of one concurrency target. */
export interface ConcurrencyRun extends StepRun {
  /** False for the memory phase's calls (one RTP packet each way). */
  readonly media: boolean;
  readonly ok: number;
  readonly failed: number;
  readonly failures: readonly string[];
  /** Why SIPp aborted calls, most frequent first. */
  readonly aborts: readonly string[];
  /** Most calls whose four RTP/RTCP sockets were open at once in the window (switch sockets / 4). */
  readonly callsUp: number;
  readonly lossToCallees: number;
  readonly lossToCallers: number;
  /** Packets per second the phones' ports received in the window (both directions), vs what was sent. */
  readonly relayedPps: number;
  readonly offeredPps: number;
  /** Switch CPU per relayed packet in the window, µs. */
  readonly relayUsPerPacket: number;
  /** Switch CPU in the window, % of one core. */
  readonly switchPercent: number;
  /** The kernel's (system time) part of the switch's CPU in the window, 0..1. */
  readonly systemShare: number;
  /** SIPp (both) and RTP media process CPU in the window, % of one core. */
  readonly sippPercent: number;
  readonly mediaPercent: number;
  /** Every other process on the machine over the whole step, % of one core. */
  readonly othersPercent: number;
  readonly load1: number;
  readonly rssIdleMb: number;
  readonly rssPlateauMb: number;
  readonly kbPerCall: number;
  /** Memory phase: least-squares slope of RSS over calls up, from a third of the calls to all (KB per call). */
  readonly marginalKbPerCall: number;
  /** Generator ticks (20 ms) the media process skipped because it was starved of CPU. */
  readonly skippedTicks: number;
  /** Datagrams the kernel dropped at the switch's RTP sockets and at the media process's, in the window. */
  readonly switchDrops: number;
  readonly mediaDrops: number;
  readonly drained: string;
  readonly note: string;
}

async function step(session: RigSession, options: ConcurrencyOptions, target: number, attempt: number, media = true): Promise<ConcurrencyRun> {
  const rig = session.rig;
  const rampMs = (1000 * target) / options.rampCps;
  // Every call talks long enough for a late ramp (up to 1.5× its nominal time) plus the plateau.
  const talkMs = 1.5 * rampMs + 1000 * options.plateauSeconds + 3000;
  // Without media (the memory phase) each side sends one packet, so that the relay latches.
  const packets = media ? Math.ceil((talkMs / 1000) * PACKETS_PER_SECOND) : 1;
  const holdMs = talkMs + 3000;
  const rssIdleKb = median(await sampleRss(session, 5));
  const baseline = session.stuckSockets;
  const rampProbes: Probe[] = [];
  const result = await rig.batch({
    name: `${media ? 'concurrency' : 'memory'}-${target}-${attempt}`,
    calls: target,
    rate: options.rampCps,
    holdMs,
    packets,
    player: media ? options.player : 'sipp',
    rtpBaseline: baseline,
    timeoutSec: Math.ceil((rampMs + holdMs) / 1000 + 20),
    monitor: async (m) => {
      const up = (): number => m.callsUp() - baseline / 4;
      // The memory phase also samples the RSS on the way up (a third and two thirds of the calls):
      // the slope between the samples is the memory each further call adds.
      if (!media) {
        for (const share of [1 / 3, 2 / 3]) {
          while (m.running() && up() < target * share) await sleep(100);
          for (let i = 0; i < 3 && m.running(); i++) {
            rampProbes.push(await m.probe());
            await sleep(200);
          }
        }
      }
      // The window opens once every call is up (or when the ramp is 50 % late) and closes a
      // plateau later, before the first call's RTP ends.
      const lastOpen = 1.5 * rampMs + 1000;
      while (m.running() && m.elapsedMs() < lastOpen && up() < target) await sleep(200);
      if (!m.running()) return;
      await sleep(1000); // let the last calls' RTP start
      const start = m.elapsedMs();
      const end = Math.min(start + 1000 * options.plateauSeconds, talkMs - 1000);
      for (let i = 0; i < 4 && m.running(); i++) {
        const at = start + ((end - start) * i) / 3;
        while (m.running() && m.elapsedMs() < at) await sleep(Math.min(100, at - m.elapsedMs()));
        if (m.running()) await m.probe();
      }
    },
  });
  const drained = await session.settle(result.spec.name, result.uac.failed > 0 ? 10_000 : 5_000);
  const window = result.probes.filter((p) => !rampProbes.includes(p));
  const a: Probe | undefined = window[0];
  const b: Probe | undefined = window.length > 1 ? window.at(-1) : undefined;
  const windowS = a !== undefined && b !== undefined ? (b.atMs - a.atMs) / 1000 : Number.NaN;
  const relayed = a !== undefined && b !== undefined ? b.toCallees + b.toCallers - a.toCallees - a.toCallers : 0;
  const switchCpu = a !== undefined && b !== undefined ? b.switchCpu - a.switchCpu : Number.NaN;
  const switchSystem = a !== undefined && b !== undefined ? b.switchCpuSystem - a.switchCpuSystem : Number.NaN;
  const failed = Math.max(result.uac.failed, target - result.uac.successful);
  // Failed calls sent part of their RTP: loss is only meaningful when every call succeeded.
  const loss = (got: number, sent: number): number => (failed === 0 && sent > 0 ? 1 - got / sent : Number.NaN);
  const lossToCallees = loss(result.toCallees, result.sentByCallers);
  const lossToCallers = loss(result.toCallers, result.sentByCallees);
  const rssPlateauKb = median(window.map((p) => p.switchRssKb));
  // Every call was up together at some point of the window (a probe saw all their sockets).
  const callsUp = Math.floor(Math.max(0, ...result.probes.map((p) => p.switchUdp.sockets - baseline)) / 4);
  const notes = [
    result.switchDied !== undefined ? `switch died: ${result.switchDied}` : '',
    b === undefined ? 'calls ended before the window' : '',
    callsUp < target && b !== undefined ? `only ${callsUp} calls up in the window` : '',
  ].filter((s) => s !== '');
  const run: ConcurrencyRun = {
    value: target,
    attempt,
    media,
    pass:
      failed === 0 &&
      (!media || (lossToCallees < options.maxLoss && lossToCallers < options.maxLoss)) &&
      callsUp >= target &&
      result.switchDied === undefined,
    ok: result.uac.successful,
    failed,
    failures: result.uac.failures,
    aborts: [...result.uac.aborts.map((x) => `caller: ${x}`), ...result.uas.aborts.map((x) => `callee: ${x}`)],
    callsUp,
    lossToCallees,
    lossToCallers,
    relayedPps: relayed / windowS,
    offeredPps: media ? 2 * target * PACKETS_PER_SECOND : 0,
    relayUsPerPacket: (1e6 * switchCpu) / relayed,
    switchPercent: (100 * switchCpu) / windowS,
    systemShare: switchSystem / switchCpu,
    sippPercent: a !== undefined && b !== undefined ? (100 * (b.uacCpu + b.uasCpu - a.uacCpu - a.uasCpu)) / windowS : Number.NaN,
    mediaPercent: a !== undefined && b !== undefined ? (100 * (b.mediaCpu - a.mediaCpu)) / windowS : Number.NaN,
    othersPercent: (100 * Math.max(0, result.machineCpu - result.switchCpu - result.uacCpu - result.uasCpu - result.mediaCpu)) / (result.wallMs / 1000),
    load1: result.load1,
    rssIdleMb: rssIdleKb / 1024,
    rssPlateauMb: rssPlateauKb / 1024,
    kbPerCall: (rssPlateauKb - rssIdleKb) / target,
    marginalKbPerCall: slope(result.probes.map((p) => ({ x: (p.switchUdp.sockets - baseline) / 4, y: p.switchRssKb }))),
    switchDrops: (b?.switchUdp.drops ?? 0) - (a?.switchUdp.drops ?? 0),
    mediaDrops: (b?.mediaUdp.drops ?? 0) - (a?.mediaUdp.drops ?? 0),
    skippedTicks: result.skippedTicks,
    drained,
    note: notes.join('; '),
  };
  options.log(
    `  ${media ? 'concurrency' : 'memory, no RTP,'} ${target} #${attempt}: ${run.ok}/${target} ok, ${failed} failed${run.failures.length > 0 ? ` (${run.failures.join(' ')})` : ''}, ` +
      `${callsUp} up, ` +
      (media
        ? `loss ${pct(lossToCallees)} / ${pct(lossToCallers)}, ${run.relayedPps.toFixed(0)}/${run.offeredPps} pps, ` +
          `${run.relayUsPerPacket.toFixed(1)} µs/pkt (${(100 * run.systemShare).toFixed(0)} % system), `
        : '') +
      `switch ${run.switchPercent.toFixed(0)} %, SIPp ${run.sippPercent.toFixed(0)} %, RTP process ${run.mediaPercent.toFixed(0)} %${run.skippedTicks > 0 ? ` (${run.skippedTicks} ticks skipped)` : ''}, ` +
      `others ${run.othersPercent.toFixed(0)} %, load ${run.load1.toFixed(1)}, ` +
      `RSS ${run.rssIdleMb.toFixed(0)}→${run.rssPlateauMb.toFixed(0)} MB (${run.kbPerCall.toFixed(1)} KB/call${media ? '' : `, marginal ${run.marginalKbPerCall.toFixed(1)} KB/call`}), drops ${run.switchDrops}/${run.mediaDrops}, drained ${drained}` +
      `${run.note !== '' ? ` — ${run.note}` : ''}${run.aborts.length > 0 ? `\n    ${run.aborts.slice(0, 4).join('\n    ')}` : ''}`,
  );
  return run;
}

function pct(x: number): string {
  return `${(100 * x).toFixed(3)} %`;
}

/** Sweeps the concurrency targets. */
export async function measureConcurrency(session: RigSession, options: ConcurrencyOptions): Promise<SweepResult<ConcurrencyRun>> {
  return sweep({ values: options.targets, repeats: options.repeats, deadline: options.deadline }, (target, attempt) => step(session, options, target, attempt));
}

/** Resident memory with `target` calls up but no RTP flowing (one packet each way to latch). */
export async function measureMemory(session: RigSession, options: ConcurrencyOptions, target: number): Promise<ConcurrencyRun> {
  return step(session, options, target, 1, false);
}

/** `n` RSS samples of the switch, 200 ms apart. */
async function sampleRss(session: RigSession, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    if (i > 0) await sleep(200);
    out.push(session.rig.switch.rssKb());
  }
  return out;
}

/** Least-squares slope of y over x; NaN without two distinct x. */
function slope(points: readonly { x: number; y: number }[]): number {
  if (new Set(points.map((p) => p.x)).size < 2) return Number.NaN;
  const mx = points.reduce((acc, p) => acc + p.x, 0) / points.length;
  const my = points.reduce((acc, p) => acc + p.y, 0) / points.length;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return num / den;
}
