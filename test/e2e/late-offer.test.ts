// SDP late offer through the switch with SIPp phones (brief H6): an INVITE without SDP gets the
// switch's offer in the 200 and answers it in the ACK (RFC 3261 §13.2.1, RFC 3264 §5); so does a
// re-INVITE without SDP in an established call.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pglite } from '../support/backends.ts';
import { startHarness, type Harness } from '../support/api-harness.ts';
import { assertSippOk, stopAllSipp } from '../support/sipp.ts';
import { sippSkip } from '../support/sipp-skip.ts';
import { phone, provision, startCall, type Phones } from '../support/switch-fixture.ts';
import { namesOf } from '../support/call-events.ts';
import { settled, waitLeg } from '../support/live-channels.ts';
import type { BusMessage } from '../../src/bus/index.ts';

const skip = sippSkip();

/** The `<o=...>` fields of a logged SDP origin line: session id and version. */
function origin(logs: string, label: string): { id: string; version: number } {
  const m = new RegExp(`${label} o=\\S+ (\\S+) (\\d+) `).exec(logs);
  assert.ok(m, `no "${label} o=" line in the logs:\n${logs}`);
  return { id: m[1] ?? '', version: Number(m[2]) };
}

describe('SDP late offer (SIPp phones)', { skip }, () => {
  let h: Harness;
  let p: Phones;
  const events: BusMessage[] = [];

  before(async () => {
    h = await startHarness(pglite(), { env: { SWITCHBOARD_LOG_LEVEL: 'silent' } });
    p = await provision(h, 'Lateco', {
      devices: [{ username: 'alice' }, { username: 'bob' }],
      callflows: [{ number: '2001', device: 'bob' }],
    });
    h.app.bus.subscribe('call.#', (m) => events.push(m));
  });

  after(async () => {
    await stopAllSipp();
    await h?.close();
  });

  const destroyCause = (uuid: string): unknown =>
    events.find((e) => e.payload['call_id'] === uuid && e.payload['event_name'] === 'CHANNEL_DESTROY')?.payload['hangup_cause'];

  test("an INVITE without SDP gets the switch's offer (the callee's codec) in the 200, the ACK answers it, RTP flows both ways", async () => {
    events.length = 0;
    const bob = await phone(p, 'bob', 'uas-answer.xml');
    const aliceRun = await startCall(p, 'alice', '2001', 'uac-late-offer.xml', { vars: { hold_ms: 2500 } });
    const leg = await waitLeg(h, 'alice', { bridged: true }, 8000);
    const [alice, b] = await Promise.all([aliceRun.done, bob.done]);
    assertSippOk(alice);
    assertSippOk(b);
    // Bob was offered both codecs (alice's was not agreed yet); he took PCMA, so alice is offered PCMA only.
    assert.match(b.messages ?? '', /m=audio \d+ RTP\/AVP 8 0 101/);
    assert.match(alice.logs, /late offer m=audio \d+ RTP\/AVP 8 101/);
    assert.doesNotMatch(alice.messages ?? '', /SIP\/2\.0 183/, 'no offer in an unreliable 1xx');
    assert.ok((alice.rtp?.byPayloadType[8] ?? 0) > 20, `alice heard ${alice.rtp?.received} packets`);
    assert.ok((b.rtp?.byPayloadType[8] ?? 0) > 20, `bob heard ${b.rtp?.received} packets`);
    assert.deepEqual(alice.rtp?.sources, [`127.0.0.1:${leg.media.port}`], "alice's audio comes from the port the switch offered");
    assert.equal(leg.media.remote?.port, alice.rtpPort, 'the answer in the ACK set where to send');
    await settled(h);
    assert.deepEqual(namesOf(events, leg.uuid), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_DESTROY']);
    assert.equal(destroyCause(leg.uuid), 'NORMAL_CLEARING');
  });

  test('a late-offer ACK without SDP: the switch BYEs both sides (INCOMPATIBLE_DESTINATION)', async () => {
    events.length = 0;
    const bob = await phone(p, 'bob', 'uas-answer.xml');
    const [alice, b] = await Promise.all([startCall(p, 'alice', '2001', 'uac-late-offer-no-answer.xml').then((r) => r.done), bob.done]);
    assertSippOk(alice);
    assertSippOk(b);
    assert.match(alice.logs, /late offer m=audio \d+ RTP\/AVP 8 101/);
    assert.match(alice.logs, /bye from the switch Q\.850;cause=88;text="INCOMPATIBLE_DESTINATION"/);
    assert.match(b.messages ?? '', /BYE sip:[^]*Reason: Q\.850;cause=88/);
    await settled(h);
    const destroyed = events.filter((e) => e.payload['event_name'] === 'CHANNEL_DESTROY');
    assert.deepEqual(
      destroyed.map((e) => `${String(e.payload['call_direction'])} ${String(e.payload['hangup_cause'])}`).sort(),
      ['inbound INCOMPATIBLE_DESTINATION', 'outbound INCOMPATIBLE_DESTINATION'],
    );
  });

  test('a re-INVITE without SDP mid-call gets 200 with the offer (same o= session), the ACK answers, media still flows', async () => {
    events.length = 0;
    const bob = await phone(p, 'bob', 'uas-answer.xml');
    const aliceRun = await startCall(p, 'alice', '2001', 'uac-reinvite-no-sdp.xml', { vars: { talk_ms: 1500 } });
    const leg = await waitLeg(h, 'alice', { bridged: true }, 8000);
    const dialog = leg.dialog;
    assert.ok(dialog);
    // The re-INVITE's ACK is the one with a body: note what both phones had heard by then.
    let atAnswer: { alice: number; bob: number } | undefined;
    dialog.on('ack', (ack) => {
      if (ack.body.length > 0) atAnswer = { alice: aliceRun.rtp?.counts().received ?? 0, bob: bob.rtp?.counts().received ?? 0 };
    });
    const [alice, b] = await Promise.all([aliceRun.done, bob.done]);
    assertSippOk(alice);
    assertSippOk(b);
    assert.match(alice.logs, /reoffer m=audio \d+ RTP\/AVP 8 101/);
    assert.match(alice.logs, /reoffer a=sendrecv/);
    const first = origin(alice.logs, 'initial answer');
    const again = origin(alice.logs, 'reoffer');
    assert.equal(again.id, first.id, 'same o= session id (RFC 3264 §8)');
    assert.ok(again.version === first.version || again.version === first.version + 1, `version ${first.version} then ${again.version}`);
    assert.ok(atAnswer, 'the ACK with the answer reached the dialog');
    const aliceAfter = (alice.rtp?.received ?? 0) - atAnswer.alice;
    const bobAfter = (b.rtp?.received ?? 0) - atAnswer.bob;
    assert.ok(aliceAfter > 20, `alice heard ${aliceAfter} packets after the re-INVITE`);
    assert.ok(bobAfter > 20, `bob heard ${bobAfter} packets after the re-INVITE`);
    await settled(h);
    assert.deepEqual(namesOf(events, leg.uuid), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_DESTROY']);
  });

  test('a re-INVITE without SDP answered sendonly in the ACK puts the peer on hold (CHANNEL_HOLD)', async () => {
    events.length = 0;
    const bob = await phone(p, 'bob', 'uas-answer.xml');
    const aliceRun = await startCall(p, 'alice', '2001', 'uac-reinvite-no-sdp.xml', { vars: { talk_ms: 1500, answer_dir: 'sendonly' } });
    const leg = await waitLeg(h, 'alice', { bridged: true }, 8000);
    const [alice, b] = await Promise.all([aliceRun.done, bob.done]);
    assertSippOk(alice);
    assertSippOk(b);
    await settled(h);
    assert.deepEqual(namesOf(events, leg.uuid), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_HOLD', 'CHANNEL_DESTROY']);
  });
});
