// Runs SIPp for the benchmark: from a working directory holding the scenarios and the generated
// pcaps, with statistics to a CSV (-trace_stat) and errors to a file, no message trace (it would
// cost more than the calls). Exit codes: 0 all calls ok, 1 some failed, 255 timeout or fatal.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseStatCsv } from '../../test/support/sipp.ts';
import { portIsBound } from '../../test/support/sipp-ports.ts';
import { sleep, stopChild, track } from '../support/children.ts';
import { cpuTime } from './proc-stats.ts';

/** SIPp's socket buffers above ~1,000 calls/s (MACHINE-NOTES: it drops calls by itself otherwise). */
export const SIPP_BUFFER = 4 * 1024 * 1024;

/** What a finished SIPp run reports. */
export interface SippOutcome {
  readonly exitCode: number;
  readonly signal: NodeJS.Signals | null;
  /** The last row of -trace_stat (cumulative columns end in "(C)"). */
  readonly stats: Readonly<Record<string, string>>;
  readonly created: number;
  readonly successful: number;
  readonly failed: number;
  readonly retransmissions: number;
  /** Mean of the first response-time measure (rtd), in ms. */
  readonly responseMs: number;
  /** The failure counters that are not zero, e.g. "FailedMaxUDPRetrans=3". */
  readonly failures: readonly string[];
  /** Why SIPp aborted calls, most frequent first: `expecting 200 (index 14), got "SIP/2.0 481 ..." ×3`. */
  readonly aborts: readonly string[];
  /** Tail of the error file and stderr. */
  readonly errors: string;
}

export interface SippSpec {
  /** A name for its files. */
  readonly name: string;
  /** Working directory (scenarios and pcap/ live there). */
  readonly dir: string;
  readonly args: readonly string[];
  /** SIP port to wait for (UAS), on 127.0.0.1 UDP. */
  readonly waitForPort?: number;
}

/** A started SIPp. */
export interface SippRun {
  readonly pid: number | undefined;
  readonly done: Promise<SippOutcome>;
  cpu(): { user: number; system: number; total: number };
  /** SIGUSR1 (SIPp stops placing calls and quits), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<SippOutcome>;
}

/** Starts SIPp; with `waitForPort`, resolves once it has bound that port. */
export async function startSipp(spec: SippSpec): Promise<SippRun> {
  const statFile = join(spec.dir, `${spec.name}-stat.csv`);
  const errorFile = join(spec.dir, `${spec.name}-errors.log`);
  const args = [
    ...spec.args,
    '-nostdin',
    '-buff_size',
    String(SIPP_BUFFER),
    '-max_socket',
    '10000',
    '-trace_stat',
    '-stf',
    statFile,
    '-fd',
    '1',
    '-trace_err',
    '-error_file',
    errorFile,
  ];
  const child: ChildProcess = track(spawn('sipp', args, { cwd: spec.dir, stdio: ['ignore', 'ignore', 'pipe'] }));
  let stderr = '';
  child.stderr?.setEncoding('latin1');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-8000);
  });
  const done = new Promise<SippOutcome>((resolve) => {
    child.once('close', (code, signal) => {
      const stats = parseStatCsv(readText(statFile));
      const errorText = readText(errorFile);
      const num = (key: string): number => Number(stats[key] ?? 0) || 0;
      const failures = Object.entries(stats)
        .filter(([k, v]) => k.startsWith('Failed') && k.endsWith('(C)') && k !== 'FailedCall(C)' && v !== '0' && v !== '')
        .map(([k, v]) => `${k.replace(/^Failed|\(C\)$/g, '')}=${v}`);
      resolve({
        exitCode: code ?? -1,
        signal,
        stats,
        created: num('TotalCallCreated'),
        successful: num('SuccessfulCall(C)'),
        failed: num('FailedCall(C)'),
        retransmissions: num('Retransmissions(C)'),
        responseMs: durationMs(stats['ResponseTime1(C)'] ?? ''),
        failures,
        aborts: summarizeAborts(errorText),
        errors: [errorText.split('\n').filter((l) => !l.includes('Failed to delete FD from epoll')).slice(-8).join('\n'), stderr.slice(-2000)]
          .map((s) => s.trim())
          .filter((s) => s !== '')
          .join('\n'),
      });
    });
  });
  const run: SippRun = {
    pid: child.pid,
    done,
    cpu: () => cpuTime(child.pid),
    async stop(graceMs = 3000) {
      await stopChild(child, 'SIGUSR1', graceMs);
      return done;
    },
  };
  if (spec.waitForPort !== undefined) {
    const deadline = Date.now() + 10_000;
    while (!portIsBound('127.0.0.1', spec.waitForPort, 'udp')) {
      if (child.exitCode !== null || Date.now() > deadline) {
        await stopChild(child, 'SIGKILL', 0);
        const outcome = await done;
        throw new Error(`SIPp ${spec.name} did not bind port ${spec.waitForPort}: exit ${outcome.exitCode} ${outcome.errors}`);
      }
      await sleep(20);
    }
  }
  return run;
}

/** Counts SIPp's "Aborting call on unexpected message" lines by what was expected and what came. */
function summarizeAborts(text: string): string[] {
  const counts = new Map<string, number>();
  for (const m of text.matchAll(/Aborting call on unexpected message for Call-Id '[^']*': while expecting '([^']*)' \(index (\d+)\), received '([^\r\n]*)/g)) {
    const key = `expecting ${m[1]} (index ${m[2]}), got "${(m[3] ?? '').trim()}"`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  for (const m of text.matchAll(/Aborting call on an unexpected (\w+)/g)) {
    const key = `unexpected ${m[1]} (SIPp answered it and closed the call)`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const timeouts = [...text.matchAll(/timed out after/g)].length;
  const out = [...counts].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ×${n}`);
  if (timeouts > 0) out.push('SIPp -timeout reached (calls still open were counted failed)');
  return out;
}

/** SIPp's "HH:MM:SS:mmmuuu" duration in ms. */
function durationMs(text: string): number {
  const m = /^(\d+):(\d+):(\d+):(\d{3})(\d{3})$/.exec(text.trim());
  if (m === null) return 0;
  return ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000 + Number(m[4]) + Number(m[5]) / 1000;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return '';
  }
}
