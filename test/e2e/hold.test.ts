// Hold and music on hold through the switch with SIPp phones (issue 4 item 1): a phone's re-INVITE
// (a=sendonly, or the legacy c=0.0.0.0) and the hold/unhold commands.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { pglite } from '../support/backends.ts';
import { startHarness, type Harness } from '../support/api-harness.ts';
import { assertSippOk, explainSipp, RTP_PORT_OFFSET, startSipp, stopAllSipp, type RunningSipp } from '../support/sipp.ts';
import { sippSkip } from '../support/sipp-skip.ts';
import { freeMediaBase } from '../support/sipp-ports.ts';
import { call, provision, register, type Phones } from '../support/switch-fixture.ts';
import { namesOf } from '../support/call-events.ts';
import { settled, waitLeg } from '../support/live-channels.ts';
import type { BusMessage } from '../../src/bus/index.ts';

const skip = sippSkip();

/** Every RTP packet reaching a phone, with its arrival time and SSRC (who generated it). */
class RtpLog {
  readonly packets: { at: number; ssrc: number; pt: number }[] = [];
  readonly #socket: Socket;
  readonly port: number;

  private constructor(socket: Socket, port: number) {
    this.#socket = socket;
    this.port = port;
    socket.on('message', (msg) => {
      if (msg.length >= 12 && msg[0] !== undefined && msg[0] >> 6 === 2) this.packets.push({ at: Date.now(), ssrc: msg.readUInt32BE(8), pt: (msg[1] ?? 0) & 0x7f });
    });
  }

  static async open(): Promise<RtpLog> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return new RtpLog(socket, socket.address().port);
  }

  between(from: number, to: number): { ssrc: number; pt: number }[] {
    return this.packets.filter((p) => p.at >= from && p.at <= to);
  }

  /** The SSRC most packets before `t` carried: the far phone's own stream. */
  mainSsrcBefore(t: number): number | undefined {
    const counts = new Map<number, number>();
    for (const p of this.packets) if (p.at < t) counts.set(p.ssrc, (counts.get(p.ssrc) ?? 0) + 1);
    return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#socket.close(() => resolve()));
  }
}

describe('hold and music on hold (SIPp phones)', { skip }, () => {
  let h: Harness;
  let p: Phones;
  const events: (BusMessage & { at: number })[] = [];

  before(async () => {
    h = await startHarness(pglite(), { env: { SWITCHBOARD_LOG_LEVEL: 'silent' } });
    p = await provision(h, 'Holdco', {
      devices: [{ username: 'alice' }, { username: 'bob' }],
      callflows: [{ number: '2001', device: 'bob' }],
    });
    h.app.bus.subscribe('call.#', (m) => events.push({ ...m, at: Date.now() }));
  });

  after(async () => {
    await stopAllSipp();
    await h?.close();
  });

  /** Registers bob and starts his scenario with his RTP going to an RtpLog. */
  const bobPhone = async (scenario: string): Promise<{ bob: RunningSipp; log: RtpLog }> => {
    h.app.switch.registrations.removeDevice(p.account.accountId, p.devices.get('bob') ?? '');
    const reg = await register(p, 'bob');
    assert.equal(reg.exitCode, 0, explainSipp(reg));
    // As the harness does for its RtpCounter: SIPp needs the two ports below the logger's free too.
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const log = await RtpLog.open();
      const mediaPort = await freeMediaBase('127.0.0.1', RTP_PORT_OFFSET, log.port).catch(() => undefined);
      if (mediaPort === undefined) {
        await log.close();
        continue;
      }
      const bob = await startSipp({ scenario, localPort: reg.localPort, mediaPort, timeoutSec: 20 });
      return { bob, log };
    }
    throw new Error('no free media port block for bob');
  };
  const eventAt = (name: string): number => {
    const e = events.find((m) => m.payload['event_name'] === name);
    assert.ok(e, `${name} published`);
    return e.at;
  };

  /**
   * While held (between the events, with a margin), the held party hears only music: packets
   * keep coming, none from the holder's stream; before and after it hears the holder.
   */
  const assertMusicOnly = (log: RtpLog, heldFrom: number, heldTo: number): void => {
    const holder = log.mainSsrcBefore(heldFrom);
    assert.ok(holder !== undefined, 'the held party heard the holder before the hold');
    const during = log.between(heldFrom + 300, heldTo - 100);
    assert.ok(during.length > 20, `music during the hold: ${during.length} packets`);
    assert.equal(during.filter((x) => x.ssrc === holder).length, 0, 'nothing of the holder during the hold');
    assert.ok(during.every((x) => x.pt === 8), 'music in the call codec (PCMA)');
    const afterwards = log.between(heldTo + 300, Number.MAX_SAFE_INTEGER).filter((x) => x.ssrc === holder);
    assert.ok(afterwards.length > 10, `the holder is heard again after the resume: ${afterwards.length} packets`);
  };

  for (const form of [
    { name: 'a=sendonly', vars: { hold_c: '127.0.0.1', hold_dir: 'sendonly' } },
    { name: 'the legacy c=0.0.0.0', vars: { hold_c: '0.0.0.0', hold_dir: 'sendrecv' } },
  ]) {
    test(`a phone holds with ${form.name}: the other party hears music, not the holder; CHANNEL_HOLD, then CHANNEL_UNHOLD on a=sendrecv`, async () => {
      events.length = 0;
      const { bob, log } = await bobPhone('uas-answer.xml');
      try {
        const alice = await call(p, 'alice', '2001', 'hold-uac-reinvite.xml', { vars: { ...form.vars, talk_ms: 1500, held_ms: 2000 } });
        const b = await bob.done;
        assertSippOk(alice);
        assertSippOk(b);
        assert.match(alice.logs, /hold answer recvonly/);
        assert.match(alice.logs, /resume answer sendrecv/);
        assertMusicOnly(log, eventAt('CHANNEL_HOLD'), eventAt('CHANNEL_UNHOLD'));
        await settled(h, 5000);
        const hold = events.find((e) => e.payload['event_name'] === 'CHANNEL_HOLD');
        const holder = String(hold?.payload['call_id']);
        assert.equal(hold?.payload['call_direction'], 'inbound', 'the holder is alice');
        assert.deepEqual(namesOf(events, holder), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_HOLD', 'CHANNEL_UNHOLD', 'CHANNEL_DESTROY']);
      } finally {
        await log.close();
      }
    });
  }

  test('the hold command re-INVITEs the peer a=sendonly with music, unhold re-INVITEs a=sendrecv', async () => {
    events.length = 0;
    const { bob, log } = await bobPhone('hold-uas-reinvite.xml');
    try {
      const alice = call(p, 'alice', '2001', 'uac-call.xml', { vars: { hold_ms: 5500 } });
      const leg = await waitLeg(h, 'alice', { bridged: true }, 8000);
      await new Promise((r) => setTimeout(r, 800));
      await h.app.switch.b2bua.control.hold(leg);
      assert.equal(leg.onHold, true);
      await new Promise((r) => setTimeout(r, 2000));
      await h.app.switch.b2bua.control.unhold(leg);
      assert.equal(leg.onHold, false);
      const [a, b] = await Promise.all([alice, bob.done]);
      assertSippOk(a);
      assertSippOk(b);
      assert.match(b.logs, /hold offer sendonly/);
      assert.match(b.logs, /resume offer sendrecv/);
      assertMusicOnly(log, eventAt('CHANNEL_HOLD'), eventAt('CHANNEL_UNHOLD'));
      await settled(h, 5000);
      assert.deepEqual(namesOf(events, leg.uuid), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_HOLD', 'CHANNEL_UNHOLD', 'CHANNEL_DESTROY']);
    } finally {
      await log.close();
    }
  });
});
