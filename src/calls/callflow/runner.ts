import type { EndpointDirectory } from '../../documents/index.ts';
import type { Logger } from '../../lib/index.ts';
import type { StoredDoc } from '../../store/index.ts';
import type { CallContext } from '../call-context.ts';
import { Dial, type DialTarget } from '../dialer.ts';
import type { CallerSession } from '../caller-session.ts';
import type { ContactLocator } from '../ports.ts';
import { STOP, type FlowContext, type FlowModule, type FlowOutcome } from './flow-module.ts';

/** A node of a callflow's `flow` tree. */
interface FlowNode {
  readonly module?: unknown;
  readonly data?: Readonly<Record<string, unknown>>;
  readonly children?: Readonly<Record<string, FlowNode>>;
}

/** More nodes than this in one call means a loop in the flow. */
const MAX_NODES = 64;

/**
 * Runs a callflow's `flow` tree on an inbound call (docs/calls.md): each node's module decides
 * whether the `_` child, a named child, or nothing runs next.
 */
export class CallflowRunner {
  readonly #modules = new Map<string, FlowModule>();
  readonly #calls: CallContext;
  readonly #endpoints: EndpointDirectory;
  readonly #locator: ContactLocator;
  readonly #log: Logger;

  constructor(deps: { calls: CallContext; endpoints: EndpointDirectory; locator: ContactLocator; modules: readonly FlowModule[] }) {
    this.#calls = deps.calls;
    this.#endpoints = deps.endpoints;
    this.#locator = deps.locator;
    this.#log = deps.calls.logger.child({ category: 'callflow' });
    for (const m of deps.modules) this.register(m);
  }

  /** Adds (or replaces) a module. */
  register(module: FlowModule): void {
    this.#modules.set(module.name, module);
  }

  get moduleNames(): string[] {
    return [...this.#modules.keys()];
  }

  /** Executes `callflow.flow` for the session's caller until a module stops or the tree ends. */
  async run(session: CallerSession, account: StoredDoc, callflow: StoredDoc, captures: readonly string[] = []): Promise<void> {
    const context = this.#context(session, account, callflow, captures);
    let node: FlowNode | undefined = (callflow['flow'] ?? {}) as FlowNode;
    let last: FlowOutcome = { kind: 'continue' };
    for (let steps = 0; node !== undefined && steps < MAX_NODES && !session.channel.closed; steps++) {
      const name: string = typeof node.module === 'string' ? node.module : '';
      const module = this.#modules.get(name);
      if (node.data?.['skip_module'] === true) {
        // KAZOO's skip_module: the node is passed over, its `_` child runs.
        last = { kind: 'continue' };
      } else if (module === undefined) {
        this.#log.warn({ module: name, callflow: callflow._id }, 'callflow module not supported');
        last = { kind: 'failed', status: 480, cause: 'NO_USER_RESPONSE' };
      } else {
        try {
          last = await module.run(context, node.data ?? {});
        } catch (error) {
          this.#log.error({ err: error, module: name, call: session.channel.uuid }, 'callflow module failed');
          last = { kind: 'failed', status: 500, cause: 'NORMAL_TEMPORARY_FAILURE' };
        }
      }
      const children: Readonly<Record<string, FlowNode>> = node.children ?? {};
      switch (last.kind) {
        case 'stop':
          return;
        case 'branch':
          node = children[last.key] ?? children['_'];
          break;
        default:
          node = children['_'];
      }
    }
    if (session.channel.closed) return;
    if (last.kind === 'failed') session.fail(last.status, last.cause);
    else if (session.channel.otherLeg === undefined) session.fail(480, session.channel.answered ? 'NORMAL_CLEARING' : 'NO_USER_RESPONSE');
  }

  #context(session: CallerSession, account: StoredDoc, callflow: StoredDoc, captures: readonly string[]): FlowContext {
    const calls = this.#calls;
    const locator = this.#locator;
    const a = session.channel;
    return {
      session,
      account,
      callflow,
      captures,
      calls,
      endpoints: this.#endpoints,
      locator,
      deviceTargets: (devices) => devices.flatMap((device) => deviceTargets(device, account, locator)),
      bridgeTo: async (targets, options) => {
        const dial = new Dial(calls, targets, {
          accountId: a.profile.accountId,
          realm: a.profile.realm,
          callerIdName: a.profile.callerIdName,
          callerIdNumber: a.profile.callerIdNumber,
          peer: a,
          strategy: options.strategy ?? 'simultaneous',
          timeoutMs: options.timeoutMs,
          callflowId: callflow._id,
        });
        session.follow(dial);
        const off = a.on('closed', (cause) => dial.cancel(cause));
        await dial.start();
        const outcome = await dial.outcome;
        off();
        if (outcome.answered === undefined) return { kind: 'failed', status: outcome.status, cause: outcome.cause };
        if (a.closed) {
          outcome.answered.hangup('ORIGINATOR_CANCEL');
          return STOP;
        }
        session.bridge(outcome.answered);
        return STOP;
      },
    };
  }
}

/** Every registered contact of a device, as dial targets (reached through the REGISTER's source). */
export function deviceTargets(device: StoredDoc, account: StoredDoc, locator: ContactLocator): DialTarget[] {
  const sip = (device['sip'] ?? {}) as Record<string, unknown>;
  const username = typeof sip['username'] === 'string' ? sip['username'] : '';
  const realm = String(account['realm'] ?? '');
  const name = typeof device['name'] === 'string' ? device['name'] : username;
  return locator.contactsFor(account._id, device._id).map((binding) => ({
    uri: binding.contact,
    destination: binding.source,
    toUri: `sip:${username}@${realm}`,
    profile: {
      authorizingId: device._id,
      authorizingType: 'device' as const,
      ...(typeof device['owner_id'] === 'string' ? { ownerId: device['owner_id'] } : {}),
      username,
      presenceId: `${username}@${realm}`,
      calleeIdName: name,
      calleeIdNumber: username,
      destination: username,
    },
  }));
}
