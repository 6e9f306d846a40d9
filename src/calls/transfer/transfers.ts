import type { EndpointDirectory } from '../../documents/index.ts';
import type { Logger } from '../../lib/index.ts';
import type { ServerTransaction, SipRequest } from '../../sip/index.ts';
import type { StoredDoc } from '../../store/index.ts';
import type { CallContext } from '../call-context.ts';
import { CallCommandError, type TransferHandler, type TransferInfo, type TransferOptions } from '../call-control.ts';
import type { Channel } from '../channel.ts';
import type { CallflowRunner } from '../callflow/index.ts';
import type { CallerAuthenticator, OffnetCall, OffnetRouter } from '../ports.ts';
import { connect, release, sameCodec } from './leg-moves.ts';
import { handleRefer } from './refer-handler.ts';
import type { ReferSubscription } from './refer-subscription.ts';
import { handleReplacesInvite } from './replaces-invite.ts';
import { TransferLegs } from './transfer-legs.ts';
import type { TransferMode, TransferResult } from './transfer-machine.ts';
import { TransferSession } from './transfer-session.ts';
import { UnknownTransferTarget } from './unknown-transfer-target.ts';
import type { TransferSource } from './transferee-event.ts';

/** The WAV the transferee hears while it waits: `mediaId` (the `moh` option) or the holder's music on hold. */
export type TransferMusicLookup = (holder: Channel, held: Channel, mediaId?: string) => Promise<Uint8Array | undefined>;

/** What transfers are built from (the B2BUA's context and runner, wired by the composition root). */
export interface TransfersOptions {
  readonly context: CallContext;
  readonly runner: CallflowRunner;
  readonly endpoints: EndpointDirectory;
  /** Digest checks of INVITEs with Replaces (RFC 3891 §6: only an authenticated caller may replace). */
  readonly authenticator: CallerAuthenticator;
  readonly music?: TransferMusicLookup;
  /** The account's carriers, for a target no callflow owns (without it such a target is unknown). */
  readonly offnet?: OffnetRouter;
  /** How long a transferor may stay after its transfer completed before we BYE it; default 5 s. */
  readonly dismissMs?: number;
}

/** A resolved target: its callflow and the account it runs in, or else a carrier route. */
type Route =
  | { readonly kind: 'callflow'; readonly account: StoredDoc; readonly callflow: StoredDoc; readonly captures: readonly string[] }
  | { readonly kind: 'offnet'; readonly call: OffnetCall };

const DEFAULT_TAKEBACK = '*1';

/**
 * The switch's transfers (docs/calls.md "Transfers"): the call command (blind or attended, KAZOO
 * Konami's state machine with takeback), REFER from a phone (RFC 3515, blind or with Replaces) and
 * INVITE with Replaces (RFC 3891). Knows every transfer in progress by the uuid of each of its legs.
 */
export class Transfers implements TransferHandler {
  readonly #o: TransfersOptions;
  readonly #ctx: CallContext;
  readonly #log: Logger;
  readonly #active = new Map<string, TransferLegs>();
  /** Legs of transfers still looking their target up. */
  readonly #claimed = new Set<string>();
  #closed = false;

  constructor(options: TransfersOptions) {
    this.#o = options;
    this.#ctx = options.context;
    this.#log = options.context.logger.child({ category: 'transfer' });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Transfers in progress. */
  get size(): number {
    return new Set(this.#active.values()).size;
  }

  get dismissMs(): number {
    return this.#o.dismissMs ?? 5000;
  }

  /** The transfer `channel` takes part in (as transferor, transferee or target), if any. */
  of(channel: Channel): TransferLegs | undefined {
    return this.#active.get(channel.uuid) ?? [...this.#active.values()].find((l) => l.target === channel);
  }

  /** True while `channel` takes part in a transfer, or in one still looking its target up. */
  busy(channel: Channel): boolean {
    return this.#claimed.has(channel.uuid) || this.of(channel) !== undefined;
  }

  async start(transferor: Channel, transferee: Channel, target: string, options: TransferOptions): Promise<TransferInfo> {
    const type = options.type ?? 'blind';
    const legs = await this.begin(transferor, transferee, target, {
      mode: type,
      source: 'api',
      takebackDtmf: options.takebackDtmf ?? DEFAULT_TAKEBACK,
      ...(options.moh !== undefined ? { moh: options.moh } : {}),
    });
    return { id: legs.id, type, transferorCallId: transferor.uuid, transfereeCallId: transferee.uuid, target };
  }

  complete(channel: Channel): void {
    const legs = this.of(channel);
    if (legs === undefined || !legs.machine.complete()) throw new CallCommandError('action', 'invalid', 'No transfer to complete on this channel');
  }

  cancel(channel: Channel): void {
    const legs = this.of(channel);
    if (legs === undefined || !legs.machine.cancel()) throw new CallCommandError('action', 'invalid', 'No transfer to cancel on this channel');
  }

  /**
   * Starts moving `transferee` from `transferor` to `target`: the target must route (else
   * {@link UnknownTransferTarget}, the call as it was), then their bridge is split and the target's
   * callflow runs for the transferee — or, for a number no callflow owns, the account's carriers
   * dial it for the transferee (KAZOO: the number reaches the offnet route). A REFER splits the
   * bridge at once, before the lookups: its phone may BYE right after the 202 (RFC 5589 §6 leaves
   * the transferor free to), and that BYE must not end the transferee's call; an unknown target
   * then reconnects the two.
   */
  async begin(
    transferor: Channel,
    transferee: Channel,
    target: string,
    how: { mode: TransferMode; source: TransferSource; takebackDtmf: string; moh?: string; subscription?: ReferSubscription },
  ): Promise<TransferLegs> {
    this.#check(transferor, transferee);
    const early = how.mode === 'refer';
    const claim = [transferor.uuid, transferee.uuid];
    for (const uuid of claim) this.#claimed.add(uuid);
    if (early) release(this.#ctx, transferor);
    let route: Route;
    let music: Uint8Array | undefined;
    try {
      route = await this.#route(transferor, target);
      music = await this.#music(transferor, transferee, how.moh);
      // The lookups took a while: the call may have moved meanwhile.
      if (!early) this.#check(transferor, transferee, false);
    } catch (error) {
      if (early) connect(this.#ctx, transferor, transferee);
      throw error;
    } finally {
      for (const uuid of claim) this.#claimed.delete(uuid);
    }
    release(this.#ctx, transferor);
    const legs = new TransferLegs({
      context: this.#ctx,
      transferor,
      transferee,
      mode: how.mode,
      source: how.source,
      target,
      takebackDtmf: how.takebackDtmf,
      music,
      ...(how.subscription !== undefined ? { subscription: how.subscription } : {}),
      dismissMs: this.dismissMs,
      logger: this.#log.child({ transferor: transferor.uuid, transferee: transferee.uuid }),
      onFinished: (l, result) => this.#finished(l, result),
    });
    this.#active.set(transferor.uuid, legs);
    this.#active.set(transferee.uuid, legs);
    this.#log.info({ mode: how.mode, source: how.source, target, route: route.kind, transferor: transferor.uuid, transferee: transferee.uuid }, 'transfer started');
    legs.machine.start();
    // Legs that ended during the lookups (a closed channel emits nothing more).
    if (transferee.closed) legs.machine.transfereeGone();
    else if (transferor.closed) legs.machine.transferorGone();
    if (legs.machine.done) return legs;
    const session = new TransferSession(this.#ctx, legs);
    const reaching = route.kind === 'callflow' ? this.#o.runner.run(session, route.account, route.callflow, route.captures) : route.call.dial(session);
    void reaching
      .catch((error: unknown) => this.#log.error({ err: error, route: route.kind }, 'reaching the transfer target failed'))
      .finally(() => {
        // A flow that ended without reaching anyone nor failing: nobody took the transferee.
        if (!legs.machine.done && legs.target === undefined) legs.machine.targetFailed(480, 'NO_USER_RESPONSE');
      });
    return legs;
  }

  /** B2buaFeatures.refer: an in-dialog REFER (RFC 3515). */
  refer(request: SipRequest, transaction: ServerTransaction, channel: Channel): void {
    handleRefer(this.#ctx, this, request, transaction, channel);
  }

  /** B2buaFeatures.replaces: an INVITE with a Replaces header (RFC 3891). */
  replaces(request: SipRequest, transaction: ServerTransaction): Promise<boolean> {
    return handleReplacesInvite(this.#ctx, this.#o.authenticator, (channel) => this.busy(channel), request, transaction);
  }

  /** Forgets every transfer; live calls end with the B2BUA's shutdown. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#active.clear();
  }

  /** A transfer may start: both legs live, bridged together, same codec, not already moving. */
  #check(transferor: Channel, transferee: Channel, fresh = true): void {
    if (this.#closed) throw new CallCommandError('action', 'invalid', 'Transfers are not available');
    const bridge = this.#ctx.bridges.get(transferor.uuid);
    if (transferor.closed || transferee.closed || bridge === undefined || bridge.closed || bridge.peerOf(transferor) !== transferee) {
      throw new CallCommandError('other_leg_call_id', 'required', 'Channel is not bridged');
    }
    if (this.#active.has(transferor.uuid) || this.#active.has(transferee.uuid) || (fresh && (this.#claimed.has(transferor.uuid) || this.#claimed.has(transferee.uuid)))) {
      throw new CallCommandError('action', 'invalid', 'A transfer of this call is already in progress');
    }
    if (!sameCodec(transferor, transferee)) {
      throw new CallCommandError('target', 'invalid', 'The legs use different codecs and the switch does not transcode');
    }
  }

  /** The transferor's account's callflow for `target`, else its carrier route (as the transferor would dial it). */
  async #route(transferor: Channel, target: string): Promise<Route> {
    const accountId = transferor.profile.accountId;
    const [found, account] = await Promise.all([this.#o.endpoints.callflowFor(accountId, target), this.#o.endpoints.account(accountId)]);
    if (account === undefined) throw new UnknownTransferTarget(target);
    if (found !== undefined) return { kind: 'callflow', account, callflow: found.callflow, captures: found.captures };
    const call = await this.#o.offnet?.route(account, target, transferor);
    if (call === undefined) throw new UnknownTransferTarget(target);
    return { kind: 'offnet', call };
  }

  async #music(holder: Channel, held: Channel, mediaId: string | undefined): Promise<Uint8Array | undefined> {
    try {
      return await this.#o.music?.(holder, held, mediaId);
    } catch (error) {
      this.#log.warn({ err: error }, 'music on hold lookup failed; playing the default');
      return undefined;
    }
  }

  #finished(legs: TransferLegs, result: TransferResult): void {
    for (const [uuid, l] of this.#active) if (l === legs) this.#active.delete(uuid);
    const target = legs.target;
    this.#log.info({ result, transferor: legs.transferor.uuid, transferee: legs.transferee.uuid, target: target?.uuid }, 'transfer ended');
  }
}
