// npm run bench:recording — what recording costs: N bridged calls relay G.711 RTP both ways (20 ms
// packets from a generator in a child process), first without recording, then with every call
// recorded. Reports the switch process's extra CPU per recording, the disk write rate, the event
// loop's delay, and the time to store each finished recording. Prints a Markdown table for
// docs/benchmarks.md. BENCH_CALLS="25,50,100,200" and BENCH_SECONDS=10 change the steps.
import { fork, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Bridge, CallRecordings, Channel, StoreRecordingArchive, type ChannelProfile } from '../src/calls/index.ts';
import { SystemClock, silentLogger } from '../src/lib/index.ts';
import { encodeG711, MediaEngine, serializeRtp } from '../src/media/index.ts';
import { openStore } from '../src/store/index.ts';

const STEPS = (process.env['BENCH_CALLS'] ?? '25,50,100,200').split(',').map(Number);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);

// ── generator (child process): sends 50 packets/s to each given port, drains what comes back ──
if (process.argv[2] === '--generator') {
  const socket = createSocket({ type: 'udp4', recvBufferSize: 8 * 1024 * 1024 });
  socket.on('message', () => undefined);
  socket.bind(0, '127.0.0.1', () => process.send?.({ port: socket.address().port }));
  let ports: number[] = [];
  let seq = 0;
  const tone = new Int16Array(160);
  const payloads = [0, 1, 2, 3].map((k) => {
    for (let i = 0; i < 160; i++) tone[i] = Math.round(3000 * Math.sin((2 * Math.PI * 440 * (k * 160 + i)) / 8000));
    return Buffer.from(encodeG711('PCMA', tone));
  });
  process.on('message', (m: { ports?: number[] }) => {
    if (m.ports !== undefined) ports = m.ports;
  });
  process.on('disconnect', () => process.exit(0));
  const start = Date.now();
  const tick = (): void => {
    seq++;
    ports.forEach((port, i) => {
      const packet = serializeRtp({ marker: false, payloadType: 8, sequenceNumber: seq & 0xffff, timestamp: seq * 160, ssrc: 0x10000 + i, payload: payloads[seq % 4] ?? Buffer.alloc(160) });
      socket.send(packet, port, '127.0.0.1');
    });
    // Paced on the wall clock, so a late tick does not shift the next ones.
    setTimeout(tick, Math.max(0, start + (seq + 1) * 20 - Date.now()));
  };
  tick();
} else {
  await main();
}

interface Generator {
  readonly child: ChildProcess;
  readonly port: number;
}

async function startGenerator(): Promise<Generator> {
  const child = fork(new URL(import.meta.url).pathname, ['--generator'], { execArgv: ['--import', 'tsx'] });
  const port = await new Promise<number>((resolve) => child.once('message', (m: { port: number }) => resolve(m.port)));
  return { child, port };
}

/** Bytes this process has handed to write(2) so far (`wchar` of /proc/self/io). */
function bytesWritten(): number {
  const line = readFileSync('/proc/self/io', 'utf8').split('\n').find((l) => l.startsWith('wchar:'));
  return Number(line?.split(':')[1] ?? 0);
}

/** CPU of this process over `seconds`, in % of one core, and the event loop's p99 delay in ms. */
async function measure(seconds: number): Promise<{ cpu: number; wrote: number; lagP99: number; elapsed: number }> {
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const cpu0 = process.cpuUsage();
  const io0 = bytesWritten();
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const elapsed = (performance.now() - t0) / 1000;
  const used = process.cpuUsage(cpu0);
  lag.disable();
  return { cpu: ((used.user + used.system) / 1e6 / elapsed) * 100, wrote: (bytesWritten() - io0) / elapsed, lagP99: lag.percentile(99) / 1e6, elapsed };
}

interface Row {
  calls: number;
  relayCpu: number;
  recordCpu: number;
  perRecording: number;
  usPerPacket: number;
  diskKBs: number;
  relayLagP99: number;
  lagP99: number;
  storeMs: number;
  delivered: number;
}

async function step(calls: number, dir: string): Promise<Row> {
  const clock = new SystemClock();
  const engine = new MediaEngine({ address: '127.0.0.1', portRange: { min: 0, max: 0 }, clock, logger: silentLogger });
  const store = await openStore({ dataDir: 'memory://', clock, logger: silentLogger });
  const recordings = await CallRecordings.open({ engine, clock, logger: silentLogger, directory: dir, archive: new StoreRecordingArchive(store) });
  const generator = await startGenerator();
  const bridges: Bridge[] = [];
  const profile = (uuid: string): ChannelProfile => ({
    uuid, direction: 'inbound', accountId: '0'.repeat(32), realm: 'bench.test', callerIdName: 'bench', callerIdNumber: '1000',
    calleeIdName: 'bench', calleeIdNumber: '2000', destination: '2000', fromUri: 'sip:1000@bench.test', toUri: 'sip:2000@bench.test', requestUri: 'sip:2000@bench.test',
  });
  try {
    for (let i = 0; i < calls; i++) {
      const legs: Channel[] = [];
      for (const side of ['a', 'b']) {
        const media = await engine.createEndpoint();
        media.setFormat({ codec: 'PCMA', payloadType: 8 });
        media.setRemote({ address: '127.0.0.1', port: generator.port });
        const channel = new Channel(profile(`${side}-${i}`), media, clock, silentLogger);
        channel.transition('answered');
        legs.push(channel);
      }
      const [a, b] = legs as [Channel, Channel];
      bridges.push(new Bridge(engine, a, b));
    }
    generator.child.send({ ports: bridges.flatMap((b) => [b.a.media.port, b.b.media.port]) });
    await sleep(2000);
    const relay = await measure(SECONDS);
    // Calls start recording at different moments in real life: spread the starts over one second
    // (so the recorders' once-a-second flushes do not all fall on the same tick).
    for (const [i, b] of bridges.entries()) {
      recordings.start(b.a, b);
      if (i % 10 === 9) await sleep((10 * 1000) / calls);
    }
    await sleep(1000);
    const packets0 = bridges.reduce((n, b) => n + b.relay.counters('aToB').packets + b.relay.counters('bToA').packets, 0);
    const rec = await measure(SECONDS);
    const packets = bridges.reduce((n, b) => n + b.relay.counters('aToB').packets + b.relay.counters('bToA').packets, 0) - packets0;
    const t0 = performance.now();
    await Promise.all(bridges.map((b) => recordings.stop(b.a)));
    const storeMs = (performance.now() - t0) / calls;
    const extra = rec.cpu - relay.cpu;
    return {
      calls,
      relayCpu: relay.cpu,
      recordCpu: rec.cpu,
      perRecording: extra / calls,
      usPerPacket: ((extra / 100) * rec.elapsed * 1e6) / Math.max(1, packets),
      diskKBs: rec.wrote / 1000,
      relayLagP99: relay.lagP99,
      lagP99: rec.lagP99,
      storeMs,
      delivered: packets / (calls * 2 * 50 * rec.elapsed),
    };
  } finally {
    generator.child.kill();
    for (const b of bridges) b.a.hangup();
    await recordings.close();
    await engine.close();
    await store.close();
  }
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'sb-bench-rec-'));
  const rows: Row[] = [];
  try {
    for (const calls of STEPS) rows.push(await step(calls, dir));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const f = (n: number, d = 1): string => n.toFixed(d);
  console.log(`\n${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, ${SECONDS} s windows, WAVs on ${tmpdir()}\n`);
  console.log('| recorded calls | switch CPU, relay only | with recording | extra CPU per recording | per recorded packet | disk writes | expected | event loop p99, relay only → recording | store a recording | RTP delivered |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(
      `| ${r.calls} | ${f(r.relayCpu)} % | ${f(r.recordCpu)} % | ${f(r.perRecording, 2)} % | ${f(r.usPerPacket)} µs | ${f(r.diskKBs, 0)} kB/s | ${r.calls * 32} kB/s | ${f(r.relayLagP99)} → ${f(r.lagP99)} ms | ${f(r.storeMs)} ms | ${f(r.delivered * 100)} % |`,
    );
  }
}
