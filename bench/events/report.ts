// The Markdown bench:events prints, for the "Events and channels" section of docs/benchmarks.md.
import type { ListingResult } from './channel-listing.ts';
import type { EventBenchResult, EventPhaseResult } from './event-delivery.ts';
import type { MachineInfo } from './machine.ts';

const f = (n: number, digits = 1): string => n.toFixed(digits);
const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const pct = (n: number): string => `${Math.round(n)}%`;
const lag = (ms: number): string => (ms >= 1000 ? `${f(ms / 1000, 1)} s` : `${Math.round(ms)} ms`);

/** Server CPU time per delivery over the publishing window (the fan-out runs inside publish). */
function perDeliveryUs(p: EventPhaseResult): number {
  return p.client.deliveries === 0 ? 0 : ((p.serverCpuPct / 100) * p.publishMs * 1000) / p.client.deliveries;
}

export function formatEvents(r: EventBenchResult, seconds: number): string {
  const lines = [
    `${r.sockets} sockets (${r.createSubscribers} also on \`call.CHANNEL_CREATE.*\`, so a CHANNEL_CREATE gives ${r.sockets + r.createSubscribers} deliveries), ` +
      `${r.connectFailed} failed to connect; opened and subscribed in ${int(r.connectMs)} ms. Events cycle CREATE → ANSWER → DESTROY, ` +
      `${int(r.messageBytes)}-byte frames, ${seconds} s per rate. Clock offset between the processes ${f(r.clockOffsetMs, 3)} ms ± ${f(r.clockRttMs / 2, 3)}.`,
    '',
    '| events/s offered | published | deliveries (expected) | deliveries/s | p50 ms | p90 ms | p99 ms | max ms | one publish() p50 / p99 ms | server CPU (µs per delivery) | client CPU | other processes | overflow notices / dropped / closed |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const p of r.phases) {
    const c = p.client;
    lines.push(
      `| ${int(p.rate)} | ${int(p.published)} in ${f(p.publishMs / 1000, 1)} s (${int(p.published / (p.publishMs / 1000))}/s, lag ≤ ${lag(p.maxPublishLagMs)}) | ${int(c.deliveries)} (${int(c.expected)}) | ${int(p.deliveriesPerSec)} | ` +
        `${f(c.latency.p50, 2)} | ${f(c.latency.p90, 2)} | ${f(c.latency.p99, 2)} | ${f(c.latency.max, 1)} | ${f(p.publishCall.p50, 2)} / ${f(p.publishCall.p99, 2)} | ` +
        `${pct(p.serverCpuPct)} (${f(perDeliveryUs(p), 1)}) | ${pct(p.clientCpuPct)} | ${f(p.othersCores, 2)} cores | ${c.droppingNotices} / ${int(c.droppedReported)} / ${c.socketsClosed} |`,
    );
  }
  return lines.join('\n');
}

export function formatListing(r: ListingResult, seconds: number): string {
  const lines = [
    `${r.legs} live legs (real Channels with media endpoints, answered and bridged in pairs), built in ${int(r.buildMs)} ms; autocannon ${seconds} s per row in its own process.`,
    '',
    '| request | channels returned | bytes | connections | req/s | p50 ms | p90 ms | p99 ms | max ms | errors | server CPU | autocannon CPU | other processes |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const row of r.rows) {
    const l = row.load;
    lines.push(
      `| \`${row.route}\`${row.churnPerSecond !== undefined ? `, ${int(row.churnPerSecond)} leg changes/s` : ''} | ${row.rows === 0 ? '–' : int(row.rows)} | ${int(l.bytesPerResponse)} | ${row.connections} | ${int(l.rps)} | ${f(l.p50, 2)} | ${f(l.p90, 2)} | ${f(l.p99, 2)} | ${f(l.max, 1)} | ` +
        `${l.errors + l.non2xx + l.timeouts} | ${pct(row.serverCpuPct)} | ${pct(row.loadCpuPct)} | ${f(row.othersCores, 2)} cores |`,
    );
  }
  return lines.join('\n');
}

export function formatMachine(m: MachineInfo): string {
  return `Machine: ${m.cores} × ${m.model}, ${m.memGiB} GiB, Linux ${m.kernel}, Node ${m.node}.`;
}
