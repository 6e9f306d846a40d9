// npm run bench:api — requests/s and latency of a device GET and a device PUT at fixed
// concurrency, on both document backends. Prints a Markdown table for docs/benchmarks.md.
import autocannon from 'autocannon';
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { backends } from '../test/support/backends.ts';
import { startHarness } from '../test/support/api-harness.ts';

const DURATION = Number(process.env['BENCH_SECONDS'] ?? 10);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 10);

interface Row {
  backend: string;
  op: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

async function run(url: string, token: string, method: 'GET' | 'PUT', bodyFor?: () => string): Promise<autocannon.Result> {
  return autocannon({
    url,
    method,
    connections: CONNECTIONS,
    duration: DURATION,
    headers: { 'content-type': 'application/json', 'x-auth-token': token },
    ...(bodyFor !== undefined
      ? {
          requests: [
            {
              method,
              setupRequest: (req: autocannon.Request) => ({ ...req, body: bodyFor() }),
            },
          ],
        }
      : {}),
  });
}

const rows: Row[] = [];
for (const make of backends()) {
  const backend = make();
  const h = await startHarness(backend);
  try {
    const a = await h.account(`Bench${randomBytes(3).toString('hex')}`);
    const created = await a.client.put(`/v2/accounts/${a.accountId}/devices`, { name: 'bench', sip: { username: 'bench', password: 'xsecret' } });
    const id = String((created.body['data'] as Record<string, unknown>)['id']);
    const get = await run(`${h.client.base}/v2/accounts/${a.accountId}/devices/${id}`, a.token, 'GET');
    let i = 0;
    const put = await run(`${h.client.base}/v2/accounts/${a.accountId}/devices`, a.token, 'PUT', () =>
      JSON.stringify({ data: { name: `d${i}`, sip: { username: `u${i++}-${randomBytes(3).toString('hex')}`, password: 'xsecret' } } }),
    );
    for (const [op, r] of [['device GET', get], ['device PUT', put]] as const) {
      rows.push({ backend: backend.name, op, rps: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx });
    }
  } finally {
    await h.close();
    await backend.cleanup();
  }
}

process.stdout.write(`\nMachine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; ${CONNECTIONS} connections, ${DURATION} s each.\n\n`);
process.stdout.write('| backend | request | requests/s | p50 ms | p99 ms | errors |\n|---|---|---|---|---|---|\n');
for (const r of rows) process.stdout.write(`| ${r.backend} | ${r.op} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.errors} |\n`);
