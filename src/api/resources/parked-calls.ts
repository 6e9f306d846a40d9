import type { ParkedCallInfo } from '../../calls/index.ts';
import { toGregorian } from '../../lib/index.ts';
import type { RouteSpec } from '../request-context.ts';
import { accountOf } from './crud.ts';

/** What the listing reads: the account's parked calls (implemented by the switch's `ParkingLots`). */
export interface ParkedCallDirectory {
  parked(accountId: string): readonly ParkedCallInfo[];
}

/**
 * One slot as KAZOO's `cb_parked_calls` shows it (its slot object, keys normalised), plus what
 * Switchboard adds: `slot`, `parked_at` (Gregorian seconds) and `parked_by` (the device that parked
 * the call, and its owner).
 */
export function parkedSlotView(c: ParkedCallInfo): Record<string, unknown> {
  return {
    slot: c.slot,
    call_id: c.callId,
    cid_name: c.callerIdName,
    cid_number: c.callerIdNumber,
    cid_uri: c.fromUri,
    ...(c.fromTag !== undefined ? { from_tag: c.fromTag } : {}),
    ...(c.toTag !== undefined ? { to_tag: c.toTag } : {}),
    ...(c.presenceId !== undefined ? { presence_id: c.presenceId } : {}),
    ...(c.ringbackId !== undefined ? { ringback_id: c.ringbackId } : {}),
    ...(c.parkedBy !== undefined
      ? {
          parked_by: {
            device_id: c.parkedBy.deviceId,
            ...(c.parkedBy.ownerId !== undefined ? { owner_id: c.parkedBy.ownerId } : {}),
            ...(c.parkedBy.username !== undefined ? { username: c.parkedBy.username } : {}),
          },
        }
      : {}),
    parked_at: toGregorian(c.parkedAt),
  };
}

/** `GET /v2/accounts/{A}/parked_calls` (KAZOO cb_parked_calls): `{"slots": {"<n>": {...}}}`, live from the switch. */
export function parkedCallRoutes(directory: ParkedCallDirectory): RouteSpec[] {
  return [
    {
      path: '/v2/accounts/:account_id/parked_calls',
      tag: 'parked_calls',
      auth: 'required',
      methods: {
        GET: {
          summary: "The account's parked calls by slot",
          handler: async (req) => {
            const slots: Record<string, unknown> = {};
            for (const c of directory.parked(accountOf(req)._id)) slots[c.slot] = parkedSlotView(c);
            return { data: { slots } };
          },
        },
      },
    },
  ];
}
