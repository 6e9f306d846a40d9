// The "phones" of the music-on-hold benchmark, in a child process so that their receive times are
// not delayed by the switch's own event loop: one UDP socket receives every held leg's music;
// streams are told apart by their source port (one RTP socket per leg). For each packet after a
// stream's first it records how far the inter-arrival gap is from the 20 ms packetization time.
import { createSocket } from 'node:dgram';
import { createHistogram } from 'node:perf_hooks';

/** Parent → sink. */
export type SinkCommand = { type: 'reset' } | { type: 'report' };

/** Sink → parent. */
export type SinkMessage =
  | { type: 'ready'; port: number }
  | { type: 'reset' }
  | { type: 'report'; report: SinkReport };

/** What the sink saw since the last reset. */
export interface SinkReport {
  /** Seconds since the reset. */
  readonly elapsed: number;
  readonly packets: number;
  /** Streams (source ports) heard from. */
  readonly streams: number;
  /** |gap − 20 ms|, in ms. */
  readonly jitterP50: number;
  readonly jitterP99: number;
  readonly jitterMax: number;
  /** The sink's own CPU, in % of one core. */
  readonly cpu: number;
}

const PTIME_US = 20_000;
const socket = createSocket({ type: 'udp4', recvBufferSize: 16 * 1024 * 1024 });
// Source port → receive time (µs) of the stream's last packet.
const last = new Map<number, number>();
let jitter = createHistogram({ lowest: 1, highest: 60_000_000, figures: 3 });
let packets = 0;
let since = performance.now();
let cpu0 = process.cpuUsage();

socket.on('message', (_msg, rinfo) => {
  const now = performance.now() * 1000;
  packets++;
  const prev = last.get(rinfo.port);
  last.set(rinfo.port, now);
  if (prev !== undefined) jitter.record(Math.max(1, Math.round(Math.abs(now - prev - PTIME_US))));
});

const reply = (m: SinkMessage): void => {
  process.send?.(m);
};

process.on('message', (m: SinkCommand) => {
  if (m.type === 'reset') {
    // Keep `last`: the next gap of each stream is still a real gap.
    jitter = createHistogram({ lowest: 1, highest: 60_000_000, figures: 3 });
    packets = 0;
    since = performance.now();
    cpu0 = process.cpuUsage();
    reply({ type: 'reset' });
  } else {
    const elapsed = (performance.now() - since) / 1000;
    const used = process.cpuUsage(cpu0);
    const ms = (us: number): number => (jitter.count === 0 ? 0 : us / 1000);
    reply({
      type: 'report',
      report: {
        elapsed,
        packets,
        streams: last.size,
        jitterP50: ms(jitter.percentile(50)),
        jitterP99: ms(jitter.percentile(99)),
        jitterMax: ms(jitter.max),
        cpu: ((used.user + used.system) / 1e6 / elapsed) * 100,
      },
    });
  }
});
process.on('disconnect', () => {
  socket.close();
  process.exit(0);
});
socket.bind(0, '127.0.0.1', () => reply({ type: 'ready', port: socket.address().port }));
