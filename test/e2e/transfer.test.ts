// Call transfers through the switch with SIPp phones (issue 4 item 2): REFER blind and attended
// (Replaces), the transfer command with takeback and completion, INVITE with Replaces.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pglite } from '../support/backends.ts';
import { startHarness, type Harness } from '../support/api-harness.ts';
import { assertSippOk, stopAllSipp, type RunningSipp } from '../support/sipp.ts';
import { sippSkip } from '../support/sipp-skip.ts';
import { call, phone, provision, type Phones } from '../support/switch-fixture.ts';
import { namesOf } from '../support/call-events.ts';
import { settled, waitLeg } from '../support/live-channels.ts';
import { eventually } from '../support/wait.ts';
import type { BusMessage } from '../../src/bus/index.ts';
import { CallCommandError, UnknownTransferTarget } from '../../src/calls/index.ts';

const skip = sippSkip();

describe('transfers through the switch (SIPp phones)', { skip }, () => {
  let h: Harness;
  let p: Phones;
  const events: BusMessage[] = [];

  before(async () => {
    h = await startHarness(pglite(), { env: { SWITCHBOARD_LOG_LEVEL: 'silent' } });
    p = await provision(h, 'Xfer', {
      devices: [{ username: 'alice' }, { username: 'bob' }, { username: 'carol' }, { username: 'dave' }],
      callflows: [
        { number: '2001', device: 'bob' },
        { number: '2002', device: 'carol' },
        { number: '2004', device: 'dave' },
      ],
    });
    h.app.bus.subscribe('call.#', (m) => events.push(m));
  });

  after(async () => {
    await stopAllSipp();
    await h?.close();
  });

  const control = () => h.app.switch.b2bua.control;
  /** Channel uuids of a phone's legs, in creation order. */
  const uuidsOf = (username: string): string[] =>
    events
      .filter((e) => e.payload['event_name'] === 'CHANNEL_CREATE' && (e.payload['custom_channel_vars'] as Record<string, unknown>)['username'] === username)
      .map((e) => String(e.payload['call_id']));
  const transferee = (): BusMessage | undefined => events.find((e) => e.payload['event_name'] === 'CHANNEL_TRANSFEREE');
  const received = (s: RunningSipp): number => s.rtp?.counts().received ?? 0;

  test('blind REFER: the transferee talks to a third phone, the transferor gets NOTIFY 100 then 200 and leaves', async () => {
    events.length = 0;
    const bob = await phone(p, 'bob', 'uas-answer-send-bye.xml', { vars: { hangup_ms: 5500 } });
    const carol = await phone(p, 'carol', 'uas-answer.xml', { vars: { answer_ms: 300 } });
    const alice = call(p, 'alice', '2001', 'transfer-uac-refer.xml', { vars: { refer_to: `sip:2002@${p.realm}`, talk_ms: 1500 } });
    await eventually(() => transferee() !== undefined, 8000);
    const bobAt = received(bob);
    const carolAt = received(carol);
    const a = await alice;
    const [b, c] = await Promise.all([bob.done, carol.done]);
    assertSippOk(a);
    assertSippOk(b);
    assertSippOk(c);
    assert.match(a.logs, /notify 100 active event=refer \(SIP\/2\.0 100 Trying\)/);
    assert.match(a.logs, /notify 200 terminated event=refer \(SIP\/2\.0 200 OK\)/);
    assert.ok((b.rtp?.received ?? 0) - bobAt > 20, `bob heard ${(b.rtp?.received ?? 0) - bobAt} packets from carol`);
    assert.ok((c.rtp?.received ?? 0) - carolAt > 20, `carol heard ${(c.rtp?.received ?? 0) - carolAt} packets from bob`);
    await settled(h, 8000);
    const [aliceLeg] = uuidsOf('alice');
    const [bobLeg] = uuidsOf('bob');
    const [carolLeg] = uuidsOf('carol');
    assert.deepEqual(namesOf(events, aliceLeg ?? ''), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_DESTROY']);
    assert.deepEqual(namesOf(events, bobLeg ?? ''), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_BRIDGE', 'CHANNEL_TRANSFEREE', 'CHANNEL_DESTROY']);
    assert.deepEqual(namesOf(events, carolLeg ?? ''), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_DESTROY']);
    const t = transferee()?.payload ?? {};
    assert.equal(t['call_id'], bobLeg);
    assert.equal(t['other_leg_call_id'], carolLeg);
    assert.equal(t['target_call_id'], carolLeg);
    assert.equal(t['transferor_call_id'], aliceLeg);
    assert.equal(t['transfer_type'], 'blind');
    assert.equal(t['disposition'], 'SUCCESS');
  });

  test('REFER to an unknown number: NOTIFY 404 and the call stays up (REFER from the callee)', async () => {
    events.length = 0;
    const bob = await phone(p, 'bob', 'transfer-uas-refer.xml', { vars: { refer_to: `sip:9999@${p.realm}`, talk_ms: 1000, after_ms: 1500 } });
    const alice = await call(p, 'alice', '2001', 'uac-call-wait-bye.xml');
    const b = await bob.done;
    assertSippOk(alice);
    assertSippOk(b);
    assert.match(b.logs, /notify 100 active/);
    assert.match(b.logs, /notify 404 terminated event=refer \(SIP\/2\.0 404 Not Found\)/);
    // The call went on after the failure: alice kept hearing bob until bob hung up.
    assert.ok((alice.rtp?.received ?? 0) > 50, `alice heard ${alice.rtp?.received} packets`);
    await settled(h, 8000);
    // A REFER splits the bridge at once (its phone may BYE right after the 202); the unknown
    // number puts it back together.
    for (const leg of [...uuidsOf('alice'), ...uuidsOf('bob')]) {
      assert.deepEqual(namesOf(events, leg), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_BRIDGE', 'CHANNEL_DESTROY']);
    }
    assert.equal(transferee(), undefined);
  });

  test('attended REFER with Replaces: the transferee meets the target, both of the transferor\'s legs end', async () => {
    events.length = 0;
    const carol = await phone(p, 'carol', 'uas-answer.xml');
    // The transferor's second line: alice → carol, ended by the switch once replaced.
    const line2 = call(p, 'alice', '2002', 'uac-call-wait-bye.xml');
    const call2 = await waitLeg(h, 'alice', { direction: 'inbound', peer: 'carol' }, 8000);
    const id = call2.dialog?.id;
    assert.ok(id);
    const replaces = encodeURIComponent(`${id.callId};to-tag=${id.localTag};from-tag=${id.remoteTag}`);
    const bob = await phone(p, 'bob', 'uas-answer-send-bye.xml', { vars: { hangup_ms: 4500 } });
    const line1 = call(p, 'alice', '2001', 'transfer-uac-refer.xml', { vars: { refer_to: `sip:2002@${p.realm}?Replaces=${replaces}`, talk_ms: 1500 } });
    await eventually(() => transferee() !== undefined, 8000);
    const bobAt = received(bob);
    const carolAt = received(carol);
    const [l1, l2, b, c] = await Promise.all([line1, line2, bob.done, carol.done]);
    assertSippOk(l1);
    assertSippOk(l2);
    assertSippOk(b);
    assertSippOk(c);
    assert.match(l1.logs, /notify 100 active/);
    assert.match(l1.logs, /notify 200 terminated event=refer/);
    assert.ok((b.rtp?.received ?? 0) - bobAt > 20, 'bob hears carol');
    assert.ok((c.rtp?.received ?? 0) - carolAt > 20, 'carol hears bob');
    await settled(h, 8000);
    const [call2Leg, call1Leg] = uuidsOf('alice');
    const [bobLeg] = uuidsOf('bob');
    const [carolLeg] = uuidsOf('carol');
    assert.equal(call2Leg, call2.uuid);
    for (const leg of [call1Leg, call2Leg]) {
      assert.deepEqual(namesOf(events, leg ?? ''), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_DESTROY']);
    }
    assert.deepEqual(namesOf(events, bobLeg ?? ''), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_BRIDGE', 'CHANNEL_TRANSFEREE', 'CHANNEL_DESTROY']);
    assert.deepEqual(namesOf(events, carolLeg ?? ''), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_BRIDGE', 'CHANNEL_DESTROY']);
    const t = transferee()?.payload ?? {};
    assert.equal(t['target_call_id'], carolLeg);
    assert.equal(t['transferor_call_id'], call1Leg);
    assert.equal(t['transfer_type'], 'attended');
  });

  test('attended transfer command: the transferee hears music, the transferor talks to the target, then takes back with *1', async () => {
    events.length = 0;
    const bob = await phone(p, 'bob', 'uas-answer.xml');
    const carol = await phone(p, 'carol', 'uas-answer.xml');
    const alice = call(p, 'alice', '2001', 'uac-rfc2833-dtmf.xml', { vars: { digits: '*1', lead_ms: 3500, gap_ms: 300, hold_ms: 2000 } });
    const aliceLeg = await waitLeg(h, 'alice', { direction: 'inbound', peer: 'bob' }, 8000);
    // Bad input first: nothing changes.
    await assert.rejects(control().transfer(aliceLeg, ''), (e: unknown) => e instanceof CallCommandError && e.field === 'target' && e.rule === 'required');
    await assert.rejects(control().attendedTransfer(aliceLeg, '9999'), UnknownTransferTarget);
    assert.equal(aliceLeg.otherLeg?.profile.username, 'bob');
    const info = await control().attendedTransfer(aliceLeg, '2002');
    assert.equal(info.type, 'attended');
    assert.equal(info.transferorCallId, aliceLeg.uuid);
    const bobLeg = h.app.switch.channels.get(info.transfereeCallId);
    assert.ok(bobLeg);
    await waitLeg(h, 'alice', { direction: 'inbound', peer: 'carol' }, 8000);
    // The transferee waits alone: a transfer or hold on it is refused as not bridged.
    await assert.rejects(control().transfer(bobLeg, '2004'), (e: unknown) => e instanceof CallCommandError && e.field === 'other_leg_call_id');
    const bobMusicFrom = received(bob);
    // *1 from alice (RFC 4733) at lead_ms: carol is dropped, alice and bob talk again.
    await eventually(() => aliceLeg.otherLeg === bobLeg, 8000);
    assert.ok(received(bob) - bobMusicFrom > 20, 'bob heard music on hold while alice talked to carol');
    const [a, b, c] = await Promise.all([alice, bob.done, carol.done]);
    assertSippOk(a);
    assertSippOk(b);
    assertSippOk(c);
    await settled(h, 8000);
    const [carolLeg] = uuidsOf('carol');
    assert.deepEqual(namesOf(events, aliceLeg.uuid), [
      'CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_BRIDGE', 'CHANNEL_DESTROY',
    ]);
    assert.deepEqual(namesOf(events, bobLeg.uuid), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_BRIDGE', 'CHANNEL_DESTROY']);
    assert.deepEqual(namesOf(events, carolLeg ?? ''), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_DESTROY']);
    assert.equal(transferee(), undefined);
    assert.ok(events.some((e) => e.payload['call_id'] === aliceLeg.uuid && e.payload['event_name'] === 'DTMF' && e.payload['dtmf_digit'] === '*'));
  });

  test('attended transfer command: the transferor hanging up after the target answered completes it', async () => {
    events.length = 0;
    const bob = await phone(p, 'bob', 'uas-answer.xml');
    const carol = await phone(p, 'carol', 'uas-answer-send-bye.xml', { vars: { hangup_ms: 5000 } });
    const alice = call(p, 'alice', '2001', 'uac-call.xml', { vars: { hold_ms: 3000 } });
    const aliceLeg = await waitLeg(h, 'alice', { direction: 'inbound', peer: 'bob' }, 8000);
    const info = await control().transfer(aliceLeg, '2002', { type: 'attended' });
    const carolLeg = await waitLeg(h, 'carol', { direction: 'outbound', peer: 'alice' }, 8000);
    await eventually(() => transferee() !== undefined, 8000);
    const bobAt = received(bob);
    const [a, b, c] = await Promise.all([alice, bob.done, carol.done]);
    assertSippOk(a);
    assertSippOk(b);
    assertSippOk(c);
    assert.ok((b.rtp?.received ?? 0) - bobAt > 20, 'bob hears carol after the transfer');
    await settled(h, 8000);
    assert.deepEqual(namesOf(events, info.transfereeCallId), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_BRIDGE', 'CHANNEL_TRANSFEREE', 'CHANNEL_DESTROY']);
    assert.deepEqual(namesOf(events, aliceLeg.uuid), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_BRIDGE', 'CHANNEL_DESTROY']);
    assert.deepEqual(namesOf(events, carolLeg.uuid), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_BRIDGE', 'CHANNEL_DESTROY']);
    const t = transferee()?.payload ?? {};
    assert.equal(t['call_id'], info.transfereeCallId);
    assert.equal(t['target_call_id'], carolLeg.uuid);
    assert.equal(t['transferor_call_id'], aliceLeg.uuid);
    assert.equal(t['transfer_type'], 'attended');
  });

  test('attended transfer command: a busy target reconnects transferor and transferee', async () => {
    events.length = 0;
    const bob = await phone(p, 'bob', 'uas-answer.xml');
    const carol = await phone(p, 'carol', 'uas-busy.xml');
    const alice = call(p, 'alice', '2001', 'uac-call.xml', { vars: { hold_ms: 3000 } });
    const aliceLeg = await waitLeg(h, 'alice', { direction: 'inbound', peer: 'bob' }, 8000);
    const info = await control().attendedTransfer(aliceLeg, '2002');
    const [a, b, c] = await Promise.all([alice, bob.done, carol.done]);
    assertSippOk(a);
    assertSippOk(b);
    assertSippOk(c);
    await settled(h, 8000);
    assert.deepEqual(namesOf(events, aliceLeg.uuid), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_BRIDGE', 'CHANNEL_DESTROY']);
    assert.deepEqual(namesOf(events, info.transfereeCallId), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_BRIDGE', 'CHANNEL_DESTROY']);
    const [carolLeg] = uuidsOf('carol');
    assert.deepEqual(namesOf(events, carolLeg ?? ''), ['CHANNEL_CREATE', 'CHANNEL_DESTROY']);
    assert.equal(events.find((e) => e.payload['call_id'] === carolLeg && e.payload['event_name'] === 'CHANNEL_DESTROY')?.payload['hangup_cause'], 'USER_BUSY');
  });

  test('completeTransfer while the target still rings: the transferor leaves, the transferee gets the target when it answers', async () => {
    events.length = 0;
    const bob = await phone(p, 'bob', 'uas-answer.xml');
    const carol = await phone(p, 'carol', 'uas-answer-send-bye.xml', { vars: { answer_ms: 1500, hangup_ms: 2000 } });
    const alice = call(p, 'alice', '2001', 'uac-call-wait-bye.xml');
    const aliceLeg = await waitLeg(h, 'alice', { direction: 'inbound', peer: 'bob' }, 8000);
    const info = await control().attendedTransfer(aliceLeg, '2002');
    await waitLeg(h, 'carol', { direction: 'outbound' }, 5000);
    const bobLeg = h.app.switch.channels.get(info.transfereeCallId);
    assert.ok(bobLeg);
    control().completeTransfer(bobLeg);
    assert.throws(() => control().cancelTransfer(bobLeg), (e: unknown) => e instanceof CallCommandError && e.field === 'action');
    const [a, b, c] = await Promise.all([alice, bob.done, carol.done]);
    assertSippOk(a);
    assertSippOk(b);
    assertSippOk(c);
    await settled(h, 8000);
    assert.deepEqual(namesOf(events, aliceLeg.uuid), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_DESTROY']);
    assert.deepEqual(namesOf(events, bobLeg.uuid), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_BRIDGE', 'CHANNEL_TRANSFEREE', 'CHANNEL_DESTROY']);
    assert.equal(transferee()?.payload['transferor_call_id'], aliceLeg.uuid);
  });

  test('cancelTransfer by the transferee\'s channel drops the answered target and reconnects', async () => {
    events.length = 0;
    const bob = await phone(p, 'bob', 'uas-answer.xml');
    const carol = await phone(p, 'carol', 'uas-answer.xml');
    const alice = call(p, 'alice', '2001', 'uac-call.xml', { vars: { hold_ms: 3500 } });
    const aliceLeg = await waitLeg(h, 'alice', { direction: 'inbound', peer: 'bob' }, 8000);
    const info = await control().attendedTransfer(aliceLeg, '2002');
    await waitLeg(h, 'alice', { direction: 'inbound', peer: 'carol' }, 8000);
    const bobLeg = h.app.switch.channels.get(info.transfereeCallId);
    assert.ok(bobLeg);
    control().cancelTransfer(bobLeg);
    assert.equal(aliceLeg.otherLeg, bobLeg);
    const [a, b, c] = await Promise.all([alice, bob.done, carol.done]);
    assertSippOk(a);
    assertSippOk(b);
    assertSippOk(c);
    await settled(h, 8000);
    assert.equal(transferee(), undefined);
    assert.deepEqual(namesOf(events, bobLeg.uuid), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_BRIDGE', 'CHANNEL_DESTROY']);
  });

  test('blind transfer command: the transferor is hung up at once, the transferee hears ringback then the target', async () => {
    events.length = 0;
    const bob = await phone(p, 'bob', 'uas-answer.xml');
    const carol = await phone(p, 'carol', 'uas-answer-send-bye.xml', { vars: { answer_ms: 800, hangup_ms: 2500 } });
    const alice = call(p, 'alice', '2001', 'uac-call-wait-bye.xml');
    const aliceLeg = await waitLeg(h, 'alice', { direction: 'inbound', peer: 'bob' }, 8000);
    const info = await control().transfer(aliceLeg, '2002');
    assert.equal(info.type, 'blind');
    const [a, b, c] = await Promise.all([alice, bob.done, carol.done]);
    assertSippOk(a);
    assertSippOk(b);
    assertSippOk(c);
    await settled(h, 8000);
    assert.deepEqual(namesOf(events, aliceLeg.uuid), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_DESTROY']);
    assert.deepEqual(namesOf(events, info.transfereeCallId), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_BRIDGE', 'CHANNEL_TRANSFEREE', 'CHANNEL_DESTROY']);
    assert.equal(transferee()?.payload['transfer_type'], 'blind');
  });

  test('INVITE with Replaces naming no dialog is refused with 481', async () => {
    events.length = 0;
    const dave = await call(p, 'dave', '2001', 'transfer-uac-replaces.xml', { vars: { replaces: 'nothing@nowhere;to-tag=1;from-tag=2' } });
    assertSippOk(dave);
    assert.match(dave.logs, /final response 481/);
    assert.doesNotMatch(dave.logs, /answered/);
    assert.equal(events.length, 0);
    await settled(h, 8000);
  });

  test('INVITE with Replaces naming a live leg takes its place: bridged to its peer, the replaced leg gets BYE', async () => {
    events.length = 0;
    const bob = await phone(p, 'bob', 'uas-answer.xml');
    const alice = call(p, 'alice', '2001', 'uac-call-wait-bye.xml');
    const aliceLeg = await waitLeg(h, 'alice', { direction: 'inbound', peer: 'bob' }, 8000);
    const id = aliceLeg.dialog?.id;
    assert.ok(id);
    const dave = await call(p, 'dave', '2001', 'transfer-uac-replaces.xml', { vars: { replaces: `${id.callId};to-tag=${id.localTag};from-tag=${id.remoteTag}`, hold_ms: 2000 } });
    const [a, b] = await Promise.all([alice, bob.done]);
    assertSippOk(dave);
    assertSippOk(a);
    assertSippOk(b);
    assert.match(dave.logs, /answered/);
    assert.ok((dave.rtp?.received ?? 0) > 20, `dave heard ${dave.rtp?.received} packets from bob`);
    await settled(h, 8000);
    const [daveLeg] = uuidsOf('dave');
    const [bobLeg] = uuidsOf('bob');
    assert.deepEqual(namesOf(events, aliceLeg.uuid), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_DESTROY']);
    assert.deepEqual(namesOf(events, daveLeg ?? ''), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_DESTROY']);
    assert.deepEqual(namesOf(events, bobLeg ?? ''), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_BRIDGE', 'CHANNEL_TRANSFEREE', 'CHANNEL_DESTROY']);
    assert.equal(transferee()?.payload['transfer_source'], 'replaces');
  });
});
