import { parseNameAddr } from '../../../sip/index.ts';
import type { RtpSource } from '../../../media/index.ts';
import { Dial } from '../../dialer.ts';
import { defaultMusicOnHold } from '../../default-moh.ts';
import type { Channel } from '../../channel.ts';
import { InboundSession } from '../../inbound-session.ts';
import type { ParkedCall, Parker, ParkingLots } from '../../parking-lot.ts';
import { CONTINUE, STOP, type FlowContext, type FlowModule, type FlowOutcome } from '../flow-module.ts';

/** What `park` shares with the rest of the switch. */
export interface ParkModuleDeps {
  readonly lots: ParkingLots;
  /** The WAV a parked call hears (its user's, device's or account's music on hold); undefined → the built-in loop. */
  readonly musicOnHold?: (parked: Channel) => Promise<Uint8Array | undefined>;
}

/** KAZOO's defaults (system_config `callflow.park`), both in milliseconds as cf_park uses them. */
export const PARK_DEFAULTS = { ringbackTimeoutMs: 120_000, callbackTimeoutMs: 30_000 } as const;

type Data = Readonly<Record<string, unknown>>;

/**
 * `park` (KAZOO cf_park). `action`:
 * - `park` (and `direct_park`): answers the caller and puts it in the slot given by `slot`, else
 *   the pattern's first capture, else the lowest free slot from 1; it hears music on hold until
 *   retrieved or it hangs up (PARK_PARKED, PARK_ABANDONED). An occupied slot fails with 486; a
 *   slot above `max_slot_number` continues past the module. No slot announcement is played: the
 *   event and the `parked_calls` listing carry the slot number.
 * - `retrieve`: answers the caller and bridges it to the call in the slot (`slot` or the first
 *   capture, e.g. `^\*3([0-9]+)$`); PARK_RETRIEVED. An empty slot fails with 480. The two legs
 *   are relayed as they are: without transcoding, both must have agreed the same G.711 law.
 * - `auto`: retrieve when the slot holds a call, else park there.
 *
 * Ring-back: when the call was parked on behalf of another device (see {@link parkerOf}), after
 * `default_ringback_timeout` ms (per slot: `slots.<n>.ringback_timeout`) that device rings for
 * `default_callback_timeout` ms (`slots.<n>.callback_timeout`); its answer is bridged to the parked
 * call (PARK_RETRIEVED on the parked call). Unanswered, the call stays parked and the cycle
 * restarts. A call parked by its own caller never rings back (KAZOO: no ringback id).
 */
export function createParkModule(deps: ParkModuleDeps): FlowModule {
  return {
    name: 'park',
    async run(ctx, data) {
      const lot = deps.lots.lot(ctx.account._id);
      const given = typeof data['slot'] === 'string' && data['slot'] !== '' ? data['slot'] : typeof data['slot'] === 'number' ? String(data['slot']) : ctx.captures[0];
      const action = typeof data['action'] === 'string' ? data['action'] : 'park';
      if (action === 'retrieve') return retrieve(ctx, deps, given);
      if (action === 'auto' && given !== undefined && lot.occupant(given) !== undefined) return retrieve(ctx, deps, given);
      return park(ctx, deps, data, given);
    },
  };
}

async function retrieve(ctx: FlowContext, deps: ParkModuleDeps, slot: string | undefined): Promise<FlowOutcome> {
  const parked = slot === undefined ? undefined : deps.lots.lot(ctx.account._id).occupant(slot);
  if (parked === undefined) {
    ctx.calls.logger.info({ slot, call: ctx.session.channel.uuid }, 'parking slot empty');
    return { kind: 'failed', status: 480, cause: 'NO_USER_RESPONSE' };
  }
  // Answer, take and bridge happen in one turn: the parked call cannot leave in between.
  if (!ctx.session.answer()) return STOP;
  parked.retrieve((channel) => ctx.session.bridge(channel), ctx.session.channel);
  return STOP;
}

async function park(ctx: FlowContext, deps: ParkModuleDeps, data: Data, given: string | undefined): Promise<FlowOutcome> {
  const a = ctx.session.channel;
  const lot = deps.lots.lot(ctx.account._id);
  const parker = await parkerOf(ctx);
  const music = await musicFor(ctx, deps, a);
  const slot = given ?? lot.nextFreeSlot();
  const max = data['max_slot_number'];
  if (typeof max === 'number' && /^\d+$/.test(slot) && Number(slot) > max) {
    music.close();
    return CONTINUE;
  }
  if (lot.occupant(slot) !== undefined) {
    music.close();
    ctx.calls.logger.info({ slot, call: a.uuid }, 'parking slot occupied');
    return { kind: 'failed', status: 486, cause: 'USER_BUSY' };
  }
  if (!ctx.session.answer()) {
    music.close();
    return STOP;
  }
  let parked: ParkedCall;
  try {
    parked = lot.park(a, { slot, music, ...parker });
  } catch (error) {
    music.close();
    throw error;
  }
  if (parked.ringbackId === undefined) {
    await parked.ended;
    return STOP;
  }
  const { ringbackMs, callbackMs } = timeouts(data, slot);
  for (;;) {
    if ((await waitOrTimeout(parked, ringbackMs)) !== 'timeout') return STOP;
    if ((await ringBack(ctx, parked, callbackMs)) !== 'failed') return STOP;
  }
}

/** Rings the parker's device; its answer is bridged to the parked call. */
async function ringBack(ctx: FlowContext, parked: ParkedCall, callbackMs: number): Promise<'answered' | 'failed' | 'gone'> {
  const a = parked.channel;
  const device = parked.ringbackId === undefined ? undefined : await ctx.endpoints.device(ctx.account._id, parked.ringbackId);
  const targets = device === undefined ? [] : ctx.deviceTargets([device]);
  if (targets.length === 0 || !parked.parked) return parked.parked ? 'failed' : 'gone';
  const dial = new Dial(ctx.calls, targets, {
    accountId: a.profile.accountId,
    realm: a.profile.realm,
    callerIdName: `Parking slot ${parked.slot}`,
    callerIdNumber: a.profile.callerIdNumber,
    peer: a,
    timeoutMs: callbackMs,
    callflowId: ctx.callflow._id,
  });
  void parked.ended.then(() => dial.cancel('ORIGINATOR_CANCEL'));
  ctx.calls.logger.info({ slot: parked.slot, device: parked.ringbackId, call: a.uuid }, 'ringing back the parker');
  await dial.start();
  const outcome = await dial.outcome;
  if (outcome.answered === undefined) return parked.parked ? 'failed' : 'gone';
  const callee = outcome.answered;
  if (!parked.retrieve(() => void ctx.session.bridge(callee))) {
    callee.hangup('LOSE_RACE');
    return 'gone';
  }
  return 'answered';
}

/** Resolves with how the call left its slot, or `timeout` after `ms` (a timer of the channel). */
function waitOrTimeout(parked: ParkedCall, ms: number): Promise<'timeout' | 'left'> {
  return new Promise((resolve) => {
    const timer = parked.channel.after(ms, () => resolve('timeout'));
    void parked.ended.then(() => {
      parked.channel.cancelTimer(timer);
      resolve('left');
    });
  });
}

/**
 * Who parked the call: the device named by a referrer URI — a session's `referredBy` (a transfer
 * session may carry the transferor's URI), the channel var `referred_by`, or the INVITE's
 * `Referred-By` header (RFC 3892) — when it is another device of the account: it is rung back.
 * Otherwise the caller's own device (no ring-back).
 */
async function parkerOf(ctx: FlowContext): Promise<{ parkedBy?: Parker; ringbackId?: string }> {
  const session = ctx.session;
  const p = session.channel.profile;
  const fromSession = 'referredBy' in session && typeof session.referredBy === 'string' ? session.referredBy : undefined;
  const fromVar = p.customChannelVars?.['referred_by'];
  const header = session instanceof InboundSession ? session.leg.transaction.request.headers.get('Referred-By') : undefined;
  const referredBy = fromSession ?? (typeof fromVar === 'string' ? fromVar : header);
  if (referredBy !== undefined && referredBy !== '') {
    let username: string | undefined;
    try {
      username = parseNameAddr(referredBy).uri.user;
    } catch {
      username = undefined;
    }
    const device = username === undefined ? undefined : await ctx.endpoints.deviceByUsername(ctx.account, username);
    if (device !== undefined && device._id !== p.authorizingId) {
      const owner = typeof device['owner_id'] === 'string' ? device['owner_id'] : undefined;
      return { parkedBy: { deviceId: device._id, username: username ?? '', ...(owner !== undefined ? { ownerId: owner } : {}) }, ringbackId: device._id };
    }
  }
  if (p.authorizingType !== 'device' || p.authorizingId === undefined) return {};
  return { parkedBy: { deviceId: p.authorizingId, ...(p.ownerId !== undefined ? { ownerId: p.ownerId } : {}), ...(p.username !== undefined ? { username: p.username } : {}) } };
}

async function musicFor(ctx: FlowContext, deps: ParkModuleDeps, channel: Channel): Promise<RtpSource> {
  const engine = ctx.calls.engine;
  let wav: Uint8Array | undefined;
  try {
    wav = await deps.musicOnHold?.(channel);
  } catch (error) {
    ctx.calls.logger.warn({ err: error }, 'music on hold lookup failed; playing the default');
  }
  try {
    return engine.createWavPlayer(wav ?? defaultMusicOnHold(), { loop: true });
  } catch {
    return engine.createWavPlayer(defaultMusicOnHold(), { loop: true });
  }
}

/** Ring-back period and ring time for `slot`: the slot's settings, then the module's, then KAZOO's defaults. */
export function timeouts(data: Data, slot: string): { ringbackMs: number; callbackMs: number } {
  const slots = typeof data['slots'] === 'object' && data['slots'] !== null ? (data['slots'] as Record<string, unknown>) : {};
  const own = typeof slots[slot] === 'object' && slots[slot] !== null ? (slots[slot] as Record<string, unknown>) : {};
  const ms = (...values: unknown[]): number | undefined => values.find((v): v is number => typeof v === 'number' && v > 0);
  return {
    ringbackMs: ms(own['ringback_timeout'], data['default_ringback_timeout']) ?? PARK_DEFAULTS.ringbackTimeoutMs,
    callbackMs: ms(own['callback_timeout'], data['default_callback_timeout']) ?? PARK_DEFAULTS.callbackTimeoutMs,
  };
}
