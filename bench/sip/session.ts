// A rig that can be replaced: a step that leaves calls behind in the switch (their sockets still
// open long after the last BYE) would load every later step, so the phase restarts the switch and
// the finding is reported. Each rig is warmed up (JIT, first allocations) before it is measured.
import { Rig, type RigOptions } from './rig.ts';

export class RigSession {
  readonly #options: RigOptions;
  readonly #findings: string[];
  readonly #log: (line: string) => void;
  #rig: Rig | undefined;
  #idleFds = 0;
  #idleRssKb = 0;
  restarts = 0;

  constructor(options: RigOptions, findings: string[], log: (line: string) => void) {
    this.#options = options;
    this.#findings = findings;
    this.#log = log;
  }

  get rig(): Rig {
    if (this.#rig === undefined) throw new Error('no rig started');
    return this.#rig;
  }

  /** Descriptors of the warmed-up, idle switch. */
  get idleFds(): number {
    return this.#idleFds;
  }

  /** RSS of the switch right after it started (before any call). */
  get startRssKb(): number {
    return this.#idleRssKb;
  }

  async start(): Promise<void> {
    const rig = await Rig.start(this.#options);
    this.#rig = rig;
    this.#idleRssKb = rig.switch.rssKb();
    const warm = await rig.batch({ name: `warm-up-${this.restarts}`, calls: 60, rate: 30, holdMs: 1500, packets: 25, player: 'sipp', timeoutSec: 30 });
    if (warm.uac.failed > 0 || warm.uac.successful < 60) {
      this.#findings.push(`warm-up: ${warm.uac.successful}/60 calls succeeded (${warm.uac.failures.join(' ')})`);
    }
    const idle = await rig.waitForIdle(Number.MAX_SAFE_INTEGER, 20_000);
    this.#idleFds = idle.fds;
  }

  /** Stops the current switch (recording why) and starts a fresh one. */
  async restart(reason: string): Promise<void> {
    this.#log(`  restarting the switch: ${reason}`);
    this.#findings.push(`switch restarted: ${reason}`);
    await this.close();
    this.restarts += 1;
    await this.start();
  }

  /** Records a dead switch, then closes. */
  async close(): Promise<void> {
    const rig = this.#rig;
    this.#rig = undefined;
    if (rig === undefined) return;
    if (rig.switch.exitStatus !== undefined) this.#findings.push(`the switch process exited by itself (${rig.switch.exitStatus}):\n${rig.switch.logTail(15)}`);
    await rig.close();
  }
}
