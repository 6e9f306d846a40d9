// The phones' RTP: SIPp never reports received RTP, so every SDP of the benchmark points at
// [media_port+4], where a child process (rtp-media-process.ts) counts what the switch relays to
// the callers and to the callees. It can also play the phones' RTP itself, following SIPp's logs
// (cheaper than SIPp's pcap player, which runs one thread per call). Its CPU is measured apart
// from the switch and the driver.
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { stopChild, track } from '../support/children.ts';
import { cpuTime } from './proc-stats.ts';

export type MediaSide = 'caller' | 'callee';

/** What one side's port has seen and sent since the process started. */
export interface SideCount {
  readonly received: number;
  readonly bytes: number;
  readonly sent: number;
}

export interface MediaCounts {
  readonly caller: SideCount;
  readonly callee: SideCount;
  /** Streams still playing. */
  readonly streams: number;
  /** 20 ms ticks the generator could not catch up (it was starved of CPU). */
  readonly skippedTicks: number;
}

const ZERO: SideCount = { received: 0, bytes: 0, sent: 0 };

/** A running media process. */
export class RtpMedia {
  readonly #child: ChildProcess;
  readonly callerPort: number;
  readonly calleePort: number;
  #seq = 0;
  readonly #waiting = new Map<number, (counts: MediaCounts) => void>();

  private constructor(child: ChildProcess, callerPort: number, calleePort: number) {
    this.#child = child;
    this.callerPort = callerPort;
    this.calleePort = calleePort;
    child.on('message', (message: unknown) => {
      const m = message as { type?: string; id?: number; counts?: Record<MediaSide, SideCount>; streams?: number; skippedTicks?: number };
      if (m.type !== 'counts' || m.id === undefined) return;
      this.#waiting.get(m.id)?.({
        caller: m.counts?.caller ?? ZERO,
        callee: m.counts?.callee ?? ZERO,
        streams: m.streams ?? 0,
        skippedTicks: m.skippedTicks ?? 0,
      });
      this.#waiting.delete(m.id);
    });
  }

  /** Starts the process with its two ports bound on 127.0.0.1. */
  static async open(callerPort: number, calleePort: number): Promise<RtpMedia> {
    const child = track(
      fork(join(import.meta.dirname, 'rtp-media-process.ts'), [String(callerPort), String(calleePort)], {
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      }),
    );
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the RTP media process did not start within 20 s')), 20_000);
      child.on('message', (message: unknown) => {
        const m = message as { type?: string; message?: string };
        if (m.type === 'ready') {
          clearTimeout(timer);
          resolve();
        } else if (m.type === 'error') {
          clearTimeout(timer);
          reject(new Error(`RTP media: ${m.message}`));
        }
      });
      child.once('exit', () => reject(new Error('the RTP media process exited while starting')));
    });
    return new RtpMedia(child, callerPort, calleePort);
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  cpu(): { user: number; system: number; total: number } {
    return cpuTime(this.#child.pid);
  }

  /** Plays `packets` packets from `side`'s port for every "media <call-id> <port>" line SIPp logs to `path`. */
  follow(side: MediaSide, path: string, packets: number): void {
    this.#child.send({ type: 'follow', side, path, packets });
  }

  /** Stops reading the logs (streams already started play to their end). */
  unfollow(): void {
    this.#child.send({ type: 'unfollow' });
  }

  async counts(): Promise<MediaCounts> {
    const id = ++this.#seq;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(id);
        reject(new Error('the RTP media process did not answer within 10 s'));
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
