// Call recording over live SIPp calls (issue 4 item 7): a stereo WAV of both sides, stored as a
// call_recording doc, listed and downloaded through /v2/accounts/{A}/recordings.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import wavefile from 'wavefile';
import type { BusMessage } from '../../src/bus/index.ts';
import type { Bridge } from '../../src/calls/index.ts';
import { pglite } from '../support/backends.ts';
import { startHarness, type Harness, type TestAccount } from '../support/api-harness.ts';
import { explainSipp, stopAllSipp } from '../support/sipp.ts';
import { sippSkip } from '../support/sipp-skip.ts';
import { call, phone, provision, type Phones } from '../support/switch-fixture.ts';
import { eventually } from '../support/wait.ts';

const skip = sippSkip();

type Item = Record<string, unknown>;

/** A downloaded recording, parsed: its format and its two channels. */
function parseWav(body: Buffer): { channels: number; rate: number; bits: number; durationMs: number; left: Int16Array; right: Int16Array } {
  const wav = new wavefile.WaveFile(body);
  const fmt = wav.fmt as { numChannels: number; sampleRate: number; bitsPerSample: number };
  const [left = new Int16Array(), right = new Int16Array()] = wav.getSamples(false, Int16Array) as unknown as Int16Array[];
  return { channels: fmt.numChannels, rate: fmt.sampleRate, bits: fmt.bitsPerSample, durationMs: (left.length * 1000) / fmt.sampleRate, left, right };
}

/** Loudness (RMS) of the samples between two instants of an 8 kHz recording. */
function rms(samples: Int16Array, fromMs = 0, toMs = (samples.length * 1000) / 8000): number {
  const part = samples.subarray(Math.floor(fromMs * 8), Math.floor(toMs * 8));
  let sum = 0;
  for (const v of part) sum += v * v;
  return Math.sqrt(sum / Math.max(1, part.length));
}

describe('call recording (SIPp phones)', { skip }, () => {
  let h: Harness;
  let p: Phones;
  let other: TestAccount;
  const created: BusMessage[] = [];

  before(async () => {
    h = await startHarness(pglite(), { env: { SWITCHBOARD_LOG_LEVEL: 'silent' } });
    p = await provision(h, 'RecCo', {
      devices: [{ username: 'alice' }, { username: 'bob' }],
      callflows: [{ number: '2001', device: 'bob' }],
    });
    other = await h.account('Elsewhere');
    h.app.bus.subscribe('doc_created.*.call_recording.*', (m) => created.push(m));
  });

  after(async () => {
    await stopAllSipp();
    await h?.close();
  });

  const bridge = async (): Promise<Bridge> => {
    const bridges = h.app.switch.b2bua.context.bridges;
    await eventually(() => bridges.size > 0, 8000);
    const found = [...bridges.values()][0];
    assert.ok(found);
    return found;
  };

  const download = async (id: string, accept = 'audio/wav'): Promise<{ status: number; type: string | null; disposition: string | null; body: Buffer }> => {
    const res = await fetch(`${p.account.client.base}/v2/accounts/${p.account.accountId}/recordings/${id}`, {
      headers: { 'x-auth-token': p.account.token, accept },
    });
    return { status: res.status, type: res.headers.get('content-type'), disposition: res.headers.get('content-disposition'), body: Buffer.from(await res.arrayBuffer()) };
  };

  test('record, hold, stop, download: a stereo 8 kHz WAV with each side on its own channel, announced and listed', async () => {
    created.length = 0;
    const A = p.account.accountId;
    const c = p.account.client;
    const bob = await phone(p, 'bob', 'uas-answer.xml', { timeoutSec: 30 });
    const alice = call(p, 'alice', '2001', 'uac-call-wait-bye.xml', { timeoutSec: 30 });
    const b = await bridge();
    const control = h.app.switch.b2bua.control;
    const started = control.recordStart(b.a, { origin: 'api', mediaName: 'e2e-call' });
    const t0 = Date.now();
    assert.deepEqual(control.recordStart(b.b), { ...started, alreadyRecording: true }, 'starting twice is a no-op');
    // Both talk (the pcap, with 0.6 s of silence at its start); then A holds as its phone would
    // (no re-INVITE): B hears music, and what B says no longer reaches A.
    await sleep(1600);
    await control.phoneHold(b.a, true);
    const held = Date.now() - t0;
    await sleep(1000);
    await control.phoneHold(b.a, false);
    const resumed = Date.now() - t0;
    await sleep(400);
    const outcome = await control.recordStop(b.a);
    const stopped = Date.now() - t0;
    assert.equal(outcome.status, 'stored');
    const id = outcome.recordingId;
    assert.equal(id, started.recordingId);
    await assert.rejects(control.recordStop(b.a), /not being recorded/);
    control.hangup(b.a);
    const [aliceResult, bobResult] = await Promise.all([alice, bob.done]);
    assert.equal(aliceResult.exitCode, 0, explainSipp(aliceResult));
    assert.equal(bobResult.exitCode, 0, explainSipp(bobResult));

    // The doc, as JSON.
    const doc = await c.get(`/v2/accounts/${A}/recordings/${id}`);
    assert.equal(doc.status, 200, doc.text);
    const data = doc.body['data'] as Item;
    assert.equal(data['id'], id);
    assert.equal(data['call_id'], b.a.uuid);
    assert.equal(data['content_type'], 'audio/wav');
    assert.equal(data['media_source'], 'recorded');
    assert.equal(data['name'], 'e2e-call.wav');
    assert.equal(data['origin'], 'api');
    assert.equal(data['caller_id_number'], 'alice');
    assert.ok(Number(data['start']) > 63_000_000_000, 'Gregorian seconds');
    assert.deepEqual(data['stereo'], { left: b.a.uuid, right: b.b.uuid });
    assert.equal(Object.keys(data).some((k) => k.startsWith('pvt_') || k.startsWith('_')), false);

    // The audio: both sides talk (the pcap), each on its own channel.
    const wav = await download(id);
    assert.equal(wav.status, 200);
    assert.equal(wav.type, 'audio/wav');
    assert.equal(wav.disposition, 'attachment; filename=e2e-call.wav');
    assert.equal(wav.body.subarray(0, 4).toString('ascii'), 'RIFF');
    const info = parseWav(wav.body);
    assert.equal(info.channels, 2);
    assert.equal(info.rate, 8000);
    assert.equal(info.bits, 16);
    // The file follows the packets' RTP timestamps (media time); `stopped` is this test's wall clock,
    // which also counts scheduling delays on a loaded machine: they agree within a second.
    assert.ok(Math.abs(info.durationMs - stopped) < 1000, `duration ${info.durationMs} ms, stopped after ${stopped} ms`);
    const talking = [800, held - 100] as const;
    const holding = [held + 200, resumed - 200] as const;
    const sides = `talking L ${rms(info.left, ...talking).toFixed(0)} R ${rms(info.right, ...talking).toFixed(0)}, holding L ${rms(info.left, ...holding).toFixed(0)} R ${rms(info.right, ...holding).toFixed(0)}`;
    assert.ok(rms(info.left, ...talking) > 200, `the caller is heard on the left: ${sides}`);
    assert.ok(rms(info.right, ...talking) > 200, `the callee is heard on the right: ${sides}`);
    assert.ok(rms(info.left, ...holding) > 200, `on hold, the left has the music the callee hears: ${sides}`);
    assert.ok(rms(info.right, ...holding) < 20, `on hold, the callee no longer reaches the caller: ${sides}`);
    assert.equal(data['duration'], Math.floor(info.durationMs / 1000));
    assert.equal((await download(id, 'audio/*')).type, 'audio/wav');
    assert.equal((await download(id, 'application/json')).type?.startsWith('application/json'), true);

    // Announced on the bus and listed with KAZOO pagination.
    assert.equal(created.length, 1);
    assert.equal(created[0]?.payload['id'], id);
    assert.equal(created[0]?.payload['type'], 'call_recording');
    assert.equal(created[0]?.payload['account_id'], A);
    const list = await c.get(`/v2/accounts/${A}/recordings`);
    assert.equal(list.status, 200, list.text);
    const items = list.body['data'] as Item[];
    assert.deepEqual(items.map((r) => r['id']), [id]);
    assert.deepEqual((items[0]?.['_read_only'] as Item)['content_types'], ['audio/wav']);
    assert.equal(list.body['page_size'], 1);
  });

  test("another account neither reads nor lists a recording; deleting it hides it", async () => {
    const A = p.account.accountId;
    const listed = await p.account.client.get(`/v2/accounts/${A}/recordings`);
    const id = String(((listed.body['data'] as Item[])[0] ?? {})['id']);
    assert.equal((await other.client.get(`/v2/accounts/${other.accountId}/recordings/${id}`)).status, 404);
    assert.equal((await other.client.get(`/v2/accounts/${A}/recordings/${id}`)).status, 403);
    assert.deepEqual((await other.client.get(`/v2/accounts/${other.accountId}/recordings`)).body['data'], []);
    assert.equal((await other.client.delete(`/v2/accounts/${other.accountId}/recordings/${id}`)).status, 404);
    assert.equal((await p.account.client.as(undefined).get(`/v2/accounts/${A}/recordings/${id}`)).status, 401);
    const del = await p.account.client.delete(`/v2/accounts/${A}/recordings/${id}`);
    assert.equal(del.status, 200, del.text);
    assert.equal((await p.account.client.get(`/v2/accounts/${A}/recordings/${id}`)).status, 404);
    assert.equal((await download(id)).status, 404);
    assert.deepEqual((await p.account.client.get(`/v2/accounts/${A}/recordings`)).body['data'], []);
  });

  test('the caller hangs up mid-recording (started through the Channels API): the WAV is valid and has both sides', async () => {
    created.length = 0;
    const A = p.account.accountId;
    const c = p.account.client;
    const bob = await phone(p, 'bob', 'uas-answer.xml', { timeoutSec: 30 });
    const alice = call(p, 'alice', '2001', 'uac-call.xml', { timeoutSec: 30, vars: { hold_ms: 3000 } });
    const b = await bridge();
    const started = await c.post(`/v2/accounts/${A}/channels/${b.b.uuid}`, { action: 'record_start', media_name: 'hangup.wav', time_limit: 60 });
    assert.equal(started.status, 200, started.text);
    const [aliceResult, bobResult] = await Promise.all([alice, bob.done]);
    assert.equal(aliceResult.exitCode, 0, explainSipp(aliceResult));
    assert.equal(bobResult.exitCode, 0, explainSipp(bobResult));
    await eventually(() => created.length === 1, 5000);
    const id = String(created[0]?.payload['id']);
    const doc = (await c.get(`/v2/accounts/${A}/recordings/${id}`)).body['data'] as Item;
    assert.equal(doc['call_id'], b.b.uuid);
    assert.equal(doc['origin'], 'api');
    await eventually(() => h.app.switch.channels.size === 0);
    const wav = await download(id);
    assert.equal(wav.status, 200);
    const info = parseWav(wav.body);
    assert.equal(info.channels, 2);
    assert.equal(info.rate, 8000);
    assert.ok(info.durationMs > 2000 && info.durationMs < 3600, `duration ${info.durationMs} ms`);
    assert.ok(rms(info.left) > 200 && rms(info.right) > 200, `both sides heard (${rms(info.left).toFixed(0)}, ${rms(info.right).toFixed(0)})`);
    const notBridged = await c.post(`/v2/accounts/${A}/channels/${b.b.uuid}`, { action: 'record_stop' });
    assert.equal(notBridged.status, 404, 'the channel is gone');
  });
});
