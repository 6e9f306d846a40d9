// Reads what the kernel knows about a process and the UDP sockets: CPU time and resident memory
// from /proc/<pid>, per-socket receive drops from /proc/net/udp.
import { readdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

let ticks: number | undefined;

/** Clock ticks per second of /proc/<pid>/stat times (getconf CLK_TCK, nearly always 100). */
export function clockTicks(): number {
  if (ticks === undefined) {
    const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout ?? '';
    const n = Number(out.trim());
    ticks = Number.isFinite(n) && n > 0 ? n : 100;
  }
  return ticks;
}

/** CPU time a process has used so far, in seconds (user, system); zeros once it is gone. */
export function cpuTime(pid: number | undefined): { user: number; system: number; total: number } {
  if (pid === undefined) return { user: 0, system: 0, total: 0 };
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const user = Number(fields[11]) / clockTicks();
    const system = Number(fields[12]) / clockTicks();
    return { user, system, total: user + system };
  } catch {
    return { user: 0, system: 0, total: 0 };
  }
}

/** Resident set size in KiB (VmRSS), or 0 once the process is gone. */
export function rssKb(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Open file descriptors of a process (sockets included), or 0 once it is gone. */
export function openFds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

/** Threads of a process. */
export function threadCount(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    return Number(/^Threads:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** UDP sockets bound on local ports in [min, max]: how many, and the datagrams the kernel dropped for them. */
export interface UdpSocketStats {
  readonly sockets: number;
  readonly drops: number;
  /** Bytes waiting in their receive queues now. */
  readonly queued: number;
}

/** Sums /proc/net/udp over the sockets whose local port is within one of `ranges`. */
export function udpSocketStats(ranges: readonly { min: number; max: number }[]): UdpSocketStats[] {
  const out = ranges.map(() => ({ sockets: 0, drops: 0, queued: 0 }));
  let table: string;
  try {
    table = readFileSync('/proc/net/udp', 'utf8');
  } catch {
    return out;
  }
  const lines = table.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const cols = lines[i]?.trim().split(/\s+/);
    if (cols === undefined || cols.length < 13) continue;
    const port = parseInt(cols[1]?.split(':')[1] ?? '', 16);
    const rxQueue = parseInt(cols[4]?.split(':')[1] ?? '0', 16);
    const drops = Number(cols[cols.length - 1]);
    ranges.forEach((r, k) => {
      const acc = out[k];
      if (acc === undefined || port < r.min || port > r.max) return;
      acc.sockets += 1;
      acc.drops += Number.isFinite(drops) ? drops : 0;
      acc.queued += Number.isFinite(rxQueue) ? rxQueue : 0;
    });
  }
  return out;
}

/** System-wide UDP counters (/proc/net/snmp): receive-buffer errors and the like. */
export function udpSnmp(): Record<string, number> {
  try {
    const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Udp:'));
    const names = lines[0]?.split(/\s+/).slice(1) ?? [];
    const values = lines[1]?.split(/\s+/).slice(1) ?? [];
    return Object.fromEntries(names.map((n, i) => [n, Number(values[i] ?? 0)]));
  } catch {
    return {};
  }
}

/** CPU seconds the whole machine has spent busy so far (all cores; /proc/stat, idle and iowait excluded). */
export function machineBusySeconds(): number {
  try {
    const cols = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal [guest guest_nice, already in user/nice]
    const busy = (cols[0] ?? 0) + (cols[1] ?? 0) + (cols[2] ?? 0) + (cols[5] ?? 0) + (cols[6] ?? 0) + (cols[7] ?? 0);
    return busy / clockTicks();
  } catch {
    return 0;
  }
}
