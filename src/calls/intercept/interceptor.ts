import type { EndpointDirectory } from '../../documents/index.ts';
import type { StoredDoc } from '../../store/index.ts';
import type { CallContext } from '../call-context.ts';
import { CallCommandError } from '../call-control.ts';
import type { Channel } from '../channel.ts';
import { EndpointTargets, type EndpointLookups } from '../originate/index.ts';
import type { ContactLocator } from '../ports.ts';
import { checkInterceptOptions } from './intercept-request.ts';
import { Takeover } from './takeover.ts';
import { identityOf, planIntercept, planMove, type TakeoverPlan } from './takeover-plan.ts';
import type { CallTakeover, InterceptOptions, MoveOptions, TakeoverCall } from './takeover-types.ts';

/** What intercept and move use (all reachable from the switch: `b2bua.context`, `endpoints`, `registrations`). */
export interface InterceptorDeps {
  readonly context: CallContext;
  readonly endpoints: EndpointLookups & Pick<EndpointDirectory, 'account'>;
  readonly locator: ContactLocator;
}

/** KAZOO waits this long for an intercept's or a move's originate (reference §3.7). */
const TAKEOVER_RING_MS = 20_000;

/**
 * KAZOO's `intercept` and `move` (reference §3.7) on live calls: ring other devices and hand the
 * call to the first that answers. Each call resolves once the target rings (bad input, a missing
 * target or a call in the wrong state throws {@link CallCommandError} first).
 */
export class Interceptor implements CallTakeover {
  readonly #ctx: CallContext;
  readonly #endpoints: InterceptorDeps['endpoints'];
  readonly #targets: EndpointTargets;

  constructor(deps: InterceptorDeps) {
    this.#ctx = deps.context;
    this.#endpoints = deps.endpoints;
    this.#targets = new EndpointTargets({ endpoints: deps.endpoints, locator: deps.locator });
  }

  /**
   * Takes the call `channel` belongs to (ringing or answered) onto `targetId`'s device(s): the
   * caller is bridged to the first that answers; the phones that rang get CANCEL, an answered
   * callee gets BYE. The caller's own device is never rung.
   */
  async intercept(channel: Channel, options: InterceptOptions): Promise<TakeoverCall> {
    checkInterceptOptions(options);
    const unbridgedOnly = options.unbridgedOnly ?? true;
    planIntercept(this.#ctx, channel, unbridgedOnly);
    const account = await this.#account(channel);
    const devices = await this.#targets.devices(account, options.targetType, options.targetId);
    if (devices === undefined) throw new CallCommandError('target_id', 'invalid', `No ${options.targetType} ${options.targetId}`);
    // The call may have moved on during the lookups: plan on what it is now.
    return this.#start(channel, planIntercept(this.#ctx, channel, unbridgedOnly), account, devices, options.timeoutMs, 'target_id');
  }

  /** Moves `channel`'s call to the other devices of its owner: the far party stays, `channel` is hung up once one answers. */
  async move(channel: Channel, options: MoveOptions = {}): Promise<TakeoverCall> {
    planMove(this.#ctx, channel);
    const ownerId = options.ownerId ?? channel.profile.ownerId;
    if (ownerId === undefined) throw new CallCommandError('owner_id', 'required', "The channel's device has no owner");
    const account = await this.#account(channel);
    const source = channel.profile.authorizingId;
    const devices = (await this.#endpoints.devicesOfOwner(account._id, ownerId)).filter((d) => d._id !== source);
    return this.#start(channel, planMove(this.#ctx, channel), account, devices, options.timeoutMs, 'owner_id');
  }

  async #start(channel: Channel, plan: TakeoverPlan, account: StoredDoc, devices: readonly StoredDoc[], timeoutMs: number | undefined, field: string): Promise<TakeoverCall> {
    const self = plan.kept?.profile.authorizingId;
    const targets = this.#targets.targetsOf(account, devices.filter((d) => d._id !== self));
    if (targets.length === 0) throw new CallCommandError(field, 'invalid', 'No other registered device to ring');
    const shown = plan.kept !== undefined ? identityOf(plan.kept) : { name: channel.profile.callerIdName, number: channel.profile.callerIdNumber };
    const takeover = new Takeover(this.#ctx, plan, targets, {
      accountId: account._id,
      realm: String(account['realm'] ?? ''),
      callerIdName: shown.name,
      callerIdNumber: shown.number,
      timeoutMs: timeoutMs ?? TAKEOVER_RING_MS,
    });
    return takeover.start();
  }

  async #account(channel: Channel): Promise<StoredDoc> {
    const account = await this.#endpoints.account(channel.profile.accountId);
    if (account === undefined) throw new CallCommandError('account_id', 'invalid', 'The channel has no live account');
    return account;
  }
}
