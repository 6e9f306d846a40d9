// Rising load steps with repeats at the boundary: the shared machine is noisy (the same step can
// pass in one run and fail in the next), so a step that fails is run again and decided by
// majority, and the highest passing step is repeated too so that its figures are medians.

/** The outcome of one run of one step. */
export interface StepRun {
  readonly value: number;
  readonly attempt: number;
  readonly pass: boolean;
}

export interface SweepResult<R extends StepRun> {
  readonly runs: readonly R[];
  /** The highest step that passed in a majority of its runs. */
  readonly best: number | undefined;
  /** The first step that failed in a majority of its runs. */
  readonly failedAt: number | undefined;
  /** Steps skipped because the time budget ran out. */
  readonly skipped: readonly number[];
}

export interface SweepOptions {
  readonly values: readonly number[];
  /** Runs of a boundary step (odd; 1 disables repeats). */
  readonly repeats: number;
  /** Wall-clock time (Date.now()) after which no new run starts. */
  readonly deadline: number;
}

/** Runs `values` in order, stopping at the first that fails by majority. */
export async function sweep<R extends StepRun>(options: SweepOptions, run: (value: number, attempt: number) => Promise<R>): Promise<SweepResult<R>> {
  const runs: R[] = [];
  const skipped: number[] = [];
  const majority = Math.floor(options.repeats / 2) + 1;
  const of = (value: number): R[] => runs.filter((r) => r.value === value);
  const decided = (value: number): 'pass' | 'fail' | undefined => {
    const mine = of(value);
    const passes = mine.filter((r) => r.pass).length;
    const fails = mine.length - passes;
    if (mine.length === 1 && passes === 1) return 'pass'; // a first-time pass is not repeated (unless it is the boundary)
    if (passes >= majority) return 'pass';
    if (fails >= majority) return 'fail';
    if (mine.length >= options.repeats) return passes > fails ? 'pass' : 'fail';
    return undefined;
  };
  let lastPass: number | undefined;
  let failedAt: number | undefined;
  for (const value of options.values) {
    if (Date.now() > options.deadline) {
      skipped.push(value);
      continue;
    }
    let verdict: 'pass' | 'fail' | undefined;
    while (verdict === undefined) {
      if (Date.now() > options.deadline && of(value).length > 0) {
        verdict = of(value).some((r) => r.pass) ? 'pass' : 'fail';
        break;
      }
      runs.push(await run(value, of(value).length + 1));
      verdict = decided(value);
    }
    if (verdict === 'pass') {
      lastPass = value;
      continue;
    }
    failedAt = value;
    skipped.push(...options.values.slice(options.values.indexOf(value) + 1));
    break;
  }
  // Repeat the boundary so that its figures are medians.
  let best = lastPass;
  if (lastPass !== undefined && failedAt !== undefined) {
    while (of(lastPass).length < options.repeats && Date.now() < options.deadline) runs.push(await run(lastPass, of(lastPass).length + 1));
    const passes = of(lastPass).filter((r) => r.pass).length;
    if (passes < majority && of(lastPass).length >= options.repeats) {
      const below = options.values.filter((v) => v < (lastPass ?? 0));
      best = below.at(-1);
    }
  }
  return { runs, best, failedAt, skipped };
}

/** The median of `values` (NaN when empty). */
export function median(values: readonly number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}
