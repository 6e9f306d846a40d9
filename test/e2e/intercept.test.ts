// Intercept and move (issue 4 item 6): a ringing or answered call is taken onto another SIPp phone.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pglite } from '../support/backends.ts';
import { startHarness, type Harness } from '../support/api-harness.ts';
import { assertSippOk, stopAllSipp } from '../support/sipp.ts';
import { sippSkip } from '../support/sipp-skip.ts';
import { call, phone, provision, type Phones } from '../support/switch-fixture.ts';
import { settled, waitLeg } from '../support/live-channels.ts';
import { eventually } from '../support/wait.ts';
import { CallCommandError, Originator } from '../../src/calls/index.ts';
import type { BusMessage } from '../../src/bus/index.ts';

const skip = sippSkip();

describe('intercept and move (SIPp phones)', { skip }, () => {
  let h: Harness;
  let p: Phones;
  const events: BusMessage[] = [];

  before(async () => {
    h = await startHarness(pglite(), { env: { SWITCHBOARD_LOG_LEVEL: 'silent' } });
    p = await provision(h, 'Grab', {
      users: ['erin'],
      devices: [{ username: 'alice' }, { username: 'bob' }, { username: 'carol' }, { username: 'erin1', owner: 'erin' }, { username: 'erin2', owner: 'erin' }],
      callflows: [
        { number: '2001', device: 'bob' },
        { number: '2003', device: 'erin1' },
      ],
    });
    h.app.bus.subscribe('call.#', (m) => events.push(m));
  });

  after(async () => {
    await stopAllSipp();
    await h?.close();
  });

  const control = () => h.app.switch.b2bua.control;

  test("A calls B, B rings, C intercepts B's ringing leg: C rings and answers, A and C talk, B gets CANCEL", async () => {
    events.length = 0;
    const bob = await phone(p, 'bob', 'uas-ring-then-cancel.xml');
    const carol = await phone(p, 'carol', 'uas-answer.xml', { vars: { answer_ms: 300 } });
    const alice = call(p, 'alice', '2001', 'uac-call.xml', { vars: { hold_ms: 2500 } });
    const ringing = await waitLeg(h, 'bob', { state: 'ringing' });
    const caller = await waitLeg(h, 'alice');
    const grab = await control().intercept(ringing, { targetType: 'device', targetId: p.devices.get('carol') ?? '' });
    assert.equal(grab.kept, caller);
    const outcome = await grab.outcome;
    assert.ok(outcome.ok, JSON.stringify(outcome.ok ? {} : outcome));
    assert.equal(outcome.taker.profile.username, 'carol');
    await eventually(() => caller.otherLeg === outcome.taker);
    const [a, b, c] = await Promise.all([alice, bob.done, carol.done]);
    assertSippOk(a);
    assertSippOk(b);
    assertSippOk(c);
    assert.match(b.logs, /Call completed elsewhere/);
    assert.ok((a.rtp?.received ?? 0) > 20, `alice heard ${a.rtp?.received} packets from carol`);
    assert.ok((c.rtp?.received ?? 0) > 20, `carol heard ${c.rtp?.received} packets from alice`);
    await settled(h, 5000);
    const names = (uuid: string) => events.filter((e) => e.payload['call_id'] === uuid).map((e) => String(e.payload['event_name']));
    assert.deepEqual(names(ringing.uuid), ['CHANNEL_CREATE', 'CHANNEL_DESTROY']);
    assert.deepEqual(names(outcome.taker.uuid), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_DESTROY']);
    assert.deepEqual(names(caller.uuid).filter((n) => n !== 'DTMF'), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_DESTROY']);
  });

  test("the channels API intercepts with the caller's leg: POST action intercept", async () => {
    const bob = await phone(p, 'bob', 'uas-ring-then-cancel.xml');
    const carol = await phone(p, 'carol', 'uas-answer.xml');
    const alice = call(p, 'alice', '2001', 'uac-call.xml', { vars: { hold_ms: 1000 } });
    await waitLeg(h, 'bob', { state: 'ringing' });
    const caller = await waitLeg(h, 'alice');
    const path = `/v2/accounts/${p.account.accountId}/channels/${encodeURIComponent(caller.uuid)}`;
    const missing = await p.account.client.post(path, { action: 'intercept', target_type: 'device' });
    assert.equal(missing.status, 400, missing.text);
    assert.match(missing.text, /No target id specified/);
    const res = await p.account.client.post(path, { action: 'intercept', target_type: 'device', target_id: p.devices.get('carol') });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body['data'], 'intercept initiated');
    const [a, b, c] = await Promise.all([alice, bob.done, carol.done]);
    assertSippOk(a);
    assertSippOk(b);
    assertSippOk(c);
    await settled(h, 5000);
  });

  test('intercept with unbridgedOnly refuses an answered call with a typed error; the call goes on', async () => {
    const bob = await phone(p, 'bob', 'uas-answer.xml');
    const alice = call(p, 'alice', '2001', 'uac-call.xml', { vars: { hold_ms: 1500 } });
    const caller = await waitLeg(h, 'alice', { bridged: true });
    await assert.rejects(
      control().intercept(caller, { targetType: 'device', targetId: p.devices.get('carol') ?? '', unbridgedOnly: true }),
      (error: unknown) => error instanceof CallCommandError && error.field === 'unbridged_only',
    );
    const res = await p.account.client.post(`/v2/accounts/${p.account.accountId}/channels/${encodeURIComponent(caller.uuid)}`, {
      action: 'intercept',
      target_type: 'device',
      target_id: p.devices.get('carol'),
    });
    assert.equal(res.status, 400, res.text);
    assert.ok(caller.otherLeg !== undefined && !caller.closed);
    const [a, b] = await Promise.all([alice, bob.done]);
    assertSippOk(a);
    assertSippOk(b);
    await settled(h, 5000);
  });

  test("intercepting an originate's ringing second leg connects the originate to the interceptor", async () => {
    const sw = h.app.switch;
    const originator = new Originator({ context: sw.b2bua.context, endpoints: sw.endpoints, locator: sw.registrations, runner: sw.b2bua.runner });
    const alice = await phone(p, 'alice', 'uas-answer.xml');
    const bob = await phone(p, 'bob', 'uas-ring-then-cancel.xml');
    const carol = await phone(p, 'carol', 'uas-answer.xml', { vars: { answer_ms: 300 } });
    const originate = originator.originate({
      accountId: p.account.accountId,
      endpoint: { type: 'device', id: p.devices.get('alice') ?? '' },
      action: { kind: 'connect', to: { type: 'number', number: '2001' } },
    });
    const ringing = await waitLeg(h, 'bob', { state: 'ringing' });
    const grab = await control().intercept(ringing, { targetType: 'device', targetId: p.devices.get('carol') ?? '' });
    assert.equal(grab.kept, originate.first);
    const outcome = await grab.outcome;
    const result = await originate.result;
    assert.ok(outcome.ok);
    assert.deepEqual(result, { result: 'success', callId: originate.first?.uuid, otherLegCallId: outcome.taker.uuid });
    await new Promise((r) => setTimeout(r, 1000));
    originate.first?.hangup();
    const [a, b, c] = await Promise.all([alice.done, bob.done, carol.done]);
    assertSippOk(a);
    assertSippOk(b);
    assertSippOk(c);
    assert.ok((c.rtp?.received ?? 0) > 10, `carol heard ${c.rtp?.received} packets from alice`);
    await settled(h, 5000);
  });

  test("move: the answered call goes to the owner's other device, the first one gets BYE", async () => {
    const erin1 = await phone(p, 'erin1', 'uas-answer.xml');
    const erin2 = await phone(p, 'erin2', 'uas-answer.xml', { vars: { answer_ms: 300 } });
    const alice = call(p, 'alice', '2003', 'uac-call.xml', { vars: { hold_ms: 3500 } });
    const callee = await waitLeg(h, 'erin1', { bridged: true });
    const caller = callee.otherLeg;
    const moving = await control().move(callee);
    assert.equal(moving.kept, caller);
    const outcome = await moving.outcome;
    assert.ok(outcome.ok, JSON.stringify(outcome.ok ? {} : outcome));
    assert.equal(outcome.taker.profile.username, 'erin2');
    assert.ok(callee.closed);
    assert.equal(caller?.otherLeg, outcome.taker);
    const [a, e1, e2] = await Promise.all([alice, erin1.done, erin2.done]);
    assertSippOk(a);
    assertSippOk(e1);
    assertSippOk(e2);
    assert.ok((e2.rtp?.received ?? 0) > 20, `erin2 heard ${e2.rtp?.received} packets from alice`);
    await settled(h, 5000);
  });
});
