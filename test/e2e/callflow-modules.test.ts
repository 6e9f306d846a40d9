// Callflow modules ring_group, play and park through the whole switch, with SIPp phones (issue 4).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pglite } from '../support/backends.ts';
import { startHarness, type Harness } from '../support/api-harness.ts';
import { explainSipp, stopAllSipp } from '../support/sipp.ts';
import { sippSkip } from '../support/sipp-skip.ts';
import { call, phone, provision, type Phones } from '../support/switch-fixture.ts';
import { settled } from '../support/live-channels.ts';
import { eventually } from '../support/wait.ts';
import type { BusMessage } from '../../src/bus/index.ts';
import { encodePcm16Wav } from '../../src/media/index.ts';

const skip = sippSkip();

/** A mono 16-bit 8 kHz WAV of a 440 Hz tone. */
function toneWav(ms: number): Buffer {
  const samples = (8000 * ms) / 1000;
  const pcm = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) pcm.writeInt16LE(Math.round(Math.sin((2 * Math.PI * 440 * i) / 8000) * 8000), i * 2);
  return encodePcm16Wav(pcm, 8000);
}

describe('callflow modules ring_group, play and park (SIPp phones)', { skip }, () => {
  let h: Harness;
  let p: Phones;
  let users: Map<string, string>;
  const events: BusMessage[] = [];

  const addCallflow = async (body: Record<string, unknown>): Promise<void> => {
    const res = await p.account.client.put(`/v2/accounts/${p.account.accountId}/callflows`, body);
    assert.equal(res.status, 201, res.text);
  };
  const device = (name: string): string => p.devices.get(name) ?? '';
  const slots = async (): Promise<Record<string, Record<string, unknown>>> => {
    const res = await p.account.client.get(`/v2/accounts/${p.account.accountId}/parked_calls`);
    assert.equal(res.status, 200, res.text);
    return (res.body['data'] as { slots: Record<string, Record<string, unknown>> }).slots;
  };
  const untilParked = async (slot: string): Promise<Record<string, unknown>> => {
    const until = Date.now() + 8000;
    for (;;) {
      const found = (await slots())[slot];
      if (found !== undefined) return found;
      if (Date.now() > until) throw new Error(`nothing parked in slot ${slot}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const named = (name: string): BusMessage[] => events.filter((e) => e.payload['event_name'] === name);

  before(async () => {
    h = await startHarness(pglite(), { env: { SWITCHBOARD_LOG_LEVEL: 'silent' } });
    p = await provision(h, 'Modules', {
      users: ['carol'],
      devices: [{ username: 'alice' }, { username: 'bob' }, { username: 'carol1', owner: 'carol' }, { username: 'dave' }, { username: 'erin' }, { username: 'frank' }],
      callflows: [],
    });
    const list = await p.account.client.get(`/v2/accounts/${p.account.accountId}/users`);
    users = new Map((list.body['data'] as { id: string; username?: string; first_name?: string }[]).map((u) => [String(u.first_name), u.id]));
    const ep = (id: string, extra: Record<string, unknown> = {}) => ({ endpoint_type: 'device', id, ...extra });
    await addCallflow({
      numbers: ['3001'],
      flow: { module: 'ring_group', data: { strategy: 'simultaneous', timeout: 10, endpoints: [ep(device('bob'), { delay: 1 }), { endpoint_type: 'user', id: users.get('carol') }, ep(device('alice'))] } },
    });
    await addCallflow({
      numbers: ['3002'],
      flow: { module: 'ring_group', data: { strategy: 'single', endpoints: [ep(device('dave')), ep(device('erin'), { timeout: 1 }), ep(device('bob'), { timeout: 5 })] } },
    });
    await addCallflow({ numbers: ['3003'], flow: { module: 'ring_group', data: { timeout: 10, endpoints: [ep(device('dave')), ep(device('erin'), { timeout: 1 })] } } });

    const media = await p.account.client.put(`/v2/accounts/${p.account.accountId}/media`, { name: 'greeting' });
    assert.equal(media.status, 201, media.text);
    const mediaId = String((media.body['data'] as Record<string, unknown>)['id']);
    const up = await p.account.client.request('POST', `/v2/accounts/${p.account.accountId}/media/${mediaId}/raw`, toneWav(1500), { 'content-type': 'audio/wav' });
    assert.ok(up.status < 300, up.text);
    await addCallflow({
      numbers: ['3004'],
      flow: {
        module: 'play',
        data: { id: 'no-such-media' },
        children: { _: { module: 'play', data: { id: mediaId }, children: { _: { module: 'play', data: { id: 'tone_stream://%(500,0,440)' } } } } },
      },
    });

    await addCallflow({ numbers: ['*4'], flow: { module: 'park', data: { action: 'park' } } });
    await addCallflow({ patterns: ['^\\*3([0-9]+)$'], flow: { module: 'park', data: { action: 'retrieve' } } });
    await addCallflow({ numbers: ['*5'], flow: { module: 'park', data: { action: 'park', default_ringback_timeout: 1500, default_callback_timeout: 5000 } } });
    h.app.bus.subscribe('call.#', (m) => events.push(m));
  });

  after(async () => {
    await stopAllSipp();
    await h?.close();
  });

  test('ring_group simultaneous: every member rings (a delayed one later), the first answer wins, the others get CANCEL', async () => {
    events.length = 0;
    const bob = await phone(p, 'bob', 'uas-answer.xml', { vars: { answer_ms: 300 } });
    const carol = await phone(p, 'carol1', 'uas-ring-then-cancel.xml');
    const alice = await call(p, 'alice', '3001', 'uac-call.xml', { vars: { hold_ms: 1500 } });
    assert.equal(alice.exitCode, 0, explainSipp(alice));
    const [b, c] = await Promise.all([bob.done, carol.done]);
    assert.equal(b.exitCode, 0, explainSipp(b));
    assert.equal(c.exitCode, 0, explainSipp(c));
    assert.match(c.logs, /Call completed elsewhere|cause=200/i);
    assert.ok((alice.rtp?.received ?? 0) > 20 && (b.rtp?.received ?? 0) > 20, 'RTP both ways');
    await settled(h, 5000, 5000);
    const created = named('CHANNEL_CREATE').filter((e) => e.payload['call_direction'] === 'outbound');
    assert.deepEqual(created.map((e) => e.payload['callee_id_number']).sort(), ['bob', 'carol1'], 'the caller itself is not rung');
    const at = (who: string) => Number(created.find((e) => e.payload['callee_id_number'] === who)?.payload['channel_created_time']);
    assert.ok(at('bob') - at('carol1') >= 900_000, 'bob (delay 1 s) rang a second after carol');
  });

  test('ring_group single: members ring one after another, each for its own timeout (busy, no answer, answer)', async () => {
    events.length = 0;
    const dave = await phone(p, 'dave', 'uas-busy.xml');
    const erin = await phone(p, 'erin', 'uas-ring-no-answer.xml');
    const bob = await phone(p, 'bob', 'uas-answer.xml');
    const alice = await call(p, 'alice', '3002', 'uac-call.xml', { vars: { hold_ms: 1000 } });
    assert.equal(alice.exitCode, 0, explainSipp(alice));
    for (const r of await Promise.all([dave.done, erin.done, bob.done])) assert.equal(r.exitCode, 0, explainSipp(r));
    await settled(h, 5000, 5000);
    const order = named('CHANNEL_CREATE').filter((e) => e.payload['call_direction'] === 'outbound').map((e) => e.payload['callee_id_number']);
    assert.deepEqual(order, ['dave', 'erin', 'bob']);
    const erinEnd = named('CHANNEL_DESTROY').find((e) => e.payload['callee_id_number'] === 'erin');
    assert.equal(erinEnd?.payload['hangup_cause'], 'NO_ANSWER');
  });

  test('ring_group: nobody answers (one busy, one past its own timeout) and the caller gets the best failure, 486', async () => {
    events.length = 0;
    const dave = await phone(p, 'dave', 'uas-busy.xml');
    const erin = await phone(p, 'erin', 'uas-ring-no-answer.xml');
    const started = Date.now();
    const alice = await call(p, 'alice', '3003', 'uac-expect-failure.xml', { vars: { expected_code: 486 } });
    assert.equal(alice.exitCode, 0, explainSipp(alice));
    assert.ok(Date.now() - started < 8000, 'erin gave up after her own 1 s, not the group 10 s');
    for (const r of await Promise.all([dave.done, erin.done])) assert.equal(r.exitCode, 0, explainSipp(r));
    await settled(h, 5000, 5000);
    const erinEnd = named('CHANNEL_DESTROY').find((e) => e.payload['callee_id_number'] === 'erin');
    assert.equal(erinEnd?.payload['hangup_cause'], 'NO_ANSWER');
  });

  test('play answers the caller, skips an unknown media id, plays a media document then a tone, and hangs up at the end of the flow', async () => {
    events.length = 0;
    const alice = await call(p, 'alice', '3004', 'uac-call-wait-bye.xml');
    assert.equal(alice.exitCode, 0, explainSipp(alice));
    // 1.5 s of WAV then 0.5 s of tone, 20 ms packets.
    assert.ok((alice.rtp?.received ?? 0) >= 80, `alice heard ${alice.rtp?.received} packets`);
    await settled(h, 5000, 5000);
    assert.deepEqual(
      events.map((e) => e.payload['event_name']).filter((n) => n !== 'DTMF'),
      ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_DESTROY'],
    );
  });

  test('park: the caller waits in slot 1 with music, is listed, and another phone retrieves it by dialing *31', async () => {
    events.length = 0;
    const parkedCall = call(p, 'alice', '*4', 'uac-call.xml', { vars: { hold_ms: 5000 } });
    const slot = await untilParked('1');
    assert.equal(slot['slot'], '1');
    assert.equal(slot['cid_number'], 'alice');
    assert.equal((slot['parked_by'] as Record<string, unknown>)['device_id'], device('alice'));
    assert.equal(slot['ringback_id'], undefined, 'a call parked by its own caller never rings back');
    assert.ok(Number(slot['parked_at']) > 63_000_000_000, 'Gregorian seconds');
    const callId = String(slot['call_id']);
    const channel = h.app.switch.channels.get(callId);
    assert.ok(channel !== undefined);
    await eventually(() => channel.media.counters.packetsOut > 10, 3000);

    const frank = await call(p, 'frank', '*31', 'uac-call-wait-bye.xml');
    const alice = await parkedCall;
    assert.equal(alice.exitCode, 0, explainSipp(alice));
    assert.equal(frank.exitCode, 0, explainSipp(frank));
    assert.ok((frank.rtp?.received ?? 0) > 20, `frank heard ${frank.rtp?.received} packets of alice`);
    assert.ok((alice.rtp?.received ?? 0) > 50, 'alice heard music, then frank');
    await settled(h, 5000, 5000);
    assert.deepEqual(await slots(), {});

    const parked = named('PARK_PARKED');
    assert.equal(parked.length, 1);
    assert.equal(parked[0]?.payload['call_id'], callId);
    assert.equal(parked[0]?.payload['parking_slot'], '1');
    const retrieved = named('PARK_RETRIEVED');
    assert.equal(retrieved.length, 1);
    assert.equal(retrieved[0]?.payload['parking_slot'], '1');
    assert.equal(retrieved[0]?.payload['parked_call_id'], callId);
    assert.notEqual(retrieved[0]?.payload['call_id'], callId, 'published on the retriever');
    assert.equal(named('PARK_ABANDONED').length, 0);
    const order = events.map((e) => `${String(e.payload['call_id']) === callId ? 'parked' : 'retriever'}:${String(e.payload['event_name'])}`);
    const before = (x: string, y: string) => assert.ok(order.indexOf(x) >= 0 && order.indexOf(x) < order.indexOf(y), `${x} before ${y}: ${order.join(' ')}`);
    before('parked:CHANNEL_ANSWER', 'parked:PARK_PARKED');
    before('parked:PARK_PARKED', 'retriever:CHANNEL_CREATE');
    before('retriever:CHANNEL_BRIDGE', 'retriever:PARK_RETRIEVED');
  });

  test('park: a parked caller that hangs up is abandoned and its slot frees; an empty slot cannot be retrieved', async () => {
    events.length = 0;
    const alice = await call(p, 'alice', '*4', 'uac-call.xml', { vars: { hold_ms: 1500 } });
    assert.equal(alice.exitCode, 0, explainSipp(alice));
    assert.ok((alice.rtp?.received ?? 0) > 20, `alice heard ${alice.rtp?.received} packets of music`);
    await settled(h, 5000, 5000);
    assert.deepEqual(await slots(), {});
    assert.deepEqual(
      events.map((e) => e.payload['event_name']).filter((n) => String(n).startsWith('PARK_')),
      ['PARK_PARKED', 'PARK_ABANDONED'],
    );
    assert.equal(named('PARK_ABANDONED')[0]?.payload['parking_slot'], '1');

    const frank = await call(p, 'frank', '*31', 'uac-expect-failure.xml', { vars: { expected_code: 480 } });
    assert.equal(frank.exitCode, 0, explainSipp(frank));
    await settled(h, 5000, 5000);
  });

  test('park: a call parked on behalf of another device (Referred-By) rings that device back after the ring-back timeout', async () => {
    events.length = 0;
    const bob = await phone(p, 'bob', 'uas-answer.xml');
    const parkedCall = call(p, 'alice', '*5', 'park-uac-referred.xml', { vars: { referrer: 'bob', hold_ms: 5000 } });
    const slot = await untilParked('1');
    assert.equal(slot['ringback_id'], device('bob'));
    assert.equal((slot['parked_by'] as Record<string, unknown>)['device_id'], device('bob'));
    const alice = await parkedCall;
    assert.equal(alice.exitCode, 0, explainSipp(alice));
    const b = await bob.done;
    assert.equal(b.exitCode, 0, explainSipp(b));
    assert.ok((b.rtp?.received ?? 0) > 20, `bob heard ${b.rtp?.received} packets of alice`);
    await settled(h, 5000, 5000);
    const callId = String(slot['call_id']);
    const retrieved = named('PARK_RETRIEVED');
    assert.equal(retrieved.length, 1);
    assert.equal(retrieved[0]?.payload['call_id'], callId, 'a ring-back retrieval is published on the parked call');
    const ringback = named('CHANNEL_CREATE').find((e) => e.payload['call_direction'] === 'outbound');
    assert.equal(ringback?.payload['caller_id_name'], 'Parking slot 1');
    assert.deepEqual(await slots(), {});
  });
});
