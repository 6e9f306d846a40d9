import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import wavefile from 'wavefile';
import { FakeClock, silentLogger } from '../../lib/index.ts';
import { encodeG711, MediaEngine, serializeRtp, type MediaEndpoint, type RelayDirection } from '../../media/index.ts';
import { openStore, type DocChange, type DocumentStore } from '../../store/index.ts';
import { Bridge } from '../bridge.ts';
import type { CallContext } from '../call-context.ts';
import { CallCommandError, CallControl } from '../call-control.ts';
import { Channel, type ChannelProfile } from '../channel.ts';
import { CallRecordings, StoreRecordingArchive, type FinishedRecording, type RecordingArchive } from './index.ts';
import { channelProfile } from '../../../test/support/channel-profile.ts';

const PROFILE: ChannelProfile = channelProfile({ uuid: 'a', accountId: '0123456789abcdef0123456789abcdef', calleeIdName: 'Bob', requestUri: 'sip:2001@acme.test;transport=udp', ownerId: 'owner-1' });

/** A phone's RTP socket on 127.0.0.1 (what it receives is dropped). */
async function phoneSocket(): Promise<Socket> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return socket;
}

/** An archive that only remembers what it was given (or fails when told to). */
class MemoryArchive implements RecordingArchive {
  readonly stored: FinishedRecording[] = [];
  fail = false;
  async archive(recording: FinishedRecording): Promise<string> {
    if (this.fail) throw new Error('disk on fire');
    this.stored.push(recording);
    return recording.id;
  }
}

interface Call {
  a: Channel;
  b: Channel;
  bridge: Bridge;
  phoneA: Socket;
  phoneB: Socket;
  seq: number;
}

/** Reads a stereo 16-bit WAV into its two channels. */
function stereo(buf: Buffer): { rate: number; left: Int16Array; right: Int16Array } {
  const w = new wavefile.WaveFile(buf);
  const fmt = w.fmt as { numChannels: number; sampleRate: number; bitsPerSample: number };
  assert.equal(fmt.numChannels, 2);
  assert.equal(fmt.bitsPerSample, 16);
  const [left, right] = w.getSamples(false, Int16Array) as unknown as [Int16Array, Int16Array];
  return { rate: fmt.sampleRate, left, right };
}

function rms(samples: Int16Array): number {
  let sum = 0;
  for (const s of samples) sum += s * s;
  return Math.sqrt(sum / Math.max(1, samples.length));
}

describe('CallRecordings', () => {
  let clock: FakeClock;
  let engine: MediaEngine;
  let dir: string;
  let archive: MemoryArchive;
  let recordings: CallRecordings;
  const bridges = new Map<string, Bridge>();
  const sockets: Socket[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sb-callrec-'));
  });

  beforeEach(async () => {
    clock = new FakeClock(Date.UTC(2026, 4, 17, 9, 0, 0));
    engine = new MediaEngine({ address: '127.0.0.1', portRange: { min: 0, max: 0 }, clock, logger: silentLogger });
    archive = new MemoryArchive();
    recordings = await CallRecordings.open({ engine, clock, logger: silentLogger, directory: join(dir, 'tmp'), archive });
  });

  after(async () => {
    await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    await rm(dir, { recursive: true, force: true });
  });

  const done = async (): Promise<void> => {
    await recordings.close();
    await engine.close();
    assert.equal(clock.pending, 0, 'no timer left');
  };

  const bridged = async (): Promise<Call> => {
    const leg = async (profile: Partial<ChannelProfile>): Promise<{ channel: Channel; phone: Socket }> => {
      const media = await engine.createEndpoint();
      const phone = await phoneSocket();
      sockets.push(phone);
      media.setRemote({ address: '127.0.0.1', port: phone.address().port });
      const channel = new Channel({ ...PROFILE, ...profile }, media, clock, silentLogger);
      channel.transition('answered');
      return { channel, phone };
    };
    const id = Math.random().toString(16).slice(2);
    const a = await leg({ uuid: `a-${id}` });
    const b = await leg({ uuid: `b-${id}`, direction: 'outbound' });
    const bridge = new Bridge(engine, a.channel, b.channel, bridges);
    return { a: a.channel, b: b.channel, bridge, phoneA: a.phone, phoneB: b.phone, seq: 0 };
  };

  /** `ms` of talk: every 20 ms A sends `valueA` and B sends `valueB` (0 = that side is silent). */
  const talk = async (call: Call, ms: number, valueA: number, valueB: number): Promise<void> => {
    const send = (phone: Socket, to: MediaEndpoint, value: number, ssrc: number): void => {
      const payload = Buffer.from(encodeG711('PCMU', new Int16Array(160).fill(value)));
      const packet = serializeRtp({ marker: false, payloadType: 0, sequenceNumber: call.seq & 0xffff, timestamp: call.seq * 160, ssrc, payload });
      phone.send(packet, to.port, '127.0.0.1');
    };
    for (let t = 0; t < ms; t += 20) {
      call.seq++;
      const want = { aToB: call.bridge.relay.counters('aToB').packets, bToA: call.bridge.relay.counters('bToA').packets };
      if (valueA !== 0) {
        send(call.phoneA, call.a.media, valueA, 0xaaaa);
        want.aToB++;
      }
      if (valueB !== 0) {
        send(call.phoneB, call.b.media, valueB, 0xbbbb);
        want.bToA++;
      }
      const until = Date.now() + 2000;
      const arrived = (d: RelayDirection): boolean => call.bridge.relay.closed || call.bridge.relay.counters(d).packets >= want[d];
      while (!(arrived('aToB') && arrived('bToA'))) {
        if (Date.now() > until) throw new Error('RTP did not arrive');
        await sleep(1);
      }
      clock.advance(20);
    }
  };

  test('a stopped recording is a stereo 8 kHz WAV: left is what A said, right what B said', async () => {
    const call = await bridged();
    const started = recordings.start(call.a, call.bridge, { origin: 'api' });
    assert.equal(started.alreadyRecording, false);
    assert.match(started.recordingId, /^202605-[0-9a-f]{32}$/);
    assert.match(started.mediaName, /^[0-9a-f]{32}\.wav$/);
    await talk(call, 1000, 4000, 0);
    await talk(call, 1000, 0, -6000);
    const outcome = await recordings.stop(call.a);
    assert.equal(outcome?.status, 'stored');
    assert.equal(archive.stored.length, 1);
    const rec = archive.stored[0];
    assert.ok(rec);
    assert.equal(rec.reason, 'command');
    assert.equal(rec.channel.uuid, call.a.uuid);
    assert.equal(rec.left.uuid, call.a.uuid);
    assert.equal(rec.right.uuid, call.b.uuid);
    assert.ok(Math.abs(rec.durationMs - 2000) <= 100, `duration ${rec.durationMs}`);
    const { rate, left, right } = stereo(await readFile(rec.path));
    assert.equal(rate, 8000);
    assert.ok(rms(left.subarray(0, 7200)) > 3000, 'A is heard on the left in the first second');
    assert.ok(rms(right.subarray(0, 7200)) < 50, 'B was silent then');
    assert.ok(rms(right.subarray(8800, 15200)) > 4000, 'B is heard on the right in the second second');
    assert.ok(rms(left.subarray(8800, 15200)) < 50, 'A was silent then');
    assert.equal(recordings.active, 0);
    call.a.hangup();
    await done();
  });

  test('starting twice, from either leg, keeps the one recording; stopping twice is refused', async () => {
    const call = await bridged();
    const first = recordings.start(call.a, call.bridge);
    const again = recordings.start(call.b, call.bridge);
    assert.deepEqual(again, { recordingId: first.recordingId, mediaName: first.mediaName, alreadyRecording: true });
    assert.equal(recordings.active, 1);
    await talk(call, 200, 1000, 1000);
    assert.equal((await recordings.stop(call.b))?.status, 'stored');
    assert.equal(recordings.stop(call.a), undefined);
    assert.equal(archive.stored.length, 1);
    call.a.hangup();
    await done();
  });

  test('a hangup mid-recording finishes the WAV by itself and it is archived', async () => {
    const call = await bridged();
    recordings.start(call.b, call.bridge, { mediaName: 'support-call' });
    await talk(call, 600, 2000, 3000);
    call.a.hangup();
    await recordings.settled();
    const rec = archive.stored[0];
    assert.equal(rec?.reason, 'hangup');
    assert.equal(rec?.mediaName, 'support-call.wav');
    const { left, right } = stereo(await readFile(rec?.path ?? ''));
    assert.ok(rms(left) > 1000 && rms(right) > 1000);
    assert.equal(recordings.stop(call.b), undefined);
    await done();
  });

  test('splitting the bridge without hanging up ends the recording (unbridged)', async () => {
    const call = await bridged();
    recordings.start(call.a, call.bridge);
    await talk(call, 200, 1000, 1000);
    call.bridge.unbridge();
    await recordings.settled();
    assert.equal(archive.stored[0]?.reason, 'unbridged');
    call.a.hangup();
    call.b.hangup();
    await done();
  });

  test('the time limit stops the recording', async () => {
    const call = await bridged();
    recordings.start(call.a, call.bridge, { timeLimit: 5 });
    await talk(call, 200, 1000, 1000);
    clock.advance(5000);
    await recordings.settled();
    const rec = archive.stored[0];
    assert.equal(rec?.reason, 'time_limit');
    assert.ok(Math.abs((rec?.durationMs ?? 0) - 5000) <= 100, `duration ${rec?.durationMs}`);
    call.a.hangup();
    await done();
  });

  test('a recording shorter than record_min_sec is discarded and its file deleted', async () => {
    const call = await bridged();
    recordings.start(call.a, call.bridge, { recordMinSec: 2 });
    await talk(call, 400, 1000, 1000);
    const outcome = await recordings.stop(call.a);
    assert.equal(outcome?.status, 'discarded');
    assert.equal(archive.stored.length, 0);
    assert.ok(outcome?.status === 'discarded' && !existsSync(outcome.recording.path));
    call.a.hangup();
    await done();
  });

  test('a recording the archive refuses keeps its WAV on disk', async () => {
    const call = await bridged();
    archive.fail = true;
    const { recordingId } = recordings.start(call.a, call.bridge);
    await talk(call, 200, 1000, 1000);
    const outcome = await recordings.stop(call.a);
    assert.equal(outcome?.status, 'failed');
    assert.ok((await readdir(join(dir, 'tmp'))).includes(`${recordingId}.wav`));
    call.a.hangup();
    await done();
  });

  test('closing stops every recording (shutdown) and waits for them to be archived; no new ones start', async () => {
    const one = await bridged();
    const two = await bridged();
    recordings.start(one.a, one.bridge);
    recordings.start(two.b, two.bridge);
    await talk(one, 100, 1000, 1000);
    await recordings.close();
    assert.deepEqual(archive.stored.map((r) => r.reason), ['shutdown', 'shutdown']);
    assert.throws(() => recordings.start(one.a, one.bridge));
    for (const c of [one, two]) c.a.hangup();
    await done();
  });

  test('CallControl: recording an unbridged channel, bad options and stopping nothing are typed command errors', async () => {
    const call = await bridged();
    const context = { bridges, engine, clock, logger: silentLogger } as unknown as CallContext;
    const control = new CallControl(context, async () => undefined);
    assert.throws(() => control.recordStart(call.a), (e: unknown) => e instanceof CallCommandError && e.rule === 'invalid');
    control.useRecordings(recordings);
    await assert.rejects(control.recordStop(call.a), (e: unknown) => e instanceof CallCommandError && e.field === 'action');
    assert.throws(() => control.recordStart(call.a, { timeLimit: 1 }), (e: unknown) => e instanceof CallCommandError && e.field === 'time_limit' && e.rule === 'minimum');
    const started = control.recordStart(call.a, { timeLimit: 60 });
    assert.equal(control.recordStart(call.b).recordingId, started.recordingId);
    await talk(call, 100, 1000, 1000);
    assert.equal((await control.recordStop(call.b)).status, 'stored');
    call.bridge.unbridge();
    assert.throws(
      () => control.recordStart(call.a),
      (e: unknown) => e instanceof CallCommandError && e.field === 'other_leg_call_id' && e.rule === 'required' && e.message === 'Channel is not bridged',
    );
    call.a.hangup();
    call.b.hangup();
    await done();
  });
});

describe('StoreRecordingArchive', () => {
  let store: DocumentStore;
  let dir: string;
  const changes: DocChange[] = [];

  before(async () => {
    store = await openStore({ dataDir: 'memory://', clock: new FakeClock(), logger: silentLogger });
    store.onChange((c) => changes.push(c));
    dir = await mkdtemp(join(tmpdir(), 'sb-recarch-'));
  });

  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('stores the KAZOO recording doc with the WAV as its attachment, then deletes the temp file', async () => {
    const path = join(dir, 'r.wav');
    const wav = new wavefile.WaveFile();
    wav.fromScratch(2, 8000, '16', [new Int16Array(8000).fill(100), new Int16Array(8000).fill(-100)]);
    const bytes = Buffer.from(wav.toBuffer());
    await writeFile(path, bytes);
    const startedAt = Date.UTC(2026, 4, 17, 9, 0, 0);
    const id = await new StoreRecordingArchive(store).archive({
      id: '202605-00112233445566778899aabbccddeeff',
      mediaName: 'call.wav',
      path,
      durationMs: 1500,
      bytes: bytes.length,
      startedAt,
      endedAt: startedAt + 1500,
      reason: 'command',
      channel: PROFILE,
      left: PROFILE,
      right: { ...PROFILE, uuid: 'b', direction: 'outbound' },
      options: { origin: 'konami', label: 'sales' },
    });
    assert.equal(id, '202605-00112233445566778899aabbccddeeff');
    const doc = await store.get(id);
    assert.ok(doc);
    assert.equal(doc.pvt_type, 'call_recording');
    assert.equal(doc.pvt_account_id, PROFILE.accountId);
    assert.deepEqual(
      { ...doc, _rev: undefined, pvt_created: undefined, pvt_modified: undefined },
      {
        _id: id,
        _rev: undefined,
        pvt_created: undefined,
        pvt_modified: undefined,
        pvt_type: 'call_recording',
        pvt_account_id: PROFILE.accountId,
        pvt_vsn: '1',
        call_id: 'a',
        caller_id_name: 'Alice',
        caller_id_number: '1001',
        callee_id_name: 'Bob',
        callee_id_number: '2001',
        content_type: 'audio/wav',
        custom_channel_vars: {},
        description: 'recording call.wav',
        direction: 'inbound',
        duration: 1,
        duration_ms: 1500,
        from: '1001@acme.test',
        to: '2001@acme.test',
        request: '2001@acme.test',
        media_source: 'recorded',
        media_type: 'wav',
        name: 'call.wav',
        origin: 'konami : sales',
        owner_id: 'owner-1',
        source_type: 'kzc_recording',
        start: 63946227600,
        stereo: { left: 'a', right: 'b' },
      },
    );
    const audio = await store.getAttachment(id, 'raw');
    assert.equal(audio?.contentType, 'audio/wav');
    assert.deepEqual(audio?.data, bytes);
    assert.equal(existsSync(path), false, 'the temp file is gone');
    assert.deepEqual(changes.map((c) => `${c.kind}:${c.doc.pvt_type}`), ['created:call_recording']);
  });
});
