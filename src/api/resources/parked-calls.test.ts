import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GREGORIAN_OFFSET } from '../../lib/index.ts';
import { parkedSlotView } from './parked-calls.ts';

test('a parked call is shown with KAZOO slot keys plus the slot, who parked it and since when (Gregorian)', () => {
  assert.deepEqual(
    parkedSlotView({
      slot: '2',
      callId: 'call-1',
      callerIdName: 'Alice',
      callerIdNumber: '1001',
      fromUri: 'sip:1001@acme.test',
      fromTag: 'ft',
      presenceId: 'alice@acme.test',
      parkedAt: 1_700_000_000_500,
      parkedBy: { deviceId: 'dev-bob', ownerId: 'user-bob', username: 'bob' },
      ringbackId: 'dev-bob',
    }),
    {
      slot: '2',
      call_id: 'call-1',
      cid_name: 'Alice',
      cid_number: '1001',
      cid_uri: 'sip:1001@acme.test',
      from_tag: 'ft',
      presence_id: 'alice@acme.test',
      ringback_id: 'dev-bob',
      parked_by: { device_id: 'dev-bob', owner_id: 'user-bob', username: 'bob' },
      parked_at: 1_700_000_000 + GREGORIAN_OFFSET,
    },
  );
});
