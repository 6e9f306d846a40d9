import type { EndpointDirectory } from '../../documents/index.ts';
import type { Logger } from '../../lib/index.ts';
import { CallCommandError } from '../call-control.ts';
import type { CallContext } from '../call-context.ts';
import type { CallflowRunner } from '../callflow/index.ts';
import type { ContactLocator } from '../ports.ts';
import { EndpointTargets, type EndpointLookups, type ModuleTargets } from './endpoint-targets.ts';
import { OriginateCall } from './originate-call.ts';
import { checkOriginateRequest, type OriginateRequest } from './originate-request.ts';

/** What an {@link Originator} is built from (all reachable from the switch: `b2bua.context`, `endpoints`, `registrations`, `b2bua.runner`). */
export interface OriginatorDeps {
  readonly context: CallContext;
  readonly endpoints: EndpointLookups & Pick<EndpointDirectory, 'account'>;
  readonly locator: ContactLocator;
  /** Runs the `park`, `play` and `flow` actions (the B2BUA's runner, with every feature's modules); without it they are refused. */
  readonly runner?: CallflowRunner;
  /** Dial targets of callflow modules other than device/user/ring_group, for numbers (extension point). */
  readonly moduleTargets?: Readonly<Record<string, ModuleTargets>>;
  readonly logger?: Logger;
}

/**
 * Places calls that start from the switch (KAZOO's originate, reference §4.6; click-to-call builds
 * on it): rings an endpoint and, once it answers, runs an action on it (connect, park, play, flow).
 */
export class Originator {
  readonly #deps: OriginatorDeps;
  readonly #targets: EndpointTargets;
  readonly #log: Logger;

  constructor(deps: OriginatorDeps) {
    this.#deps = deps;
    this.#targets = new EndpointTargets({ endpoints: deps.endpoints, locator: deps.locator, ...(deps.moduleTargets !== undefined ? { modules: deps.moduleTargets } : {}) });
    this.#log = (deps.logger ?? deps.context.logger).child({ category: 'originate' });
  }

  /**
   * Starts an originate. A malformed request, or an action whose callflow module is not available,
   * throws {@link CallCommandError}; everything that happens on the wire ends up in the call's
   * `result` (an unknown account, device or number is `UNALLOCATED_NUMBER`).
   */
  originate(request: OriginateRequest): OriginateCall {
    checkOriginateRequest(request);
    const action = request.action;
    if (action.kind !== 'connect') {
      const module = action.kind === 'flow' ? action.flow.module : action.kind;
      const runner = this.#deps.runner;
      if (runner === undefined || typeof module !== 'string' || !runner.moduleNames.includes(module)) {
        throw new CallCommandError('action', 'invalid', `The ${typeof module === 'string' ? module : 'flow'} action is not available`);
      }
    }
    const call = new OriginateCall(
      {
        context: this.#deps.context,
        targets: this.#targets,
        account: (id) => this.#deps.endpoints.account(id),
        runner: this.#deps.runner,
        logger: this.#log,
      },
      request,
    );
    void call.run();
    return call;
  }
}
