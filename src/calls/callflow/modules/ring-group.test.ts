import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../../lib/index.ts';
import type { StoredDoc } from '../../../store/index.ts';
import type { DialTarget } from '../../dialer.ts';
import { ringGroupMembers, ringGroupTargets, weightedOrder, type MemberLookup, type RingGroupMember } from './ring-group.ts';

function doc(id: string, type: string, extra: Record<string, unknown> = {}): StoredDoc {
  return { _id: id, _rev: '1-a', pvt_type: type, pvt_account_id: 'acct', pvt_created: 0, pvt_modified: 0, ...extra };
}

const DEVICES = new Map([
  ['d1', doc('d1', 'device')],
  ['d2', doc('d2', 'device', { owner_id: 'u1' })],
  ['d3', doc('d3', 'device', { owner_id: 'u1' })],
  ['caller', doc('caller', 'device', { owner_id: 'u1' })],
]);

function lookup(): MemberLookup {
  return {
    account: doc('acct', 'account'),
    endpoints: {
      device: async (_a: string, id: string) => DEVICES.get(id),
      user: async (_a: string, id: string) => (id === 'u1' ? doc('u1', 'user') : undefined),
      devicesOfOwner: async (_a: string, owner: string) => [...DEVICES.values()].filter((d) => d['owner_id'] === owner),
    },
    session: { channel: { profile: { authorizingId: 'caller' } } },
    calls: { logger: silentLogger },
  };
}

test('members expand users to their devices, in list order, without duplicates, unknown ids, groups or the caller', async () => {
  const members = await ringGroupMembers(lookup(), {
    endpoints: [
      { endpoint_type: 'device', id: 'd2', delay: 2, timeout: 5 },
      { endpoint_type: 'user', id: 'u1', timeout: 9 },
      { endpoint_type: 'group', id: 'g1' },
      { endpoint_type: 'device', id: 'missing' },
      { endpoint_type: 'device', id: 'd1', timeout: 0, weight: 7 },
      { id: '' },
    ],
  });
  assert.deepEqual(
    members.map((m) => [m.device._id, m.delayMs, m.timeoutMs, m.weight]),
    [
      ['d2', 2000, 5000, 1],
      ['d3', 0, 9000, 1],
      ['d1', 0, 20000, 7],
    ],
  );
});

test('targets carry each member ring time, and its delay only when members ring together', () => {
  const members: RingGroupMember[] = [
    { device: doc('d1', 'device'), delayMs: 1000, timeoutMs: 5000, weight: 1 },
    { device: doc('d2', 'device'), delayMs: 0, timeoutMs: 7000, weight: 1 },
  ];
  const ctx = {
    deviceTargets: (devices: readonly StoredDoc[]): DialTarget[] =>
      devices.flatMap((d) => [1, 2].map((n) => ({ uri: `sip:${d._id}-${n}@192.0.2.1`, profile: { authorizingId: d._id } }))),
  };
  const simultaneous = ringGroupTargets(ctx, members, 'simultaneous');
  assert.deepEqual(simultaneous.map((t) => [t.uri, t.delayMs, t.timeoutMs]), [
    ['sip:d1-1@192.0.2.1', 1000, 5000],
    ['sip:d1-2@192.0.2.1', 1000, 5000],
    ['sip:d2-1@192.0.2.1', undefined, 7000],
    ['sip:d2-2@192.0.2.1', undefined, 7000],
  ]);
  const single = ringGroupTargets(ctx, members, 'single');
  assert.deepEqual(single.map((t) => [t.delayMs, t.timeoutMs]), [[undefined, 5000], [undefined, 5000], [undefined, 7000], [undefined, 7000]]);
});

test('weighted random order draws heavier members first for the same draw and keeps every member once', () => {
  const items = [{ id: 'a', weight: 1 }, { id: 'b', weight: 3 }, { id: 'c', weight: 6 }];
  const draws = [0.95, 0.5, 0.0];
  let n = 0;
  const order = weightedOrder(items, () => draws[n++] ?? 0).map((i) => i.id);
  // 0.95 of 10 → c (4..10); 0.5 of 4 → b (1..4); then a.
  assert.deepEqual(order, ['c', 'b', 'a']);
  assert.deepEqual(weightedOrder(items, () => 0).map((i) => i.id), ['a', 'b', 'c']);
  assert.deepEqual(weightedOrder([], () => 0.5), []);
});
