import type { EndpointDirectory } from '../../documents/index.ts';
import type { Logger } from '../../lib/index.ts';
import type { SipRequest } from '../../sip/index.ts';
import type { StoredDoc } from '../../store/index.ts';
import type { CallContext } from '../call-context.ts';
import type { Channel } from '../channel.ts';
import type { CallerSession } from '../caller-session.ts';
import type { OffnetCall, OffnetRouter, TrunkCaller } from '../ports.ts';
import { callerIdType, presentedCallerId, type CallerId, type CallerIdType } from './caller-id.ts';
import { huntCarriers, type CarrierOutcome, type HuntStep } from './carrier-hunt.ts';
import { callerIdAllowed, carrierRoutes, type CarrierRoute } from './carrier-routes.ts';
import type { OffnetOptions } from './offnet-options.ts';
import type { ResourceCatalog } from './resource-catalog.ts';

export interface CarriersOptions {
  readonly calls: CallContext;
  readonly catalog: ResourceCatalog;
  /** Account, device and user lookups (caller ids, trunk accounts). */
  readonly endpoints: Pick<EndpointDirectory, 'account' | 'device' | 'user'>;
  readonly logger: Logger;
  /** Ring time per gateway when the callflow gives none (default 60 s). */
  readonly ringTimeoutMs?: number;
  /** Wait for a gateway's 18x when it sets no `progress_timeout` (default 8 s). */
  readonly progressTimeoutMs?: number;
}

/** One call to send out through an account's carriers. */
export interface OffnetRequest {
  readonly session: CallerSession;
  readonly account: StoredDoc;
  /** The number to send (the dialed number, or the callflow's `to_did`). */
  readonly number: string;
  readonly callflowId?: string;
  readonly options?: OffnetOptions;
}

const NO_ROUTE: CarrierOutcome = { kind: 'no_route' };

/**
 * An account's carriers (KAZOO local resources), both ways: outbound calls go to the gateways of
 * the resources whose rules match, with the caller's external caller id; INVITEs from a gateway's
 * address are trusted as calls from that resource (the B2BUA's `trunk` hook). Transfer targets no
 * callflow owns go out the same way ({@link OffnetRouter}).
 */
export class Carriers implements OffnetRouter {
  readonly #calls: CallContext;
  readonly #catalog: ResourceCatalog;
  readonly #endpoints: CarriersOptions['endpoints'];
  readonly #log: Logger;
  readonly #ringTimeoutMs: number;
  readonly #progressTimeoutMs: number;

  constructor(options: CarriersOptions) {
    this.#calls = options.calls;
    this.#catalog = options.catalog;
    this.#endpoints = options.endpoints;
    this.#log = options.logger.child({ category: 'carriers' });
    this.#ringTimeoutMs = options.ringTimeoutMs ?? 60_000;
    this.#progressTimeoutMs = options.progressTimeoutMs ?? 8_000;
  }

  /** The gateways that would carry `number` for an account, in the order they are tried. */
  routesFor(accountId: string, number: string, flags?: readonly string[]): CarrierRoute[] {
    return carrierRoutes(this.#catalog.resourcesOf(accountId), { number, ...(flags !== undefined ? { flags } : {}) });
  }

  /** B2BUA `trunk` hook: the resource whose gateway sent `request` (RFC 3261 §26.3.2.2), if any. */
  async trunk(request: SipRequest): Promise<TrunkCaller | undefined> {
    const source = request.source;
    const match = source === undefined ? undefined : this.#catalog.trunkAt(source);
    if (match === undefined) return undefined;
    const account = await this.#endpoints.account(match.accountId);
    if (account === undefined) return undefined;
    this.#log.debug({ resource: match.resource._id, callId: request.callId }, 'INVITE from a carrier gateway');
    return { account, resource: match.resource };
  }

  /**
   * B2BUA `unrouted` hook: a phone's call to a number no callflow owns goes out through the
   * account's carriers when a rule matches. False (the caller gets 404) when none does, and always
   * for calls that came in from a carrier (never sent back out: no toll relay).
   */
  async unrouted(session: CallerSession, account: StoredDoc, number: string): Promise<boolean> {
    if (session.channel.profile.authorizingType !== 'device') return false;
    let outcome: CarrierOutcome;
    try {
      outcome = await this.offnet({ session, account, number });
    } catch (error) {
      this.#log.error({ err: error, call: session.channel.uuid }, 'carrier call failed');
      outcome = { kind: 'failed', status: 503, cause: 'NORMAL_TEMPORARY_FAILURE' };
    }
    if (outcome.kind === 'no_route') return false;
    if (outcome.kind === 'failed') session.fail(outcome.status, outcome.cause);
    return true;
  }

  /** Sends the caller out through the account's carriers and bridges it to the first that answers. */
  async offnet(request: OffnetRequest): Promise<CarrierOutcome> {
    const { session, account, number } = request;
    const options = request.options ?? {};
    const steps = await this.#steps(account, number, session.channel, options);
    if (steps.length === 0) return NO_ROUTE;
    return this.#hunt(session, number, steps, options, request.callflowId);
  }

  /**
   * {@link OffnetRouter} for transfers (docs/calls.md "Transfers to external numbers"): the
   * gateways for `number`, presenting the transferor's external caller id (KAZOO's Konami
   * originates the target leg with the transferor's caller id, reference §3.7). Only a phone may
   * send a call out, as for its own calls: no toll relay for a carrier leg.
   */
  async route(account: StoredDoc, number: string, presenter: Channel): Promise<OffnetCall | undefined> {
    if (presenter.profile.authorizingType !== 'device') return undefined;
    const steps = await this.#steps(account, number, presenter, {});
    if (steps.length === 0) return undefined;
    return {
      dial: async (session) => {
        const outcome = await this.#hunt(session, number, steps, {}).catch((error: unknown): CarrierOutcome => {
          this.#log.error({ err: error, call: session.channel.uuid }, 'carrier call failed');
          return { kind: 'failed', status: 503, cause: 'NORMAL_TEMPORARY_FAILURE' };
        });
        if (outcome.kind === 'failed') session.fail(outcome.status, outcome.cause);
      },
    };
  }

  /** One hunt step per gateway of the matching resources whose caller id rules accept `presenter`'s. */
  async #steps(account: StoredDoc, number: string, presenter: Channel, options: OffnetOptions): Promise<HuntStep[]> {
    const routes = this.routesFor(account._id, number, options.flags);
    if (routes.length === 0) return [];
    const callerIds = await this.#callerIds(presenter, account);
    const steps: HuntStep[] = [];
    for (const route of routes) {
      const resourceType = callerIdType(objectField(route.resource['caller_id_options'], 'type'));
      const callerId = callerIds(resourceType ?? options.callerIdType ?? 'external');
      if (!callerIdAllowed(route.resource, callerId.number)) continue;
      steps.push({
        target: {
          uri: route.uri,
          profile: {
            authorizingId: route.resource._id,
            authorizingType: 'resource',
            calleeIdName: number,
            calleeIdNumber: number,
            destination: route.number,
          },
          ...(route.credentials !== undefined ? { credentials: route.credentials } : {}),
          headers: [...route.headers, ...(options.headers ?? [])],
        },
        callerId,
        progressTimeoutMs: route.progressTimeoutMs ?? this.#progressTimeoutMs,
      });
    }
    return steps;
  }

  async #hunt(session: CallerSession, number: string, steps: readonly HuntStep[], options: OffnetOptions, callflowId?: string): Promise<CarrierOutcome> {
    if (session.channel.closed) return { kind: 'gone' };
    this.#log.debug({ call: session.channel.uuid, number, gateways: steps.length }, 'sending a call to carriers');
    return huntCarriers(this.#calls, session, steps, {
      ringTimeoutMs: options.ringTimeoutMs ?? this.#ringTimeoutMs,
      ...(callflowId !== undefined ? { callflowId } : {}),
    });
  }

  /**
   * The caller id a call presents per type: a phone's device, its owner, then the account
   * (KAZOO's external caller id rule); a call from a carrier keeps the caller id it came with.
   */
  async #callerIds(caller: Channel, account: StoredDoc): Promise<(type: CallerIdType) => CallerId> {
    const own: CallerId = { name: caller.profile.callerIdName, number: caller.profile.callerIdNumber };
    if (caller.profile.authorizingType !== 'device' || caller.profile.authorizingId === undefined) return () => own;
    const device = await this.#endpoints.device(account._id, caller.profile.authorizingId);
    const ownerId = typeof device?.['owner_id'] === 'string' ? device['owner_id'] : caller.profile.ownerId;
    const owner = ownerId !== undefined ? await this.#endpoints.user(account._id, ownerId) : undefined;
    return (type) => presentedCallerId(type, [device, owner, account], own);
  }
}

function objectField(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}
