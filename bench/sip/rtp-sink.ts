// Counts the RTP the switch relays to the SIPp phones. SIPp never reports received RTP, so every
// SDP of the benchmark points at [media_port+4], where this sink listens, in a child process of
// its own (so that its CPU is measured apart from the switch and the driver).
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { stopChild, track } from './children.ts';
import { cpuTime } from './proc-stats.ts';

/** Datagrams and bytes that reached one port. */
export interface PortCount {
  readonly packets: number;
  readonly bytes: number;
}

/** A running sink process. */
export class RtpSink {
  readonly #child: ChildProcess;
  readonly ports: readonly number[];
  #seq = 0;
  readonly #waiting = new Map<number, (counts: Record<number, PortCount>) => void>();

  private constructor(child: ChildProcess, ports: readonly number[]) {
    this.#child = child;
    this.ports = ports;
    child.on('message', (message: unknown) => {
      const m = message as { type?: string; id?: number; counts?: Record<number, PortCount> };
      if (m.type !== 'counts' || m.id === undefined) return;
      this.#waiting.get(m.id)?.(m.counts ?? {});
      this.#waiting.delete(m.id);
    });
  }

  /** Starts a sink listening on `ports` (127.0.0.1); resolves once every port is bound. */
  static async open(ports: readonly number[]): Promise<RtpSink> {
    const child = track(
      fork(join(import.meta.dirname, 'rtp-sink-process.ts'), ports.map(String), {
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      }),
    );
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the RTP sink did not start within 20 s')), 20_000);
      child.on('message', (message: unknown) => {
        const m = message as { type?: string; message?: string };
        if (m.type === 'ready') {
          clearTimeout(timer);
          resolve();
        } else if (m.type === 'error') {
          clearTimeout(timer);
          reject(new Error(`RTP sink: ${m.message}`));
        }
      });
      child.once('exit', () => reject(new Error('the RTP sink exited while starting')));
    });
    return new RtpSink(child, ports);
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  cpu(): { user: number; system: number; total: number } {
    return cpuTime(this.#child.pid);
  }

  /** What reached each port since the sink started. */
  async counts(): Promise<Record<number, PortCount>> {
    const id = ++this.#seq;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(id);
        reject(new Error('the RTP sink did not answer within 10 s'));
      }, 10_000);
      this.#waiting.set(id, (counts) => {
        clearTimeout(timer);
        resolve(counts);
      });
      this.#child.send({ type: 'counts', id });
    });
  }

  async close(): Promise<void> {
    if (this.#child.connected) this.#child.send({ type: 'close' });
    await stopChild(this.#child, 'SIGTERM', 2000);
  }
}
