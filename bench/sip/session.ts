// A rig that can be replaced. A step can leave calls behind in the switch: when SIPp gives up on
// calls (its -timeout), their callers never send BYE and the switch keeps them anchored (it has no
// media timeout). A few such calls are carried as a baseline; past MAX_STUCK_CALLS the switch is
// restarted, so that they do not load the later steps. Both are reported. Each rig is warmed up
// (JIT, first allocations) before it is measured.
import { Rig, type RigOptions } from './rig.ts';

/** Calls left behind after which the switch is restarted. */
const MAX_STUCK_CALLS = 25;

/** The phase's current rig, with the calls it carries and its restarts. */
export class RigSession {
  readonly #options: RigOptions;
  readonly #findings: string[];
  readonly #log: (line: string) => void;
  #rig: Rig | undefined;
  #idleRssKb = 0;
  #stuckSockets = 0;
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

  /** RTP-range sockets of calls that never ended (4 per call), carried from step to step. */
  get stuckSockets(): number {
    return this.#stuckSockets;
  }

  /** RSS of the switch right after it started (before any call). */
  get startRssKb(): number {
    return this.#idleRssKb;
  }

  async start(): Promise<void> {
    const rig = await Rig.start(this.#options);
    this.#rig = rig;
    this.#idleRssKb = rig.switch.rssKb();
    this.#stuckSockets = 0;
    const warm = await rig.batch({ name: `warm-up-${this.restarts}`, calls: 60, rate: 30, holdMs: 1500, packets: 25, player: 'sipp', timeoutSec: 30 });
    if (warm.uac.failed > 0 || warm.uac.successful < 60) {
      this.#findings.push(`warm-up: ${warm.uac.successful}/60 calls succeeded (${warm.uac.failures.join(' ')})`);
    }
    await this.settle('warm-up', 10_000);
  }

  /**
   * After a step: waits up to `ms` for the switch to close the step's media, records calls left
   * behind (and restarts the switch past MAX_STUCK_CALLS). Returns a word for the results table.
   */
  async settle(step: string, ms: number): Promise<string> {
    const idle = await this.rig.waitForIdle(ms, this.#stuckSockets);
    if (idle.idle) return 'yes';
    const stuck = Math.ceil((idle.rtpSockets - this.#stuckSockets) / 4);
    this.#stuckSockets = idle.rtpSockets;
    const total = Math.ceil(this.#stuckSockets / 4);
    const what = `${step} left ${stuck} call(s) anchored ${Math.round(ms / 1000)} s after its last call ended`;
    if (total > MAX_STUCK_CALLS) {
      await this.restart(`${what} (${total} in all)`);
    } else {
      this.#findings.push(what);
      this.#log(`  ${what}`);
    }
    return `no: ${stuck} call(s) left`;
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
