// Real SIP calls through the switch, with SIPp as both phones (issue 3).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pglite } from '../support/backends.ts';
import { startHarness, type Harness } from '../support/api-harness.ts';
import { explainSipp, stopAllSipp } from '../support/sipp.ts';
import { sippSkip } from '../support/sipp-skip.ts';
import { call, phone, provision, register, type Phones } from '../support/switch-fixture.ts';
import { settled } from '../support/live-channels.ts';
import type { BusMessage } from '../../src/bus/index.ts';

const skip = sippSkip();

describe('SIP calls through the switch (SIPp phones)', { skip }, () => {
  let h: Harness;
  let p: Phones;
  const events: BusMessage[] = [];

  before(async () => {
    h = await startHarness(pglite(), { env: { SWITCHBOARD_LOG_LEVEL: 'silent' } });
    p = await provision(h, 'Acme', {
      users: ['carol'],
      devices: [{ username: 'alice' }, { username: 'bob' }, { username: 'carol1', owner: 'carol' }, { username: 'carol2', owner: 'carol' }, { username: 'dave' }],
      callflows: [
        { number: '2001', device: 'bob' },
        { number: '2002', user: 'carol' },
        { number: '2003', device: 'dave', timeout: 2 },
      ],
    });
    h.app.bus.subscribe('call.#', (m) => events.push(m));
  });

  after(async () => {
    await stopAllSipp();
    await h?.close();
  });

  test('a phone registers with digest; a wrong password is refused', async () => {
    const ok = await register(p, 'alice');
    assert.equal(ok.exitCode, 0, explainSipp(ok));
    const bad = await register(p, 'bob', 'udp', 'wrong-password');
    assert.equal(bad.exitCode, 0, explainSipp(bad));
    assert.ok(h.app.switch.registrations.all().some((b) => b.username === 'alice'));
  });

  test('device A calls device B by extension, RTP flows both ways through the relay, A hangs up', async () => {
    events.length = 0;
    const bob = await phone(p, 'bob', 'uas-answer.xml');
    const alice = await call(p, 'alice', '2001', 'uac-call.xml', { vars: { hold_ms: 2500 } });
    const bobResult = await bob.done;
    assert.equal(alice.exitCode, 0, explainSipp(alice));
    assert.equal(bobResult.exitCode, 0, explainSipp(bobResult));
    assert.ok((alice.rtp?.received ?? 0) > 20, `alice heard ${alice.rtp?.received} packets`);
    assert.ok((bobResult.rtp?.received ?? 0) > 20, `bob heard ${bobResult.rtp?.received} packets`);
    await settled(h);
    const names = events.map((e) => `${String(e.payload['call_direction'])}:${String(e.payload['event_name'])}`);
    for (const dir of ['inbound', 'outbound']) {
      const mine = names.filter((n) => n.startsWith(dir)).map((n) => n.split(':')[1]);
      assert.deepEqual(mine.filter((n) => n !== 'DTMF'), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_DESTROY'], `${dir}: ${mine.join(',')}`);
    }
    const destroy = events.find((e) => e.payload['event_name'] === 'CHANNEL_DESTROY');
    assert.equal(destroy?.payload['hangup_cause'], 'NORMAL_CLEARING');
    assert.ok(destroy?.routingKey.startsWith(`call.${p.account.accountId}.CHANNEL_DESTROY.`));
  });

  test('the callee hangs up: BYE from the other side ends both legs', async () => {
    const bob = await phone(p, 'bob', 'uas-answer-send-bye.xml', { vars: { hangup_ms: 1500 } });
    const alice = await call(p, 'alice', '2001', 'uac-call-wait-bye.xml');
    assert.equal(alice.exitCode, 0, explainSipp(alice));
    assert.equal((await bob.done).exitCode, 0);
    await settled(h);
  });

  test('the caller cancels while the callee rings: both get their CANCEL/487', async () => {
    const bob = await phone(p, 'bob', 'uas-ring-no-answer.xml');
    const alice = await call(p, 'alice', '2001', 'uac-cancel.xml', { vars: { ring_ms: 500 } });
    assert.equal(alice.exitCode, 0, explainSipp(alice));
    const b = await bob.done;
    assert.equal(b.exitCode, 0, explainSipp(b));
    await settled(h);
  });

  test('a busy callee gives the caller 486', async () => {
    const bob = await phone(p, 'bob', 'uas-busy.xml');
    const alice = await call(p, 'alice', '2001', 'uac-expect-failure.xml', { vars: { expected_code: 486 } });
    assert.equal(alice.exitCode, 0, explainSipp(alice));
    assert.equal((await bob.done).exitCode, 0);
    await settled(h);
  });

  test('no answer within the callflow timeout gives the caller 480 and the callee a CANCEL', async () => {
    const dave = await phone(p, 'dave', 'uas-ring-no-answer.xml');
    const alice = await call(p, 'alice', '2003', 'uac-expect-failure.xml', { vars: { expected_code: 480 } });
    assert.equal(alice.exitCode, 0, explainSipp(alice));
    assert.equal((await dave.done).exitCode, 0);
    await settled(h);
  });

  test("a user's two devices ring together: the first answer wins, the other gets CANCEL", async () => {
    const c1 = await phone(p, 'carol1', 'uas-answer.xml', { vars: { answer_ms: 300 } });
    const c2 = await phone(p, 'carol2', 'uas-ring-then-cancel.xml');
    const alice = await call(p, 'alice', '2002', 'uac-call.xml', { vars: { hold_ms: 1500 } });
    assert.equal(alice.exitCode, 0, explainSipp(alice));
    const [r1, r2] = await Promise.all([c1.done, c2.done]);
    assert.equal(r1.exitCode, 0, explainSipp(r1));
    assert.equal(r2.exitCode, 0, explainSipp(r2));
    assert.match(r2.logs, /Call completed elsewhere|cause=200/i);
    await settled(h);
  });

  test('an unknown number is a 404', async () => {
    const alice = await call(p, 'alice', '9999', 'uac-expect-failure.xml', { vars: { expected_code: 404 } });
    assert.equal(alice.exitCode, 0, explainSipp(alice));
    await settled(h);
  });

  test('a call over TCP works end to end with RTP', async () => {
    const bob = await phone(p, 'bob', 'uas-answer.xml', { transport: 'tcp' });
    const alice = await call(p, 'alice', '2001', 'uac-call.xml', { transport: 'tcp', vars: { hold_ms: 1500 } });
    assert.equal(alice.exitCode, 0, explainSipp(alice));
    const b = await bob.done;
    assert.equal(b.exitCode, 0, explainSipp(b));
    assert.ok((alice.rtp?.received ?? 0) > 10 && (b.rtp?.received ?? 0) > 10);
    await settled(h);
  });
});
