// The benchmark rig: the switch process, its provisioned account, the registered callee, the RTP
// media process, and a SIPp working directory. `batch` runs one bounded batch of calls (a UAS
// registered as the callee, a UAC placing `calls` at `rate` from many source addresses) and
// measures it.
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freeMediaBase, freePort } from '../../test/support/sipp-ports.ts';
import { removeDir, sleep, trackDir } from '../support/children.ts';
import { writeRtpPcap } from './pcap.ts';
import { machineBusySeconds, udpSocketStats, type UdpSocketStats } from './proc-stats.ts';
import { CALLEE, CALLEE_NUMBER, DEVICE_PASSWORD, provision, type Provisioned } from './provision.ts';
import { RtpMedia, type MediaCounts } from './rtp-media.ts';
import { startSipp, type SippOutcome } from './sipp-process.ts';
import { startSwitchProcess, type SwitchProcess } from './switch-process.ts';

const ROOT = resolve(import.meta.dirname, '../..');
/** Our scenarios advertise RTP at -mp + 4 (SIPp binds -mp and -mp+2 itself). */
const RTP_OFFSET = 4;

export interface RigOptions {
  /** Source addresses of the callers (127.0.1.1 ...): the switch admits 100 new INVITEs/s per address. */
  readonly sources: number;
  /** Caller devices provisioned (used round-robin by the rows of the injection file). */
  readonly callers: number;
  readonly rtpPorts: { readonly min: number; readonly max: number };
  readonly logLevel: string;
  /** Extra Node flags for the switch process (e.g. --cpu-prof). */
  readonly nodeArgs?: readonly string[];
}

/**
 * Who plays the phones' RTP: SIPp's pcap player (a thread per call) or the media process, which
 * follows SIPp's logs (one event loop for every stream; SIPp then plays a 1-packet pcap).
 */
export type RtpPlayer = 'sipp' | 'node';

/** One batch of calls. */
export interface BatchSpec {
  readonly name: string;
  readonly calls: number;
  /** Calls per second (SIPp -r). */
  readonly rate: number;
  /** ACK to BYE, ms. */
  readonly holdMs: number;
  /** RTP packets (20 ms) each caller and each callee sends; both must end before the BYE. */
  readonly packets: number;
  readonly player: RtpPlayer;
  /** SIPp gives up after this long (calls still open then count as failed). */
  readonly timeoutSec: number;
  /** RTP-range sockets the switch held before the batch (calls of earlier batches that never ended). */
  readonly rtpBaseline?: number;
  /**
   * Runs while the UAC runs: takes probes when it sees fit (`probe()`), and should return once
   * `running()` turns false. Its probes are in the result.
   */
  readonly monitor?: (ctx: BatchMonitor) => Promise<void>;
}

/** What a batch's monitor can do. */
export interface BatchMonitor {
  /** Ms since the UAC started. */
  elapsedMs(): number;
  /** False once the UAC has exited. */
  running(): boolean;
  /** Calls whose media the switch holds now (its RTP-range sockets / 4). */
  callsUp(): number;
  /** Takes a snapshot (kept in the result). */
  probe(): Promise<Probe>;
}

/** A snapshot during a batch; counters are relative to the batch's start. */
export interface Probe {
  readonly atMs: number;
  readonly switchCpu: number;
  /** The kernel's share of switchCpu (system time: socket calls, loopback delivery). */
  readonly switchCpuSystem: number;
  readonly switchRssKb: number;
  readonly switchFds: number;
  readonly uacCpu: number;
  readonly uasCpu: number;
  readonly mediaCpu: number;
  /** Packets that reached the callers' and the callees' ports. */
  readonly toCallers: number;
  readonly toCallees: number;
  /** Generator ticks skipped so far (the media process was starved). */
  readonly skippedTicks: number;
  /** Sockets of the switch's RTP range, and the media process's two ports. */
  readonly switchUdp: UdpSocketStats;
  readonly mediaUdp: UdpSocketStats;
}

export interface BatchResult {
  readonly spec: BatchSpec;
  readonly uac: SippOutcome;
  readonly uas: SippOutcome;
  readonly wallMs: number;
  /** CPU seconds over the whole batch. */
  readonly switchCpu: number;
  readonly switchCpuSystem: number;
  readonly uacCpu: number;
  readonly uasCpu: number;
  readonly mediaCpu: number;
  /** RTP that reached the callees (sent by callers) and the callers (sent by callees). */
  readonly toCallees: number;
  readonly toCallers: number;
  /**
   * RTP the callers and the callees sent. Counted by the media process when it plays the RTP
   * (plus SIPp's one pcap packet per answered call); estimated as successful calls × packets when
   * SIPp plays it all (exact only when every call succeeded).
   */
  readonly sentByCallers: number;
  readonly sentByCallees: number;
  readonly skippedTicks: number;
  readonly probes: readonly Probe[];
  /** CPU seconds the whole machine was busy over the batch (all processes, ours and others'). */
  readonly machineCpu: number;
  /** 1-minute load average at the end. */
  readonly load1: number;
  /** Datagrams the kernel dropped at the switch's SIP socket (receive buffer full) during the batch. */
  readonly sipDrops: number;
  /** From the UAC's exit until the switch had closed this batch's media (NaN: not within 15 s). */
  readonly drainMs: number;
  /** Set when the switch process died during the batch. */
  readonly switchDied: string | undefined;
}

interface Snapshot {
  readonly media: MediaCounts;
  readonly mediaCpu: number;
}

/** Everything the phases share. */
export class Rig {
  readonly switch: SwitchProcess;
  readonly media: RtpMedia;
  readonly account: Provisioned;
  readonly sources: number;
  readonly #dir: string;
  readonly #uasPort: number;
  readonly #uasMedia: number;
  readonly #uacPort: number;
  readonly #uacMedia: number;

  private constructor(parts: { sw: SwitchProcess; media: RtpMedia; account: Provisioned; dir: string; uasPort: number; uasMedia: number; uacPort: number; uacMedia: number; sources: number }) {
    this.switch = parts.sw;
    this.media = parts.media;
    this.account = parts.account;
    this.#dir = parts.dir;
    this.#uasPort = parts.uasPort;
    this.#uasMedia = parts.uasMedia;
    this.#uacPort = parts.uacPort;
    this.#uacMedia = parts.uacMedia;
    this.sources = parts.sources;
  }

  /** Starts the switch, provisions it over REST, registers the callee and opens the media process. */
  static async start(options: RigOptions): Promise<Rig> {
    const dir = trackDir(mkdtempSync(join(tmpdir(), 'bench-sip-')));
    mkdirSync(join(dir, 'pcap'));
    for (const file of ['bench/sipp/bench-uac.xml', 'bench/sipp/bench-uas.xml', 'test/sipp/register.xml']) {
      copyFileSync(join(ROOT, file), join(dir, file.split('/').at(-1) ?? file));
    }
    const sw = await startSwitchProcess({ rtpPorts: options.rtpPorts, logLevel: options.logLevel, ...(options.nodeArgs !== undefined ? { nodeArgs: options.nodeArgs } : {}) });
    let media: RtpMedia | undefined;
    try {
      const account = await provision(sw.httpPort, options.callers);
      const uasPort = await freePort('127.0.0.1', 'udp');
      const uacPort = await freePort('127.0.0.1', 'udp');
      const uasMedia = await freeMediaBase('127.0.0.1', RTP_OFFSET);
      let uacMedia = await freeMediaBase('127.0.0.1', RTP_OFFSET);
      for (let i = 0; i < 20 && Math.abs(uacMedia - uasMedia) < 8; i++) uacMedia = await freeMediaBase('127.0.0.1', RTP_OFFSET);
      media = await RtpMedia.open(uacMedia + RTP_OFFSET, uasMedia + RTP_OFFSET);
      writeFileSync(join(dir, 'callers.csv'), callersCsv(options.sources, account.callers));
      const reg = await startSipp({
        name: 'register',
        dir,
        args: [
          `127.0.0.1:${sw.sipPort}`, '-sf', 'register.xml', '-i', '127.0.0.1', '-p', String(uasPort), '-m', '1',
          '-key', 'user', CALLEE, '-key', 'domain', account.realm, '-key', 'expires', '3600',
          '-au', CALLEE, '-ap', DEVICE_PASSWORD, '-auth_uri', account.realm, '-timeout', '15s', '-timeout_error',
        ],
      });
      const registered = await reg.done;
      if (registered.exitCode !== 0) throw new Error(`the callee did not register: exit ${registered.exitCode} ${registered.errors}`);
      return new Rig({ sw, media, account, dir, uasPort, uasMedia, uacPort, uacMedia, sources: options.sources });
    } catch (error) {
      await media?.close();
      await sw.stop();
      removeDir(dir);
      throw error;
    }
  }

  /** Runs one batch of calls and measures it. */
  async batch(spec: BatchSpec): Promise<BatchResult> {
    // With the node player SIPp still plays a pcap (its scenario does), of one packet.
    const pcapPackets = spec.player === 'sipp' ? spec.packets : 1;
    writeRtpPcap(join(this.#dir, 'pcap', 'bench-caller.pcap'), pcapPackets, 0x0ca11e12);
    writeRtpPcap(join(this.#dir, 'pcap', 'bench-callee.pcap'), pcapPackets, 0x0ca11ee5);
    const logs = { uac: join(this.#dir, `${spec.name}-uac-media.log`), uas: join(this.#dir, `${spec.name}-uas-media.log`) };
    const sw = this.switch;
    const uas = await startSipp({
      name: `${spec.name}-uas`,
      dir: this.#dir,
      waitForPort: this.#uasPort,
      args: [
        '-sf', 'bench-uas.xml', '-i', '127.0.0.1', '-p', String(this.#uasPort), '-mi', '127.0.0.1', '-mp', String(this.#uasMedia),
        // No -m: a BYE for a call of an earlier batch would count as one of this batch's calls.
        '-timeout', `${spec.timeoutSec + 60}s`, '-timeout_error',
        ...(spec.player === 'node' ? ['-trace_logs', '-log_file', logs.uas] : []),
      ],
    });
    if (spec.player === 'node') {
      this.media.follow('caller', logs.uac, spec.packets);
      this.media.follow('callee', logs.uas, spec.packets);
    }
    const before = await this.#snapshot();
    const sipDrops0 = this.#sipDrops();
    const machine0 = machineBusySeconds();
    const cpu0 = sw.cpu();
    const t0 = Date.now();
    const uac = await startSipp({
      name: `${spec.name}-uac`,
      dir: this.#dir,
      args: [
        `127.0.0.1:${sw.sipPort}`, '-sf', 'bench-uac.xml', '-inf', 'callers.csv', '-t', 'ui', '-ip_field', '0',
        '-key', 'domain', this.account.realm, '-key', 'ext', CALLEE_NUMBER, '-key', 'sip_port', String(this.#uacPort),
        '-key', 'hold_ms', String(spec.holdMs), '-auth_uri', `${CALLEE_NUMBER}@${this.account.realm}`,
        '-i', '127.0.0.1', '-p', String(this.#uacPort), '-mi', '127.0.0.1', '-mp', String(this.#uacMedia),
        '-m', String(spec.calls), '-r', String(spec.rate), '-l', String(Math.max(spec.calls, 100)),
        // No -pause_msg_ign: it would also drop the switch's retransmitted 200s during the hold,
        // which SIPp otherwise answers with a new ACK, as a phone does.
        '-timeout', `${spec.timeoutSec}s`, '-timeout_error',
        ...(spec.player === 'node' ? ['-trace_logs', '-log_file', logs.uac] : []),
      ],
    });
    const probes: Probe[] = [];
    let uacDone = false;
    void uac.done.then(() => {
      uacDone = true;
    });
    const monitor: BatchMonitor = {
      elapsedMs: () => Date.now() - t0,
      running: () => !uacDone,
      callsUp: () => Math.floor((udpSocketStats([this.switch.rtpPorts])[0]?.sockets ?? 0) / 4),
      probe: async () => {
        const now = await this.#snapshot();
        const cpu = sw.cpu();
        const [switchUdp, callerPort, calleePort] = udpSocketStats([
          sw.rtpPorts,
          { min: this.media.callerPort, max: this.media.callerPort },
          { min: this.media.calleePort, max: this.media.calleePort },
        ]);
        const probe: Probe = {
          atMs: Date.now() - t0,
          switchCpu: cpu.total - cpu0.total,
          switchCpuSystem: cpu.system - cpu0.system,
          switchRssKb: sw.rssKb(),
          switchFds: sw.fds(),
          uacCpu: uac.cpu().total,
          uasCpu: uas.cpu().total,
          mediaCpu: now.mediaCpu - before.mediaCpu,
          toCallers: now.media.caller.received - before.media.caller.received,
          toCallees: now.media.callee.received - before.media.callee.received,
          skippedTicks: now.media.skippedTicks - before.media.skippedTicks,
          switchUdp: switchUdp ?? { sockets: 0, drops: 0, queued: 0 },
          mediaUdp: {
            sockets: (callerPort?.sockets ?? 0) + (calleePort?.sockets ?? 0),
            drops: (callerPort?.drops ?? 0) + (calleePort?.drops ?? 0),
            queued: (callerPort?.queued ?? 0) + (calleePort?.queued ?? 0),
          },
        };
        probes.push(probe);
        return probe;
      },
    };
    const uacCpu = { v: 0 };
    const uasCpu = { v: 0 };
    // Sample the SIPp CPU until they exit (a dead process has no /proc entry).
    const sampler = setInterval(() => {
      uacCpu.v = Math.max(uacCpu.v, uac.cpu().total);
      uasCpu.v = Math.max(uasCpu.v, uas.cpu().total);
    }, 200);
    try {
      if (spec.monitor !== undefined) await spec.monitor(monitor);
      const uacOutcome = await uac.done;
      const uacEnded = Date.now();
      // The callee side is done once the switch holds no more call media than before (BYEs to the
      // callee answered), or after 15 s.
      const drained = await this.waitForIdle(15_000, spec.rtpBaseline ?? 0);
      const drainMs = drained.idle ? Date.now() - uacEnded : Number.NaN;
      const uasOutcome = await uas.stop(3000);
      if (spec.player === 'node') this.media.unfollow();
      await sleep(300);
      const after = await this.#snapshot();
      const cpu1 = sw.cpu();
      const machine1 = machineBusySeconds();
      const sent = (side: 'caller' | 'callee'): number =>
        spec.player === 'node' ? after.media[side].sent - before.media[side].sent + uacOutcome.successful : uacOutcome.successful * spec.packets;
      return {
        spec,
        uac: uacOutcome,
        uas: uasOutcome,
        wallMs: Date.now() - t0,
        switchCpu: cpu1.total - cpu0.total,
        switchCpuSystem: cpu1.system - cpu0.system,
        uacCpu: uacCpu.v,
        uasCpu: uasCpu.v,
        mediaCpu: after.mediaCpu - before.mediaCpu,
        toCallees: after.media.callee.received - before.media.callee.received,
        toCallers: after.media.caller.received - before.media.caller.received,
        sentByCallers: sent('caller'),
        sentByCallees: sent('callee'),
        skippedTicks: after.media.skippedTicks - before.media.skippedTicks,
        probes,
        machineCpu: machine1 - machine0,
        load1: loadavg()[0] ?? 0,
        sipDrops: this.#sipDrops() - sipDrops0,
        drainMs,
        switchDied: sw.exitStatus,
      };
    } finally {
      clearInterval(sampler);
    }
  }

  /** Waits until the switch holds no more than `rtpBaseline` sockets of its RTP range (its calls' media closed). */
  async waitForIdle(ms: number, rtpBaseline = 0): Promise<{ idle: boolean; fds: number; rtpSockets: number }> {
    const deadline = Date.now() + ms;
    for (;;) {
      const rtpSockets = udpSocketStats([this.switch.rtpPorts])[0]?.sockets ?? 0;
      if (rtpSockets <= rtpBaseline || Date.now() > deadline || this.switch.exitStatus !== undefined) {
        return { idle: rtpSockets <= rtpBaseline, fds: this.switch.fds(), rtpSockets };
      }
      await sleep(250);
    }
  }

  async close(): Promise<void> {
    await this.media.close();
    await this.switch.stop();
    removeDir(this.#dir);
  }

  #sipDrops(): number {
    return udpSocketStats([{ min: this.switch.sipPort, max: this.switch.sipPort }])[0]?.drops ?? 0;
  }

  async #snapshot(): Promise<Snapshot> {
    return { media: await this.media.counts(), mediaCpu: this.media.cpu().total };
  }
}

/** The -inf file: one row per source address, callers round-robin; SIPp reads rows in order. */
function callersCsv(sources: number, callers: readonly string[]): string {
  const rows = ['SEQUENTIAL'];
  for (let i = 0; i < sources; i++) {
    const user = callers[i % callers.length] ?? 'caller1';
    const ip = `127.0.${1 + Math.floor(i / 254)}.${1 + (i % 254)}`;
    rows.push(`${ip};${user};[authentication username=${user} password=${DEVICE_PASSWORD}]`);
  }
  return `${rows.join('\n')}\n`;
}
