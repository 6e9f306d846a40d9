import { SwitchboardError, type Logger } from '../lib/index.ts';
import type { MetaflowContext, MetaflowModule, MetaflowNode, MetaflowOutcome } from './metaflow-module.ts';

/** A node names a module nobody implements. */
export class UnknownMetaflowModule extends SwitchboardError {
  readonly module: string;
  constructor(module: string) {
    super('unknown_metaflow_module', `unable to find metaflow module ${module}`);
    this.module = module;
  }
}

/** Nodes one run may execute (a loop guard). */
const MAX_NODES = 32;

/**
 * Runs metaflow trees on live calls (KAZOO `konami_code_exe`, reference §3.5): each module runs
 * only through `calls` commands; `continue` runs the `_` child, `branch` a named child (else `_`).
 */
export class MetaflowExecutor {
  readonly #modules = new Map<string, MetaflowModule>();
  readonly #log: Logger;

  constructor(modules: readonly MetaflowModule[], logger: Logger) {
    for (const m of modules) this.register(m);
    this.#log = logger.child({ category: 'metaflow' });
  }

  register(module: MetaflowModule): void {
    this.#modules.set(module.name, module);
  }

  has(name: string): boolean {
    return this.#modules.has(name);
  }

  get moduleNames(): string[] {
    return [...this.#modules.keys()].sort();
  }

  /**
   * Runs the first node now (its errors — unknown module, a command that cannot run — reject the
   * returned promise so an API caller can answer 400), then the children in the background.
   */
  async run(context: MetaflowContext, node: MetaflowNode): Promise<void> {
    const first = await this.#step(context, node);
    void this.#rest(context, node, first).catch((error: unknown) => this.#log.warn({ err: error, channel: context.channel.uuid }, 'metaflow child failed'));
  }

  async #step(context: MetaflowContext, node: MetaflowNode): Promise<MetaflowOutcome> {
    const module = this.#modules.get(node.module);
    if (module === undefined) throw new UnknownMetaflowModule(node.module);
    return module.run(context, node.data ?? {});
  }

  async #rest(context: MetaflowContext, node: MetaflowNode, outcome: MetaflowOutcome): Promise<void> {
    let current = node;
    let last = outcome;
    for (let steps = 1; steps < MAX_NODES && !context.channel.closed; steps++) {
      const children = current.children ?? {};
      const next = last.kind === 'stop' ? undefined : last.kind === 'branch' ? (children[last.key] ?? children['_']) : children['_'];
      if (next === undefined) return;
      current = next;
      last = await this.#step(context, current);
    }
  }
}
