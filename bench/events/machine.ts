// What the benchmark ran on, and how busy the machine was around each measurement: on a shared
// 2-core box, other processes' CPU is the first thing that limits a latency figure.
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';

export interface MachineInfo {
  readonly cores: number;
  readonly model: string;
  readonly node: string;
  readonly kernel: string;
  readonly memGiB: number;
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return { cores: list.length, model: list[0]?.model ?? 'unknown', node: process.version, kernel: release(), memGiB: Math.round(totalmem() / 2 ** 30) };
}

/** Jiffies of the whole machine (/proc/stat), busy and total. */
export interface CpuSnapshot {
  readonly busy: number;
  readonly total: number;
}

export function machineCpu(): CpuSnapshot {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = f;
    const busy = user + nice + system + irq + softirq + steal;
    return { busy, total: busy + idle + iowait };
  } catch {
    return { busy: 0, total: 0 };
  }
}

/** Busy CPU between two snapshots, in cores (0..cores). */
export function busyCores(a: CpuSnapshot, b: CpuSnapshot): number {
  const total = b.total - a.total;
  return total <= 0 ? 0 : ((b.busy - a.busy) / total) * cpus().length;
}

/** CPU seconds a process has used (/proc/<pid>/stat, user + system); 0 once it is gone. */
export function processCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/**
 * Waits (at most `maxWaitMs`) for a 2-second window in which the machine is busier than
 * `thresholdCores` no more; returns the busy cores of the last window seen.
 */
export async function waitForQuiet(maxWaitMs: number, thresholdCores: number, log: (line: string) => void): Promise<number> {
  const end = Date.now() + maxWaitMs;
  let told = false;
  for (;;) {
    const a = machineCpu();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const busy = busyCores(a, machineCpu());
    if (busy <= thresholdCores || Date.now() >= end) return busy;
    if (!told) log(`machine busy (${busy.toFixed(2)} cores used by other processes, load ${loadavg()[0]?.toFixed(2)}); waiting up to ${Math.round(maxWaitMs / 1000)} s for it to quiet down`);
    told = true;
  }
}
