import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { setTimeout as sleep } from 'node:timers/promises';
import { FakeClock, silentLogger } from '../lib/index.ts';
import { MediaEngine, serializeRtp, type MediaDirection } from '../media/index.ts';
import type { Dialog } from '../sip/index.ts';
import { Bridge } from './bridge.ts';
import { Channel, type ChannelSignalling } from './channel.ts';
import { MemoryChannelDirectory } from './channel-directory.ts';
import type { HangupCause } from './hangup-cause.ts';
import { MediaWatchdog, MediaWatchdogSettingError, type MediaWatchdogOptions } from './media-watchdog.ts';

/** Records the causes the channel asked its SIP side to end with (a BYE for an answered leg). */
class FakeSignalling implements ChannelSignalling {
  readonly dialog: Dialog | undefined = undefined;
  readonly ends: HangupCause[] = [];
  end(cause: HangupCause): void {
    this.ends.push(cause);
  }
}

interface Leg {
  readonly channel: Channel;
  readonly signalling: FakeSignalling;
}

const SECOND = 1000;

describe('MediaWatchdog', { timeout: 30_000 }, () => {
  let engine: MediaEngine;
  let clock: FakeClock;
  let channels: MemoryChannelDirectory;
  let phone: Socket;
  let watchdog: MediaWatchdog | undefined;
  let seq = 0;

  before(async () => {
    engine = new MediaEngine({ address: '127.0.0.1', portRange: { min: 0, max: 0 }, logger: silentLogger });
    phone = createSocket('udp4');
    await new Promise<void>((resolve) => phone.bind(0, '127.0.0.1', resolve));
  });

  after(async () => {
    await engine.close();
    await new Promise<void>((resolve) => phone.close(() => resolve()));
  });

  afterEach(() => {
    watchdog?.close();
    for (const c of channels.all()) c.hangup();
    assert.equal(clock.pending, 0, 'no timer left behind');
  });

  const start = (options: Partial<MediaWatchdogOptions> = {}): MediaWatchdog => {
    watchdog = new MediaWatchdog({ channels, clock, logger: silentLogger, rtpTimeoutMs: 60 * SECOND, rtpHoldTimeoutMs: 3600 * SECOND, checkIntervalMs: SECOND, ...options });
    return watchdog;
  };

  /** An answered leg whose phone (our socket) declared `direction` in its SDP. */
  const leg = async (direction: MediaDirection = 'sendrecv'): Promise<Leg> => {
    const media = await engine.createEndpoint({ latching: 'off' });
    media.setRemote({ address: '127.0.0.1', port: phone.address().port, direction });
    const uuid = `leg-${Math.random().toString(16).slice(2)}`;
    const channel = new Channel(
      { uuid, direction: 'inbound', accountId: 'acct', realm: 'acme.test', callerIdName: 'A', callerIdNumber: '1001', calleeIdName: '2001', calleeIdNumber: '2001', destination: '2001', fromUri: 'sip:1001@acme.test', toUri: 'sip:2001@acme.test', requestUri: 'sip:2001@acme.test' },
      media,
      clock,
      silentLogger,
    );
    const signalling = new FakeSignalling();
    channel.setSignalling(signalling);
    channels.add(channel);
    channel.on('closed', () => channels.remove(channel.uuid));
    channel.transition('answered');
    return { channel, signalling };
  };

  /** The phone sends one RTP (or RTCP) packet to the leg; resolves once the endpoint counted it. */
  const talk = async ({ channel }: Leg, rtcp = false): Promise<void> => {
    const before = channel.media.packetsReceived;
    seq += 1;
    const packet = rtcp
      ? Buffer.from([0x80, 201, 0, 1, 0, 0, 0, 1])
      : serializeRtp({ marker: false, payloadType: 0, sequenceNumber: seq, timestamp: seq * 160, ssrc: 0x2222, payload: Buffer.alloc(160, 0xff) });
    phone.send(packet, rtcp ? channel.media.rtcpPort : channel.media.port, '127.0.0.1');
    const deadline = Date.now() + 2000;
    while (channel.media.packetsReceived === before) {
      if (Date.now() > deadline) throw new Error('the endpoint never received the packet');
      await sleep(2);
    }
  };

  /** Moves the fake clock on one second at a time (the watchdog checks every second here). */
  const wait = (seconds: number): void => {
    for (let i = 0; i < seconds; i += 1) clock.advance(SECOND);
  };

  const fresh = (): void => {
    clock = new FakeClock();
    channels = new MemoryChannelDirectory();
    watchdog = undefined;
  };

  test('an answered leg whose phone sends nothing for rtpTimeout is hung up with MEDIA_TIMEOUT (BYE to the phone)', async () => {
    fresh();
    const a = await leg();
    start({ rtpTimeoutMs: 5 * SECOND });
    wait(5);
    assert.equal(a.channel.closed, false, 'the first check only starts the count');
    wait(1);
    assert.equal(a.channel.closed, true);
    assert.equal(a.channel.hangupCause, 'MEDIA_TIMEOUT');
    assert.deepEqual(a.signalling.ends, ['MEDIA_TIMEOUT']);
    assert.equal(a.channel.media.closed, true);
    assert.equal(channels.size, 0);
  });

  test('the bridged peer of a silent leg is hung up with the same cause', async () => {
    fresh();
    const a = await leg();
    const b = await leg();
    const bridge = new Bridge(engine, a.channel, b.channel);
    start({ rtpTimeoutMs: 3 * SECOND });
    // B keeps talking; A is silent.
    for (let i = 0; i < 3; i += 1) {
      await talk(b);
      wait(1);
    }
    assert.equal(a.channel.closed, false);
    await talk(b);
    wait(1);
    assert.equal(a.channel.hangupCause, 'MEDIA_TIMEOUT');
    assert.equal(b.channel.hangupCause, 'MEDIA_TIMEOUT');
    assert.deepEqual(a.signalling.ends, ['MEDIA_TIMEOUT']);
    assert.deepEqual(b.signalling.ends, ['MEDIA_TIMEOUT']);
    assert.equal(bridge.closed, true);
  });

  test('every RTP or RTCP packet restarts the count', async () => {
    fresh();
    const a = await leg();
    start({ rtpTimeoutMs: 3 * SECOND });
    wait(1);
    for (let i = 0; i < 10; i += 1) {
      wait(2);
      await talk(a, i % 2 === 1);
    }
    assert.equal(a.channel.closed, false, 'a packet every 2 s keeps a 3 s timeout away');
    wait(3);
    assert.equal(a.channel.closed, false, 'the last packet was seen at the check after it arrived');
    wait(1);
    assert.equal(a.channel.hangupCause, 'MEDIA_TIMEOUT');
  });

  test('a phone that holds (sendonly or inactive) or was put on hold (recvonly) gets the hold timeout', async () => {
    fresh();
    const holds = await Promise.all((['sendonly', 'inactive', 'recvonly'] as const).map((d) => leg(d)));
    const active = await leg();
    start({ rtpTimeoutMs: 5 * SECOND, rtpHoldTimeoutMs: 20 * SECOND });
    wait(10);
    assert.equal(active.channel.hangupCause, 'MEDIA_TIMEOUT');
    for (const h of holds) assert.equal(h.channel.closed, false, `${h.channel.media.remoteDirection} is still up`);
    wait(11);
    for (const h of holds) assert.equal(h.channel.hangupCause, 'MEDIA_TIMEOUT', h.channel.media.remoteDirection);
  });

  test('a phone coming back from hold is counted afresh from the resume', async () => {
    fresh();
    const a = await leg('sendonly');
    start({ rtpTimeoutMs: 5 * SECOND, rtpHoldTimeoutMs: 60 * SECOND });
    wait(50);
    a.channel.media.setRemote({ address: '127.0.0.1', port: phone.address().port, direction: 'sendrecv' });
    wait(5);
    assert.equal(a.channel.closed, false, 'fifty silent seconds of hold are not held against the resumed call');
    wait(1);
    assert.equal(a.channel.hangupCause, 'MEDIA_TIMEOUT');
  });

  test('a timeout of 0 disables it: both 0 starts no timer at all', async () => {
    fresh();
    const active = await leg();
    const held = await leg('sendonly');
    start({ rtpTimeoutMs: 0, rtpHoldTimeoutMs: 5 * SECOND });
    wait(10);
    assert.equal(active.channel.closed, false);
    assert.equal(held.channel.hangupCause, 'MEDIA_TIMEOUT');
    watchdog?.close();
    const off = start({ rtpTimeoutMs: 0, rtpHoldTimeoutMs: 0 });
    assert.equal(off.enabled, false);
    assert.equal(clock.pending, 0);
    wait(7200);
    assert.equal(active.channel.closed, false);
  });

  test('legs not answered yet, or without negotiated media, are left alone', async () => {
    fresh();
    const media = await engine.createEndpoint();
    const ringing = new Channel(
      { uuid: 'ringing', direction: 'outbound', accountId: 'acct', realm: 'acme.test', callerIdName: 'A', callerIdNumber: '1001', calleeIdName: '2001', calleeIdNumber: '2001', destination: '2001', fromUri: 'sip:1001@acme.test', toUri: 'sip:2001@acme.test', requestUri: 'sip:2001@acme.test' },
      media,
      clock,
      silentLogger,
    );
    channels.add(ringing);
    ringing.on('closed', () => channels.remove(ringing.uuid));
    ringing.ringing();
    const noMedia = new Channel({ ...ringing.profile, uuid: 'no-media' }, await engine.createEndpoint(), clock, silentLogger);
    channels.add(noMedia);
    noMedia.on('closed', () => channels.remove(noMedia.uuid));
    noMedia.transition('answered');
    start({ rtpTimeoutMs: 2 * SECOND });
    wait(10);
    assert.equal(ringing.closed, false);
    assert.equal(noMedia.closed, false);
  });

  test('close() is idempotent, cancels the pending check and forgets every channel', async () => {
    fresh();
    const a = await leg();
    const w = start({ rtpTimeoutMs: 2 * SECOND });
    assert.equal(clock.pending, 1);
    w.close();
    w.close();
    assert.equal(w.closed, true);
    assert.equal(clock.pending, 0);
    wait(10);
    assert.equal(a.channel.closed, false);
  });

  test('settings that are not durations are refused by name', () => {
    fresh();
    assert.throws(() => start({ rtpTimeoutMs: -1 }), (e: unknown) => e instanceof MediaWatchdogSettingError && e.message.startsWith('rtpTimeoutMs'));
    assert.throws(() => start({ rtpHoldTimeoutMs: Number.NaN }), (e: unknown) => e instanceof MediaWatchdogSettingError && e.message.startsWith('rtpHoldTimeoutMs'));
    assert.throws(() => start({ checkIntervalMs: 0 }), (e: unknown) => e instanceof MediaWatchdogSettingError && e.message.startsWith('checkIntervalMs'));
    watchdog = undefined;
  });

  test('without checkIntervalMs it checks four times per shortest timeout, at most every 5 s', async () => {
    fresh();
    const a = await leg();
    watchdog = new MediaWatchdog({ channels, clock, logger: silentLogger, rtpTimeoutMs: 2 * SECOND, rtpHoldTimeoutMs: 0 });
    clock.advance(500);
    clock.advance(2000);
    assert.equal(a.channel.hangupCause, 'MEDIA_TIMEOUT', 'silent for 2 s between the checks at 0.5 s and 2.5 s');
  });
});
