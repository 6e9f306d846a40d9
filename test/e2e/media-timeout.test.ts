// Media inactivity timeout (brief H2) with SIPp phones: a caller whose phone vanishes without a BYE
// is hung up by the switch (MEDIA_TIMEOUT, BYE both ways); a caller that holds may stay silent.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pglite } from '../support/backends.ts';
import { startHarness, type Harness } from '../support/api-harness.ts';
import { explainSipp, stopAllSipp } from '../support/sipp.ts';
import { sippSkip } from '../support/sipp-skip.ts';
import { call, phone, provision, type Phones } from '../support/switch-fixture.ts';
import { settled } from '../support/live-channels.ts';
import type { BusMessage } from '../../src/bus/index.ts';

const skip = sippSkip();

describe('media inactivity timeout (SIPp phones, SWITCHBOARD_RTP_TIMEOUT_SECONDS=2)', { skip, timeout: 90_000 }, () => {
  let h: Harness;
  let p: Phones;
  const events: (BusMessage & { at: number })[] = [];

  before(async () => {
    h = await startHarness(pglite(), { env: { SWITCHBOARD_LOG_LEVEL: 'silent', SWITCHBOARD_RTP_TIMEOUT_SECONDS: '2', SWITCHBOARD_RTP_HOLD_TIMEOUT_SECONDS: '3600' } });
    p = await provision(h, 'Quietco', {
      devices: [{ username: 'alice' }, { username: 'bob' }],
      callflows: [{ number: '2001', device: 'bob' }],
    });
    h.app.bus.subscribe('call.#', (m) => events.push({ ...m, at: Date.now() }));
  });

  after(async () => {
    await stopAllSipp();
    await h?.close();
  });

  const settledAndUnlisted = async (): Promise<void> => {
    await settled(h, 5000);
    const listed = await p.account.client.get(`/v2/accounts/${p.account.accountId}/channels`);
    assert.equal(listed.status, 200, listed.text);
    assert.deepEqual(listed.body['data'], [], 'GET channels lists nothing');
  };
  const named = (name: string, direction: string): (BusMessage & { at: number }) | undefined =>
    events.find((e) => e.payload['event_name'] === name && e.payload['call_direction'] === direction);

  test('a caller that goes silent without a BYE is hung up: BYE to both phones, CHANNEL_DESTROY says MEDIA_TIMEOUT', async () => {
    events.length = 0;
    const bob = await phone(p, 'bob', 'uas-answer.xml', { timeoutSec: 30 });
    const alice = await call(p, 'alice', '2001', 'uac-call-go-silent.xml', { timeoutSec: 30 });
    const bobResult = await bob.done;
    assert.equal(alice.exitCode, 0, explainSipp(alice));
    assert.match(alice.logs, /bye from the switch/);
    assert.equal(bobResult.exitCode, 0, explainSipp(bobResult));
    assert.ok((alice.rtp?.received ?? 0) > 10, `alice heard bob until the end: ${alice.rtp?.received} packets`);
    await settledAndUnlisted();

    const answer = named('CHANNEL_ANSWER', 'inbound');
    const aliceEnd = named('CHANNEL_DESTROY', 'inbound');
    const bobEnd = named('CHANNEL_DESTROY', 'outbound');
    assert.ok(answer !== undefined && aliceEnd !== undefined && bobEnd !== undefined, events.map((e) => e.payload['event_name']).join(','));
    assert.equal(aliceEnd.payload['hangup_cause'], 'MEDIA_TIMEOUT');
    assert.equal(bobEnd.payload['hangup_cause'], 'MEDIA_TIMEOUT');
    assert.ok(events.indexOf(aliceEnd) < events.indexOf(bobEnd), 'the silent caller ends first, its peer follows');
    // The burst lasts 140 ms; then 2 s of silence, noticed at the next check (every 500 ms).
    const lasted = aliceEnd.at - answer.at;
    assert.ok(lasted >= 2000 && lasted <= 4500, `the call ended ${lasted} ms after the answer`);
  });

  test('a caller that holds (a=inactive) may stay silent past the RTP timeout: the call ends with its own BYE', async () => {
    events.length = 0;
    const bob = await phone(p, 'bob', 'uas-answer.xml', { timeoutSec: 30 });
    const alice = await call(p, 'alice', '2001', 'uac-call-hold-silent.xml', { timeoutSec: 30, vars: { hold_dir: 'inactive', talk_ms: 300, held_ms: 4000 } });
    const bobResult = await bob.done;
    assert.equal(alice.exitCode, 0, explainSipp(alice));
    assert.match(alice.logs, /hold answer inactive/);
    assert.equal(bobResult.exitCode, 0, explainSipp(bobResult));
    await settledAndUnlisted();
    const aliceEnd = named('CHANNEL_DESTROY', 'inbound');
    assert.equal(aliceEnd?.payload['hangup_cause'], 'NORMAL_CLEARING');
    assert.equal(named('CHANNEL_DESTROY', 'outbound')?.payload['hangup_cause'], 'NORMAL_CLEARING');
  });
});
