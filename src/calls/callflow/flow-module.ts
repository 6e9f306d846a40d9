import type { StoredDoc } from '../../store/index.ts';
import type { CallContext } from '../call-context.ts';
import type { DialTarget } from '../dialer.ts';
import type { CallerSession } from '../caller-session.ts';
import type { ContactLocator } from '../ports.ts';
import type { EndpointDirectory } from '../../documents/index.ts';

/** What a module run says next (KAZOO's callflow semantics, docs/calls.md). */
export type FlowOutcome =
  | { readonly kind: 'continue' }
  | { readonly kind: 'branch'; readonly key: string }
  | { readonly kind: 'stop' }
  /** A bridging module found nobody: the `_` child runs, else the caller gets `status`. */
  | { readonly kind: 'failed'; readonly status: number; readonly cause: Parameters<CallerSession['fail']>[1] };

/** Everything a module may use on the call it runs on. */
export interface FlowContext {
  readonly session: CallerSession;
  readonly account: StoredDoc;
  readonly callflow: StoredDoc;
  /** Regex captures of a pattern callflow. */
  readonly captures: readonly string[];
  readonly calls: CallContext;
  readonly endpoints: EndpointDirectory;
  readonly locator: ContactLocator;
  /** Dial targets for devices (every registered contact of each). */
  deviceTargets(devices: readonly StoredDoc[]): DialTarget[];
  /** Rings targets and bridges the caller to the first answer (the device/user/ring_group core). */
  bridgeTo(targets: readonly DialTarget[], options: { timeoutMs: number; strategy?: 'simultaneous' | 'single' }): Promise<FlowOutcome>;
}

/** One callflow module (one file each in `callflow/modules/`). */
export interface FlowModule {
  readonly name: string;
  run(context: FlowContext, data: Readonly<Record<string, unknown>>): Promise<FlowOutcome>;
}

export const CONTINUE: FlowOutcome = { kind: 'continue' };
export const STOP: FlowOutcome = { kind: 'stop' };

/** Ring time in ms from a module's `timeout` (seconds), or the default. */
export function ringTimeout(data: Readonly<Record<string, unknown>>, fallbackMs = 30_000): number {
  const t = data['timeout'];
  return typeof t === 'number' && t > 0 ? t * 1000 : fallbackMs;
}
