// Call transfers through the switch with SIPp phones (issue 4 item 2): REFER blind and attended
// (Replaces), the transfer command with takeback and completion, INVITE with Replaces.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../support/backends.ts';
import { startHarness, type Harness } from '../support/api-harness.ts';
import { explainSipp, runSipp, sippCanPlayPcap, sippSkipReason, stopAllSipp, type RunningSipp, type SippResult } from '../support/sipp.ts';
import { call, eventually, phone, provision, PASSWORD, type Phones } from '../support/switch-fixture.ts';
import type { BusMessage } from '../../src/bus/index.ts';
import { CallCommandError, UnknownTransferTarget, type Channel } from '../../src/calls/index.ts';

const skip = sippSkipReason() ?? (sippCanPlayPcap() ? undefined : 'SIPp cannot play pcaps here (needs root or CAP_NET_RAW)');
const pglite = backends()[0];

describe('transfers through the switch (SIPp phones)', { skip }, () => {
  let h: Harness;
  let p: Phones;
  const events: BusMessage[] = [];

  before(async () => {
    if (pglite === undefined) throw new Error('no backend');
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
  const live = () => h.app.switch.channels.all();
  /** The live leg of a phone: the caller's inbound leg or the callee's outbound one. */
  const legOf = (username: string, direction: 'inbound' | 'outbound', peer?: string): Channel | undefined =>
    live().find((c) => c.profile.username === username && c.profile.direction === direction && (peer === undefined || c.otherLeg?.profile.username === peer));
  const waitLeg = async (username: string, direction: 'inbound' | 'outbound', peer?: string): Promise<Channel> => {
    await eventually(() => legOf(username, direction, peer) !== undefined, 8000);
    const leg = legOf(username, direction, peer);
    assert.ok(leg);
    return leg;
  };
  const settled = async () => {
    await eventually(() => h.app.switch.channels.size === 0, 8000);
    await eventually(() => h.app.switch.engine.stats().endpoints === 0, 3000);
  };
  /** Event names of one channel, in bus order (DTMF left out). */
  const namesOf = (uuid: string): string[] =>
    events.filter((e) => e.payload['call_id'] === uuid && e.payload['event_name'] !== 'DTMF').map((e) => String(e.payload['event_name']));
  /** Channel uuids of a phone's legs, in creation order. */
  const uuidsOf = (username: string): string[] =>
    events
      .filter((e) => e.payload['event_name'] === 'CHANNEL_CREATE' && (e.payload['custom_channel_vars'] as Record<string, unknown>)['username'] === username)
      .map((e) => String(e.payload['call_id']));
  const transferee = (): BusMessage | undefined => events.find((e) => e.payload['event_name'] === 'CHANNEL_TRANSFEREE');
  const ok = (r: SippResult) => assert.equal(r.exitCode, 0, explainSipp(r));
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
    ok(a);
    ok(b);
    ok(c);
    assert.match(a.logs, /notify 100 active event=refer \(SIP\/2\.0 100 Trying\)/);
    assert.match(a.logs, /notify 200 terminated event=refer \(SIP\/2\.0 200 OK\)/);
    assert.ok((b.rtp?.received ?? 0) - bobAt > 20, `bob heard ${(b.rtp?.received ?? 0) - bobAt} packets from carol`);
    assert.ok((c.rtp?.received ?? 0) - carolAt > 20, `carol heard ${(c.rtp?.received ?? 0) - carolAt} packets from bob`);
    await settled();
    const [aliceLeg] = uuidsOf('alice');
    const [bobLeg] = uuidsOf('bob');
    const [carolLeg] = uuidsOf('carol');
    assert.deepEqual(namesOf(aliceLeg ?? ''), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_DESTROY']);
    assert.deepEqual(namesOf(bobLeg ?? ''), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_BRIDGE', 'CHANNEL_TRANSFEREE', 'CHANNEL_DESTROY']);
    assert.deepEqual(namesOf(carolLeg ?? ''), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_DESTROY']);
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
    ok(alice);
    ok(b);
    assert.match(b.logs, /notify 100 active/);
    assert.match(b.logs, /notify 404 terminated event=refer \(SIP\/2\.0 404 Not Found\)/);
    // The call went on after the failure: alice kept hearing bob until bob hung up.
    assert.ok((alice.rtp?.received ?? 0) > 50, `alice heard ${alice.rtp?.received} packets`);
    await settled();
    // A REFER splits the bridge at once (its phone may BYE right after the 202); the unknown
    // number puts it back together.
    for (const leg of [...uuidsOf('alice'), ...uuidsOf('bob')]) {
      assert.deepEqual(namesOf(leg), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_BRIDGE', 'CHANNEL_DESTROY']);
    }
    assert.equal(transferee(), undefined);
  });

  test('attended REFER with Replaces: the transferee meets the target, both of the transferor\'s legs end', async () => {
    events.length = 0;
    const carol = await phone(p, 'carol', 'uas-answer.xml');
    // The transferor's second line: alice → carol, ended by the switch once replaced.
    const line2 = runSipp({
      scenario: 'uac-call-wait-bye.xml', remote: p.remote, timeoutSec: 20, countRtp: true,
      vars: { user: 'alice', domain: p.realm, ext: '2002' },
      auth: { username: 'alice', password: PASSWORD, uri: `2002@${p.realm}` },
    });
    const call2 = await waitLeg('alice', 'inbound', 'carol');
    const id = call2.dialog?.id;
    assert.ok(id);
    const replaces = encodeURIComponent(`${id.callId};to-tag=${id.localTag};from-tag=${id.remoteTag}`);
    const bob = await phone(p, 'bob', 'uas-answer-send-bye.xml', { vars: { hangup_ms: 4500 } });
    const line1 = call(p, 'alice', '2001', 'transfer-uac-refer.xml', { vars: { refer_to: `sip:2002@${p.realm}?Replaces=${replaces}`, talk_ms: 1500 } });
    await eventually(() => transferee() !== undefined, 8000);
    const bobAt = received(bob);
    const carolAt = received(carol);
    const [l1, l2, b, c] = await Promise.all([line1, line2, bob.done, carol.done]);
    ok(l1);
    ok(l2);
    ok(b);
    ok(c);
    assert.match(l1.logs, /notify 100 active/);
    assert.match(l1.logs, /notify 200 terminated event=refer/);
    assert.ok((b.rtp?.received ?? 0) - bobAt > 20, 'bob hears carol');
    assert.ok((c.rtp?.received ?? 0) - carolAt > 20, 'carol hears bob');
    await settled();
    const [call2Leg, call1Leg] = uuidsOf('alice');
    const [bobLeg] = uuidsOf('bob');
    const [carolLeg] = uuidsOf('carol');
    assert.equal(call2Leg, call2.uuid);
    for (const leg of [call1Leg, call2Leg]) {
      assert.deepEqual(namesOf(leg ?? ''), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_DESTROY']);
    }
    assert.deepEqual(namesOf(bobLeg ?? ''), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_BRIDGE', 'CHANNEL_TRANSFEREE', 'CHANNEL_DESTROY']);
    assert.deepEqual(namesOf(carolLeg ?? ''), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_BRIDGE', 'CHANNEL_DESTROY']);
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
    const aliceLeg = await waitLeg('alice', 'inbound', 'bob');
    // Bad input first: nothing changes.
    await assert.rejects(control().transfer(aliceLeg, ''), (e: unknown) => e instanceof CallCommandError && e.field === 'target' && e.rule === 'required');
    await assert.rejects(control().attendedTransfer(aliceLeg, '9999'), UnknownTransferTarget);
    assert.equal(aliceLeg.otherLeg?.profile.username, 'bob');
    const info = await control().attendedTransfer(aliceLeg, '2002');
    assert.equal(info.type, 'attended');
    assert.equal(info.transferorCallId, aliceLeg.uuid);
    const bobLeg = h.app.switch.channels.get(info.transfereeCallId);
    assert.ok(bobLeg);
    await waitLeg('alice', 'inbound', 'carol');
    // The transferee waits alone: a transfer or hold on it is refused as not bridged.
    await assert.rejects(control().transfer(bobLeg, '2004'), (e: unknown) => e instanceof CallCommandError && e.field === 'other_leg_call_id');
    const bobMusicFrom = received(bob);
    // *1 from alice (RFC 4733) at lead_ms: carol is dropped, alice and bob talk again.
    await eventually(() => aliceLeg.otherLeg === bobLeg, 8000);
    assert.ok(received(bob) - bobMusicFrom > 20, 'bob heard music on hold while alice talked to carol');
    const [a, b, c] = await Promise.all([alice, bob.done, carol.done]);
    ok(a);
    ok(b);
    ok(c);
    await settled();
    const [carolLeg] = uuidsOf('carol');
    assert.deepEqual(namesOf(aliceLeg.uuid), [
      'CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_BRIDGE', 'CHANNEL_DESTROY',
    ]);
    assert.deepEqual(namesOf(bobLeg.uuid), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_BRIDGE', 'CHANNEL_DESTROY']);
    assert.deepEqual(namesOf(carolLeg ?? ''), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_DESTROY']);
    assert.equal(transferee(), undefined);
    assert.ok(events.some((e) => e.payload['call_id'] === aliceLeg.uuid && e.payload['event_name'] === 'DTMF' && e.payload['dtmf_digit'] === '*'));
  });

  test('attended transfer command: the transferor hanging up after the target answered completes it', async () => {
    events.length = 0;
    const bob = await phone(p, 'bob', 'uas-answer.xml');
    const carol = await phone(p, 'carol', 'uas-answer-send-bye.xml', { vars: { hangup_ms: 5000 } });
    const alice = call(p, 'alice', '2001', 'uac-call.xml', { vars: { hold_ms: 3000 } });
    const aliceLeg = await waitLeg('alice', 'inbound', 'bob');
    const info = await control().transfer(aliceLeg, '2002', { type: 'attended' });
    const carolLeg = await waitLeg('carol', 'outbound', 'alice');
    await eventually(() => transferee() !== undefined, 8000);
    const bobAt = received(bob);
    const [a, b, c] = await Promise.all([alice, bob.done, carol.done]);
    ok(a);
    ok(b);
    ok(c);
    assert.ok((b.rtp?.received ?? 0) - bobAt > 20, 'bob hears carol after the transfer');
    await settled();
    assert.deepEqual(namesOf(info.transfereeCallId), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_BRIDGE', 'CHANNEL_TRANSFEREE', 'CHANNEL_DESTROY']);
    assert.deepEqual(namesOf(aliceLeg.uuid), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_BRIDGE', 'CHANNEL_DESTROY']);
    assert.deepEqual(namesOf(carolLeg.uuid), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_BRIDGE', 'CHANNEL_DESTROY']);
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
    const aliceLeg = await waitLeg('alice', 'inbound', 'bob');
    const info = await control().attendedTransfer(aliceLeg, '2002');
    const [a, b, c] = await Promise.all([alice, bob.done, carol.done]);
    ok(a);
    ok(b);
    ok(c);
    await settled();
    assert.deepEqual(namesOf(aliceLeg.uuid), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_BRIDGE', 'CHANNEL_DESTROY']);
    assert.deepEqual(namesOf(info.transfereeCallId), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_BRIDGE', 'CHANNEL_DESTROY']);
    const [carolLeg] = uuidsOf('carol');
    assert.deepEqual(namesOf(carolLeg ?? ''), ['CHANNEL_CREATE', 'CHANNEL_DESTROY']);
    assert.equal(events.find((e) => e.payload['call_id'] === carolLeg && e.payload['event_name'] === 'CHANNEL_DESTROY')?.payload['hangup_cause'], 'USER_BUSY');
  });

  test('completeTransfer while the target still rings: the transferor leaves, the transferee gets the target when it answers', async () => {
    events.length = 0;
    const bob = await phone(p, 'bob', 'uas-answer.xml');
    const carol = await phone(p, 'carol', 'uas-answer-send-bye.xml', { vars: { answer_ms: 1500, hangup_ms: 2000 } });
    const alice = call(p, 'alice', '2001', 'uac-call-wait-bye.xml');
    const aliceLeg = await waitLeg('alice', 'inbound', 'bob');
    const info = await control().attendedTransfer(aliceLeg, '2002');
    await eventually(() => legOf('carol', 'outbound') !== undefined, 5000);
    const bobLeg = h.app.switch.channels.get(info.transfereeCallId);
    assert.ok(bobLeg);
    control().completeTransfer(bobLeg);
    assert.throws(() => control().cancelTransfer(bobLeg), (e: unknown) => e instanceof CallCommandError && e.field === 'action');
    const [a, b, c] = await Promise.all([alice, bob.done, carol.done]);
    ok(a);
    ok(b);
    ok(c);
    await settled();
    assert.deepEqual(namesOf(aliceLeg.uuid), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_DESTROY']);
    assert.deepEqual(namesOf(bobLeg.uuid), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_BRIDGE', 'CHANNEL_TRANSFEREE', 'CHANNEL_DESTROY']);
    assert.equal(transferee()?.payload['transferor_call_id'], aliceLeg.uuid);
  });

  test('cancelTransfer by the transferee\'s channel drops the answered target and reconnects', async () => {
    events.length = 0;
    const bob = await phone(p, 'bob', 'uas-answer.xml');
    const carol = await phone(p, 'carol', 'uas-answer.xml');
    const alice = call(p, 'alice', '2001', 'uac-call.xml', { vars: { hold_ms: 3500 } });
    const aliceLeg = await waitLeg('alice', 'inbound', 'bob');
    const info = await control().attendedTransfer(aliceLeg, '2002');
    await waitLeg('alice', 'inbound', 'carol');
    const bobLeg = h.app.switch.channels.get(info.transfereeCallId);
    assert.ok(bobLeg);
    control().cancelTransfer(bobLeg);
    assert.equal(aliceLeg.otherLeg, bobLeg);
    const [a, b, c] = await Promise.all([alice, bob.done, carol.done]);
    ok(a);
    ok(b);
    ok(c);
    await settled();
    assert.equal(transferee(), undefined);
    assert.deepEqual(namesOf(bobLeg.uuid), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_BRIDGE', 'CHANNEL_DESTROY']);
  });

  test('blind transfer command: the transferor is hung up at once, the transferee hears ringback then the target', async () => {
    events.length = 0;
    const bob = await phone(p, 'bob', 'uas-answer.xml');
    const carol = await phone(p, 'carol', 'uas-answer-send-bye.xml', { vars: { answer_ms: 800, hangup_ms: 2500 } });
    const alice = call(p, 'alice', '2001', 'uac-call-wait-bye.xml');
    const aliceLeg = await waitLeg('alice', 'inbound', 'bob');
    const info = await control().transfer(aliceLeg, '2002');
    assert.equal(info.type, 'blind');
    const [a, b, c] = await Promise.all([alice, bob.done, carol.done]);
    ok(a);
    ok(b);
    ok(c);
    await settled();
    assert.deepEqual(namesOf(aliceLeg.uuid), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_DESTROY']);
    assert.deepEqual(namesOf(info.transfereeCallId), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_BRIDGE', 'CHANNEL_TRANSFEREE', 'CHANNEL_DESTROY']);
    assert.equal(transferee()?.payload['transfer_type'], 'blind');
  });

  test('INVITE with Replaces naming no dialog is refused with 481', async () => {
    events.length = 0;
    const dave = await call(p, 'dave', '2001', 'transfer-uac-replaces.xml', { vars: { replaces: 'nothing@nowhere;to-tag=1;from-tag=2' } });
    ok(dave);
    assert.match(dave.logs, /final response 481/);
    assert.doesNotMatch(dave.logs, /answered/);
    assert.equal(events.length, 0);
    await settled();
  });

  test('INVITE with Replaces naming a live leg takes its place: bridged to its peer, the replaced leg gets BYE', async () => {
    events.length = 0;
    const bob = await phone(p, 'bob', 'uas-answer.xml');
    const alice = call(p, 'alice', '2001', 'uac-call-wait-bye.xml');
    const aliceLeg = await waitLeg('alice', 'inbound', 'bob');
    const id = aliceLeg.dialog?.id;
    assert.ok(id);
    const dave = await call(p, 'dave', '2001', 'transfer-uac-replaces.xml', { vars: { replaces: `${id.callId};to-tag=${id.localTag};from-tag=${id.remoteTag}`, hold_ms: 2000 } });
    const [a, b] = await Promise.all([alice, bob.done]);
    ok(dave);
    ok(a);
    ok(b);
    assert.match(dave.logs, /answered/);
    assert.ok((dave.rtp?.received ?? 0) > 20, `dave heard ${dave.rtp?.received} packets from bob`);
    await settled();
    const [daveLeg] = uuidsOf('dave');
    const [bobLeg] = uuidsOf('bob');
    assert.deepEqual(namesOf(aliceLeg.uuid), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_DESTROY']);
    assert.deepEqual(namesOf(daveLeg ?? ''), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_DESTROY']);
    assert.deepEqual(namesOf(bobLeg ?? ''), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_BRIDGE', 'CHANNEL_TRANSFEREE', 'CHANNEL_DESTROY']);
    assert.equal(transferee()?.payload['transfer_source'], 'replaces');
  });
});
