// One autocannon run in its own process (so the load generator does not share the server's event
// loop), with latencies kept at microsecond resolution (autocannon's own histogram has 1 ms steps).
// Argument: a JSON HttpLoadSpec. Answers one HttpLoadResult over IPC, then exits.
import autocannon from 'autocannon';
import { createHistogram } from 'node:perf_hooks';

export interface HttpLoadSpec {
  readonly url: string;
  readonly token: string;
  readonly connections: number;
  readonly seconds: number;
  /** An unrecorded run first, s. */
  readonly warmupSeconds: number;
}

export interface HttpLoadResult {
  readonly type: 'result';
  /** This process's CPU over the measured run, ms; and the run's wall time, ms. */
  readonly cpuMs: number;
  readonly wallMs: number;
  readonly requests: number;
  readonly rps: number;
  readonly errors: number;
  readonly non2xx: number;
  readonly timeouts: number;
  /** Milliseconds. */
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
  /** Bytes per response (headers included), averaged. */
  readonly bytesPerResponse: number;
}

function run(spec: HttpLoadSpec, seconds: number, onResponse?: (ms: number) => void): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      { url: spec.url, connections: spec.connections, duration: seconds, headers: { 'x-auth-token': spec.token }, timeout: 10 },
      (error: Error | null, result: autocannon.Result) => (error !== null && error !== undefined ? reject(error) : resolve(result)),
    );
    if (onResponse !== undefined) {
      instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
        if (statusCode >= 200 && statusCode < 300) onResponse(responseTime);
      });
    }
  });
}

const spec = JSON.parse(process.argv[2] ?? '{}') as HttpLoadSpec;
if (spec.warmupSeconds > 0) await run(spec, spec.warmupSeconds);
const histogram = createHistogram({ lowest: 1, highest: 60_000_000, figures: 3 });
// The parent takes its CPU snapshots when this arrives.
await new Promise<void>((resolve) => process.send?.({ type: 'measuring' }, () => resolve()));
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const result = await run(spec, spec.seconds, (ms) => histogram.record(Math.min(60_000_000, Math.max(1, Math.round(ms * 1000)))));
const cpu = process.cpuUsage(cpu0);
const wallMs = performance.now() - t0;
const ms = (p: number): number => (histogram.count === 0 ? 0 : histogram.percentile(p) / 1000);
const answer: HttpLoadResult = {
  type: 'result',
  cpuMs: (cpu.user + cpu.system) / 1000,
  wallMs,
  requests: result.requests.total,
  rps: result.requests.total / result.duration,
  errors: result.errors,
  non2xx: result.non2xx,
  timeouts: result.timeouts,
  p50: ms(50),
  p90: ms(90),
  p99: ms(99),
  max: histogram.count === 0 ? 0 : histogram.max / 1000,
  mean: histogram.count === 0 ? 0 : histogram.mean / 1000,
  bytesPerResponse: result.requests.total === 0 ? 0 : result.throughput.total / result.requests.total,
};
process.send?.(answer, () => process.exit(0));
