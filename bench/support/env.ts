/** A benchmark knob from the environment: a non-negative number, or `fallback` when unset or empty. */
export function envNumber(name: string, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name}: expected a non-negative number, got '${raw}'`);
  return n;
}

/** A knob holding comma-separated positive numbers (rates, sizes), or `fallback` when unset or empty. */
export function envNumbers(name: string, fallback: readonly number[], env: NodeJS.ProcessEnv = process.env): number[] {
  const raw = env[name];
  if (raw === undefined || raw === '') return [...fallback];
  const values = raw.split(',').map((s) => Number(s.trim()));
  if (values.some((v) => !Number.isFinite(v) || v <= 0)) throw new Error(`${name}: expected comma-separated positive numbers, got '${raw}'`);
  return values;
}
