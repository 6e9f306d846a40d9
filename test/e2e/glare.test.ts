// Re-INVITE glare (RFC 3261 §14.2) with SIPp phones: while the switch's own re-INVITE to a phone
// waits for its final response, a re-INVITE from that phone is answered 491 and the call goes on.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pglite } from '../support/backends.ts';
import { startHarness, type Harness } from '../support/api-harness.ts';
import { explainSipp, stopAllSipp } from '../support/sipp.ts';
import { sippSkip } from '../support/sipp-skip.ts';
import { settled, waitLeg } from '../support/live-channels.ts';
import { call, phone, provision, type Phones } from '../support/switch-fixture.ts';

const skip = sippSkip();

describe('re-INVITE glare (RFC 3261 §14.2)', { skip }, () => {
  let h: Harness;
  let p: Phones;

  before(async () => {
    h = await startHarness(pglite());
    p = await provision(h, 'GlareCo', {
      devices: [{ username: 'alice' }, { username: 'bob' }],
      callflows: [{ number: '2001', device: 'bob' }],
    });
  });
  after(async () => {
    await stopAllSipp();
    await h?.close();
  });

  test("a phone's re-INVITE during the switch's hold re-INVITE gets 491; the hold completes and the call ends cleanly", async () => {
    const c = p.account.client;
    const A = p.account.accountId;
    const bob = await phone(p, 'bob', 'uas-answer-glare.xml', { timeoutSec: 30 });
    const alice = call(p, 'alice', '2001', 'uac-call.xml', { vars: { hold_ms: 5000 }, timeoutSec: 30 });
    const aliceLeg = await waitLeg(h, 'alice', { direction: 'inbound', peer: 'bob' }, 8000);
    const bobLeg = await waitLeg(h, 'bob', { direction: 'outbound', peer: 'alice' });
    await new Promise((r) => setTimeout(r, 800));
    // The hold action re-INVITEs alice's peer, bob, who answers it only after his own re-INVITE got its 491.
    const hold = await c.post(`/v2/accounts/${A}/channels/${aliceLeg.uuid}`, { action: 'hold' });
    assert.equal(hold.status, 200, hold.text);
    assert.equal(hold.body['data'], 'hold initiated');
    const detail = await c.get(`/v2/accounts/${A}/channels/${aliceLeg.uuid}`);
    assert.equal(detail.status, 200, `the call outlived the glare: ${detail.text}`);
    assert.equal((detail.body['data'] as Record<string, unknown>)['is_on_hold'], true);
    assert.equal(h.app.switch.b2bua.control.isReoffering(bobLeg), false, 'no offer of the switch is left open');
    const [a, b] = await Promise.all([alice, bob.done]);
    assert.equal(b.exitCode, 0, `bob got 491 for his re-INVITE, then answered the hold: ${explainSipp(b)}`);
    assert.match(b.logs, /hold offer sendonly/);
    assert.match(b.logs, /glare answered SIP\/2\.0 491/);
    // The ACK matched the 491's server transaction: the switch did not retransmit the 491 (Timer G).
    assert.equal(b.messages?.match(/^SIP\/2\.0 491 /gm)?.length, 1, explainSipp(b));
    assert.equal(a.exitCode, 0, `alice stayed in the call until her BYE: ${explainSipp(a)}`);
    await settled(h);
  });
});
