import type { EndpointDirectory } from '../../../documents/index.ts';
import type { Logger } from '../../../lib/index.ts';
import type { StoredDoc } from '../../../store/index.ts';
import type { DialTarget } from '../../dialer.ts';
import { CONTINUE, ringTimeout, type FlowContext, type FlowModule, type FlowOutcome } from '../flow-module.ts';

/** One device to ring, with the member's delay and ring time (ms). */
export interface RingGroupMember {
  readonly device: StoredDoc;
  readonly delayMs: number;
  readonly timeoutMs: number;
  readonly weight: number;
}

type Strategy = 'simultaneous' | 'single';

/** What resolving members needs from the flow context. */
export interface MemberLookup {
  readonly account: StoredDoc;
  readonly endpoints: Pick<EndpointDirectory, 'device' | 'user' | 'devicesOfOwner'>;
  readonly session: { readonly channel: { readonly profile: { readonly authorizingId?: string } } };
  readonly calls: { readonly logger: Logger };
}

const DEFAULT_MEMBER_TIMEOUT_MS = 20_000;

/**
 * `ring_group` (KAZOO cf_ring_group): rings the devices of the listed devices and users, either all
 * at once (`simultaneous`, each member after its `delay` and for its own `timeout`, the whole group
 * for `timeout`) or one after another (`single`, each member for its own `timeout`; the group
 * `timeout` is no cap there, since the schema default of 20 s would cut every group after its first
 * member). `weighted_random` rings one after another in a weighted random order. The first answer is bridged; when nobody answers the outcome is `failed` (the `_` child
 * runs, else the caller gets the best failure). The caller's own device is never rung, a device
 * listed twice rings once, `repeats` re-runs a group nobody answered. Groups (`endpoint_type:
 * group`) have no documents in Switchboard and are skipped.
 */
export const ringGroupModule: FlowModule = {
  name: 'ring_group',
  async run(ctx, data) {
    const members = await ringGroupMembers(ctx, data);
    if (members.length === 0) {
      ctx.calls.logger.info({ call: ctx.session.channel.uuid }, 'ring group has no reachable member');
      return CONTINUE;
    }
    const requested = data['strategy'];
    const strategy: Strategy = requested === 'single' || requested === 'weighted_random' ? 'single' : 'simultaneous';
    const ordered = requested === 'weighted_random' ? weightedOrder(members, Math.random) : members;
    const groupMs = ringTimeout(data, DEFAULT_MEMBER_TIMEOUT_MS);
    const repeats = typeof data['repeats'] === 'number' && data['repeats'] > 1 ? Math.floor(data['repeats']) : 1;
    const pass = ringGroupTargets(ctx, ordered, strategy);
    if (strategy === 'single') {
      return ctx.bridgeTo(Array.from({ length: repeats }, () => pass).flat(), { timeoutMs: groupMs, strategy });
    }
    let outcome: FlowOutcome = CONTINUE;
    for (let n = 0; n < repeats; n++) {
      outcome = await ctx.bridgeTo(pass, { timeoutMs: groupMs, strategy });
      // Another round only when nobody answered (not when everyone is busy or the caller left).
      if (outcome.kind !== 'failed' || outcome.cause !== 'NO_ANSWER' || ctx.session.channel.closed) break;
    }
    return outcome;
  },
};

/** The group's devices in list order: users expand to their devices, duplicates and the caller's own device drop out. */
export async function ringGroupMembers(ctx: MemberLookup, data: Readonly<Record<string, unknown>>): Promise<RingGroupMember[]> {
  const listed = Array.isArray(data['endpoints']) ? (data['endpoints'] as unknown[]) : [];
  const accountId = ctx.account._id;
  const self = ctx.session.channel.profile.authorizingId;
  const seen = new Set<string>();
  const members: RingGroupMember[] = [];
  for (const entry of listed) {
    if (typeof entry !== 'object' || entry === null) continue;
    const e = entry as Record<string, unknown>;
    const id = typeof e['id'] === 'string' ? e['id'] : '';
    const type = typeof e['endpoint_type'] === 'string' ? e['endpoint_type'] : 'device';
    if (id === '') continue;
    let devices: StoredDoc[] = [];
    if (type === 'device') {
      const device = await ctx.endpoints.device(accountId, id);
      devices = device === undefined ? [] : [device];
    } else if (type === 'user') {
      const user = await ctx.endpoints.user(accountId, id);
      devices = user === undefined ? [] : await ctx.endpoints.devicesOfOwner(accountId, user._id);
    } else {
      ctx.calls.logger.warn({ member: id, type }, 'ring group member type not supported; skipped');
    }
    const delayMs = seconds(e['delay']) ?? 0;
    const timeoutMs = seconds(e['timeout']) || DEFAULT_MEMBER_TIMEOUT_MS;
    const weight = typeof e['weight'] === 'number' && e['weight'] > 0 ? e['weight'] : 1;
    for (const device of devices) {
      if (seen.has(device._id) || device._id === self) continue;
      seen.add(device._id);
      members.push({ device, delayMs, timeoutMs, weight });
    }
  }
  return members;
}

/** Dial targets of the members (every registered contact), each with its ring time and, when ringing together, its delay. */
export function ringGroupTargets(ctx: Pick<FlowContext, 'deviceTargets'>, members: readonly RingGroupMember[], strategy: Strategy): DialTarget[] {
  return members.flatMap((m) =>
    ctx.deviceTargets([m.device]).map((target) => ({
      ...target,
      timeoutMs: m.timeoutMs,
      ...(strategy === 'simultaneous' && m.delayMs > 0 ? { delayMs: m.delayMs } : {}),
    })),
  );
}

/** Weighted random order without replacement: heavier members tend to ring first. */
export function weightedOrder<T extends { readonly weight: number }>(items: readonly T[], random: () => number): T[] {
  const left = [...items];
  const out: T[] = [];
  while (left.length > 0) {
    const total = left.reduce((sum, i) => sum + i.weight, 0);
    let r = random() * total;
    let index = left.findIndex((i) => (r -= i.weight) < 0);
    if (index < 0) index = left.length - 1;
    out.push(...left.splice(index, 1));
  }
  return out;
}

/** A non-negative number of seconds in ms, else undefined. */
function seconds(value: unknown): number | undefined {
  return typeof value === 'number' && value >= 0 ? value * 1000 : undefined;
}
