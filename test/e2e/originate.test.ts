// Originate (issue 4 item 5): the switch calls a SIPp phone and, once it answers, connects it to a
// second one through the account's callflows (what click-to-call builds on).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pglite } from '../support/backends.ts';
import { startHarness, type Harness } from '../support/api-harness.ts';
import { explainSipp, stopAllSipp } from '../support/sipp.ts';
import { sippSkip } from '../support/sipp-skip.ts';
import { phone, provision, type Phones } from '../support/switch-fixture.ts';
import { namesOf } from '../support/call-events.ts';
import { settled } from '../support/live-channels.ts';
import { Originator, type OriginateRequest } from '../../src/calls/index.ts';
import type { BusMessage } from '../../src/bus/index.ts';

const skip = sippSkip();

describe('originate through the switch (SIPp phones)', { skip }, () => {
  let h: Harness;
  let p: Phones;
  let originator: Originator;
  const events: BusMessage[] = [];

  before(async () => {
    h = await startHarness(pglite(), { env: { SWITCHBOARD_LOG_LEVEL: 'silent' } });
    p = await provision(h, 'Orig', {
      devices: [{ username: 'alice' }, { username: 'bob' }, { username: 'dave' }],
      callflows: [{ number: '2001', device: 'bob' }],
    });
    const sw = h.app.switch;
    originator = new Originator({ context: sw.b2bua.context, endpoints: sw.endpoints, locator: sw.registrations, runner: sw.b2bua.runner });
    h.app.bus.subscribe('call.#', (m) => events.push(m));
  });

  after(async () => {
    await stopAllSipp();
    await h?.close();
  });

  const request = (over: Partial<OriginateRequest>): OriginateRequest => ({
    accountId: p.account.accountId,
    endpoint: { type: 'device', id: p.devices.get('alice') ?? '' },
    action: { kind: 'connect', to: { type: 'number', number: '2001' } },
    timeoutMs: 10_000,
    ...over,
  });

  test('connect: the first phone answers and hears ringback, the second answers, RTP flows between them', async () => {
    events.length = 0;
    const alice = await phone(p, 'alice', 'uas-answer.xml', { vars: { answer_ms: 100 } });
    const bob = await phone(p, 'bob', 'uas-answer.xml', { vars: { answer_ms: 2500 } });
    const call = originator.originate(
      request({
        callerIdName: 'Click to call',
        callerIdNumber: '2001',
        customSipHeaders: { 'X-Campaign': 'spring' },
        customChannelVars: { campaign: 'spring' },
        customApplicationVars: { crm_id: '42' },
      }),
    );
    const seen: string[] = [];
    call.on('ringing', (leg) => seen.push(`ringing:${leg}`));
    call.on('answered', (leg) => seen.push(`answered:${leg}`));
    let ringbackHeard = 0;
    call.on('connected', () => {
      ringbackHeard = alice.rtp?.counts().received ?? 0;
      seen.push('connected');
    });
    const result = await call.result;
    assert.equal(result.result, 'success', JSON.stringify(result));
    const first = call.first;
    const second = call.second;
    assert.ok(first !== undefined && second !== undefined);
    assert.equal(result.callId, first.uuid);
    assert.equal(result.result === 'success' ? result.otherLegCallId : undefined, second.uuid);
    assert.ok(ringbackHeard > 20, `alice heard ${ringbackHeard} packets of ringback before bob answered`);
    assert.deepEqual(seen.filter((s, i) => seen.indexOf(s) === i), ['ringing:first', 'answered:first', 'ringing:second', 'answered:second', 'connected']);
    assert.equal(first.otherLeg, second);
    assert.equal(second.media.format.codec, first.media.format.codec);

    await new Promise((r) => setTimeout(r, 1500));
    first.hangup();
    const [a, b] = await Promise.all([alice.done, bob.done]);
    assert.equal(a.exitCode, 0, explainSipp(a));
    assert.equal(b.exitCode, 0, explainSipp(b));
    assert.ok((b.rtp?.received ?? 0) > 20, `bob heard ${b.rtp?.received} packets from alice`);
    assert.ok((a.rtp?.received ?? 0) > ringbackHeard + 20, `alice heard ${a.rtp?.received} packets, ${ringbackHeard} of them ringback`);
    assert.match(a.messages ?? '', /X-Campaign: spring/);
    assert.match(a.messages ?? '', /From: "Click to call" <sip:2001@/);
    await settled(h, 5000);

    for (const leg of [first, second]) {
      assert.deepEqual(namesOf(events, leg.uuid), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_DESTROY'], leg.uuid);
    }
    const create = events.find((e) => e.payload['call_id'] === first.uuid && e.payload['event_name'] === 'CHANNEL_CREATE');
    assert.equal((create?.payload['custom_channel_vars'] as Record<string, unknown>)['campaign'], 'spring');
    assert.deepEqual(create?.payload['custom_application_vars'], { crm_id: '42' });
  });

  test('a first phone that does not answer fails with NO_ANSWER within the timeout, and gets CANCEL', async () => {
    const dave = await phone(p, 'dave', 'uas-ring-no-answer.xml');
    const started = Date.now();
    const call = originator.originate(request({ endpoint: { type: 'device', id: p.devices.get('dave') ?? '' }, timeoutMs: 1500 }));
    const result = await call.result;
    assert.deepEqual({ ...result, callId: undefined }, { result: 'error', cause: 'NO_ANSWER', leg: 'first', status: 480, callId: undefined });
    assert.ok(Date.now() - started < 5000);
    const d = await dave.done;
    assert.equal(d.exitCode, 0, explainSipp(d));
    await settled(h, 5000);
  });

  test('a busy second party fails the connect with USER_BUSY and hangs up the first leg', async () => {
    const alice = await phone(p, 'alice', 'uas-answer.xml');
    const bob = await phone(p, 'bob', 'uas-busy.xml');
    const call = originator.originate(request({}));
    const result = await call.result;
    assert.equal(result.result, 'error');
    assert.equal(result.result === 'error' ? `${result.cause}/${result.leg}` : '', 'USER_BUSY/second');
    const [a, b] = await Promise.all([alice.done, bob.done]);
    assert.equal(a.exitCode, 0, explainSipp(a));
    assert.equal(b.exitCode, 0, explainSipp(b));
    await settled(h, 5000);
  });

  test('play: the answered phone hears a tone, then the switch hangs up', async () => {
    const alice = await phone(p, 'alice', 'uas-answer.xml');
    const call = originator.originate(request({ action: { kind: 'play', mediaId: 'tone_stream://%(600,0,440);loops=1' } }));
    const result = await call.result;
    assert.equal(result.result, 'success', JSON.stringify(result));
    const a = await alice.done;
    assert.equal(a.exitCode, 0, explainSipp(a));
    assert.ok((a.rtp?.received ?? 0) > 10, `alice heard ${a.rtp?.received} packets`);
    await settled(h, 5000);
  });

  test('an unknown number or device is UNALLOCATED_NUMBER; a malformed request throws', async () => {
    const byNumber = await originator.originate(request({ endpoint: { type: 'number', number: '9999' } })).result;
    assert.equal(byNumber.result === 'error' ? byNumber.cause : byNumber.result, 'UNALLOCATED_NUMBER');
    const byDevice = await originator.originate(request({ endpoint: { type: 'device', id: 'no-such-device' } })).result;
    assert.equal(byDevice.result === 'error' ? byDevice.cause : byDevice.result, 'UNALLOCATED_NUMBER');
    assert.throws(() => originator.originate(request({ customSipHeaders: { Via: 'x' } })), /cannot be set/);
    assert.throws(() => originator.originate(request({ action: { kind: 'flow', flow: { module: 'no_such_module' } } })), /not available/);
    await settled(h, 5000);
  });
});
