// Every process a benchmark starts is tracked here and killed when the benchmark ends, however
// it ends (normal exit, thrown error, watchdog, Ctrl-C): no child process outlives it.
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';

const live = new Set<ChildProcess>();
const dirs = new Set<string>();
/** BENCH_KEEP_FILES=1 keeps the SIPp working directories (logs, stats) and the switch's data and log. */
const keepFiles = process.env['BENCH_KEEP_FILES'] === '1';
let hooked = false;

/** Kills every tracked child that is still running (SIGKILL: nothing may be left behind) and removes the tracked directories. */
export function killAllChildren(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  live.clear();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
}

/** Removes `dir` when the benchmark ends, however it ends (unless BENCH_KEEP_FILES=1). */
export function trackDir(dir: string): string {
  hook();
  if (keepFiles) process.stderr.write(`bench: keeping ${dir}\n`);
  else dirs.add(dir);
  return dir;
}

/** Removes a tracked directory now. */
export function removeDir(dir: string): void {
  dirs.delete(dir);
  if (!keepFiles) rmSync(dir, { recursive: true, force: true });
}

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', killAllChildren);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\nbench:sip: ${signal}, stopping every child process\n`);
      killAllChildren();
      process.exit(130);
    });
  }
}

/** Tracks `child` until it exits. */
export function track<C extends ChildProcess>(child: C): C {
  hook();
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** Resolves when `child` has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Sends `signal`, then SIGKILL after `graceMs` if the child is still there; resolves once it is gone. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited(child);
  clearTimeout(timer);
}

/** A promise that resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
