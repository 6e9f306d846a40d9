// The switch's call lifecycle end to end with SIPp phones: graceful stop, the max call duration,
// and the order of call events on the bus for failed and cancelled calls.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pglite } from '../support/backends.ts';
import { startHarness, type Harness } from '../support/api-harness.ts';
import { explainSipp, stopAllSipp, type SippResult } from '../support/sipp.ts';
import { sippSkip } from '../support/sipp-skip.ts';
import { call, phone, provision, startCall, type Phones } from '../support/switch-fixture.ts';
import { settled } from '../support/live-channels.ts';
import { eventually } from '../support/wait.ts';
import type { BusMessage } from '../../src/bus/index.ts';

const skip = sippSkip();

/** A call event as seen on the bus, with the wall-clock time it was published. */
interface Seen {
  readonly at: number;
  readonly name: string;
  readonly callId: string;
  readonly direction: string;
  readonly payload: BusMessage['payload'];
}

/** Collects `call.#` events of a harness. */
function recorder(h: Harness): Seen[] {
  const seen: Seen[] = [];
  h.app.bus.subscribe('call.#', (m) => {
    seen.push({
      at: Date.now(),
      name: String(m.payload['event_name']),
      callId: String(m.payload['call_id']),
      direction: String(m.payload['call_direction']),
      payload: m.payload,
    });
  });
  return seen;
}

/** The events of each channel, in publication order, keyed by call id. */
function byChannel(events: readonly Seen[]): Map<string, Seen[]> {
  const out = new Map<string, Seen[]>();
  for (const e of events) out.set(e.callId, [...(out.get(e.callId) ?? []), e]);
  return out;
}

/** Every channel has exactly one CREATE, first, and exactly one DESTROY, last; returns them by direction. */
function checkLifecycles(events: readonly Seen[]): { inbound: Seen[]; outbound: Seen[] } {
  const channels = byChannel(events.filter((e) => e.name !== 'DTMF'));
  const inbound: Seen[] = [];
  const outbound: Seen[] = [];
  for (const [callId, list] of channels) {
    const names = list.map((e) => e.name);
    assert.equal(names.filter((n) => n === 'CHANNEL_CREATE').length, 1, `${callId}: ${names.join(',')}`);
    assert.equal(names.filter((n) => n === 'CHANNEL_DESTROY').length, 1, `${callId}: ${names.join(',')}`);
    assert.equal(names[0], 'CHANNEL_CREATE', `${callId}: ${names.join(',')}`);
    assert.equal(names.at(-1), 'CHANNEL_DESTROY', `${callId}: ${names.join(',')}`);
    (list[0]?.direction === 'inbound' ? inbound : outbound).push(...list);
  }
  return { inbound, outbound };
}

const destroyOf = (list: readonly Seen[]): Seen | undefined => list.find((e) => e.name === 'CHANNEL_DESTROY');
const indexOf = (events: readonly Seen[], e: Seen | undefined): number => (e === undefined ? -1 : events.indexOf(e));

/** Resolves when the process `pid` no longer exists. */
async function gone(pid: number | undefined, ms = 5000): Promise<void> {
  if (pid === undefined) return;
  await eventually(() => {
    try {
      process.kill(pid, 0);
      return false;
    } catch {
      return true;
    }
  }, ms);
}

describe('graceful stop of the switch (SIPp phones)', { skip, timeout: 90_000 }, () => {
  /** A fresh switch for each test: the test closes it. */
  const stopper = async (name: string): Promise<{ h: Harness; p: Phones; events: Seen[] }> => {
    const h = await startHarness(pglite(), { env: { SWITCHBOARD_LOG_LEVEL: 'silent' } });
    const p = await provision(h, name, { devices: [{ username: 'alice' }, { username: 'bob' }], callflows: [{ number: '2001', device: 'bob' }] });
    return { h, p, events: recorder(h) };
  };

  /** After app.close(): both SIPp processes are gone, nothing is left, and both legs ended with SYSTEM_SHUTDOWN. */
  const stoppedClean = async (h: Harness, events: readonly Seen[], ...pids: (number | undefined)[]): Promise<void> => {
    for (const pid of pids) await gone(pid);
    assert.equal(h.app.switch.channels.size, 0);
    assert.equal(h.app.switch.engine.stats().endpoints, 0);
    const { inbound, outbound } = checkLifecycles(events);
    assert.equal(destroyOf(inbound)?.payload['hangup_cause'], 'SYSTEM_SHUTDOWN');
    assert.equal(destroyOf(outbound)?.payload['hangup_cause'], 'SYSTEM_SHUTDOWN');
  };

  after(async () => {
    await stopAllSipp();
  });

  test('app.close() hangs up an established call with BYE to both phones, which exit 0; no SIPp is left', { timeout: 40_000 }, async () => {
    const { h, p, events } = await stopper('Stopper');
    try {
      const bob = await phone(p, 'bob', 'uas-answer.xml');
      const alice = await startCall(p, 'alice', '2001', 'uac-call-wait-bye.xml');
      await eventually(() => h.app.switch.channels.all().filter((c) => c.state === 'answered').length === 2, 10_000);
      const started = Date.now();
      await h.app.close();
      assert.ok(Date.now() - started < 8000, `close took ${Date.now() - started} ms`);
      const [a, b] = await Promise.all([alice.done, bob.done]);
      assert.equal(a.exitCode, 0, explainSipp(a));
      assert.equal(b.exitCode, 0, explainSipp(b));
      assert.match(a.messages ?? '', /BYE sip:/, 'the caller got no BYE');
      assert.match(b.messages ?? '', /BYE sip:/, 'the callee got no BYE');
      await stoppedClean(h, events, alice.pid, bob.pid);
    } finally {
      await h.close();
    }
  });

  test('app.close() while a call rings: the caller gets 503, the callee a CANCEL, both exit 0', { timeout: 40_000 }, async () => {
    const { h, p, events } = await stopper('Ringer');
    try {
      const bob = await phone(p, 'bob', 'uas-ring-no-answer.xml');
      const alice = await startCall(p, 'alice', '2001', 'uac-expect-failure.xml', { vars: { expected_code: 503 } });
      await eventually(() => h.app.switch.channels.all().filter((c) => c.state === 'ringing').length === 2, 10_000);
      await h.app.close();
      const [a, b] = await Promise.all([alice.done, bob.done]);
      assert.equal(a.exitCode, 0, explainSipp(a));
      assert.equal(b.exitCode, 0, explainSipp(b));
      await stoppedClean(h, events, alice.pid, bob.pid);
    } finally {
      await h.close();
    }
  });
});

describe('call limits and call events (SIPp phones)', { skip, timeout: 120_000 }, () => {
  let h: Harness;
  let p: Phones;
  let events: Seen[];

  before(async () => {
    h = await startHarness(pglite(), { env: { SWITCHBOARD_LOG_LEVEL: 'silent', SWITCHBOARD_MAX_CALL_SECONDS: '2' } });
    p = await provision(h, 'Limits', { devices: [{ username: 'alice' }, { username: 'bob' }], callflows: [{ number: '2001', device: 'bob' }] });
    events = recorder(h);
  });

  after(async () => {
    await stopAllSipp();
    await h?.close();
  });

  test('with SWITCHBOARD_MAX_CALL_SECONDS=2 the switch BYEs both legs about 2 s after the answer', { timeout: 30_000 }, async () => {
    events.length = 0;
    const bob = await phone(p, 'bob', 'uas-answer.xml');
    const alice = await call(p, 'alice', '2001', 'uac-call-wait-bye.xml');
    const b: SippResult = await bob.done;
    assert.equal(alice.exitCode, 0, explainSipp(alice));
    assert.equal(b.exitCode, 0, explainSipp(b));
    await settled(h);
    const { inbound, outbound } = checkLifecycles(events);
    const answer = inbound.find((e) => e.name === 'CHANNEL_ANSWER');
    const destroy = destroyOf(inbound);
    assert.ok(answer !== undefined && destroy !== undefined, inbound.map((e) => e.name).join(','));
    const held = destroy.at - answer.at;
    assert.ok(held >= 1900 && held <= 5000, `the call lasted ${held} ms after the answer`);
    assert.equal(destroy.payload['hangup_cause'], 'ALLOTTED_TIMEOUT');
    assert.equal(destroyOf(outbound)?.payload['hangup_cause'], 'ALLOTTED_TIMEOUT');
    const billingMs = Number(destroy.payload['billing_milli_seconds']);
    assert.ok(billingMs >= 1900 && Math.abs(billingMs - held) < 250, `billing_milli_seconds ${billingMs}, held ${held}`);
    assert.equal(destroy.payload['billing_seconds'], Math.round(billingMs / 1000));
    assert.equal(destroy.payload['disposition'], 'ANSWER');
  });

  test('a busy callee: CREATE for both legs, then DESTROY USER_BUSY on the callee leg and then on the caller', { timeout: 30_000 }, async () => {
    events.length = 0;
    const bob = await phone(p, 'bob', 'uas-busy.xml');
    const alice = await call(p, 'alice', '2001', 'uac-expect-failure.xml', { vars: { expected_code: 486 } });
    assert.equal(alice.exitCode, 0, explainSipp(alice));
    assert.equal((await bob.done).exitCode, 0);
    await settled(h);
    const { inbound, outbound } = checkLifecycles(events);
    assert.deepEqual(inbound.map((e) => e.name), ['CHANNEL_CREATE', 'CHANNEL_DESTROY']);
    assert.deepEqual(outbound.map((e) => e.name), ['CHANNEL_CREATE', 'CHANNEL_DESTROY']);
    assert.ok(indexOf(events, inbound[0]) < indexOf(events, outbound[0]), 'the caller leg is created first');
    assert.ok(indexOf(events, destroyOf(outbound)) < indexOf(events, destroyOf(inbound)), 'the callee leg ends first');
    assert.equal(destroyOf(outbound)?.payload['hangup_cause'], 'USER_BUSY');
    assert.equal(destroyOf(inbound)?.payload['hangup_cause'], 'USER_BUSY');
    assert.equal(destroyOf(inbound)?.payload['disposition'], 'NO_ANSWER');
    assert.equal(destroyOf(inbound)?.payload['billing_seconds'], 0);
  });

  test('a busy callee: CHANNEL_DESTROY reports hangup_code sip:486 on both legs, not sip:200', { timeout: 30_000 }, async () => {
    events.length = 0;
    const bob = await phone(p, 'bob', 'uas-busy.xml');
    const alice = await call(p, 'alice', '2001', 'uac-expect-failure.xml', { vars: { expected_code: 486 } });
    assert.equal(alice.exitCode, 0, explainSipp(alice));
    assert.equal((await bob.done).exitCode, 0);
    await settled(h);
    const { inbound, outbound } = checkLifecycles(events);
    assert.equal(destroyOf(outbound)?.payload['hangup_code'], 'sip:486');
    assert.equal(destroyOf(inbound)?.payload['hangup_code'], 'sip:486');
  });

  test('a cancelled call: CREATE for both legs, then DESTROY ORIGINATOR_CANCEL on the caller and then on the callee', { timeout: 30_000 }, async () => {
    events.length = 0;
    const bob = await phone(p, 'bob', 'uas-ring-no-answer.xml');
    const alice = await call(p, 'alice', '2001', 'uac-cancel.xml', { vars: { ring_ms: 300 } });
    assert.equal(alice.exitCode, 0, explainSipp(alice));
    const b = await bob.done;
    assert.equal(b.exitCode, 0, explainSipp(b));
    await settled(h);
    const { inbound, outbound } = checkLifecycles(events);
    assert.deepEqual(inbound.map((e) => e.name), ['CHANNEL_CREATE', 'CHANNEL_DESTROY']);
    assert.deepEqual(outbound.map((e) => e.name), ['CHANNEL_CREATE', 'CHANNEL_DESTROY']);
    assert.ok(indexOf(events, inbound[0]) < indexOf(events, outbound[0]), 'the caller leg is created first');
    assert.ok(indexOf(events, destroyOf(inbound)) < indexOf(events, destroyOf(outbound)), 'the caller leg ends first');
    assert.equal(destroyOf(inbound)?.payload['hangup_cause'], 'ORIGINATOR_CANCEL');
    assert.equal(destroyOf(outbound)?.payload['hangup_cause'], 'ORIGINATOR_CANCEL');
  });

  test('an answered call hung up by the caller: one CHANNEL_DESTROY per channel, NORMAL_CLEARING', { timeout: 30_000 }, async () => {
    events.length = 0;
    const bob = await phone(p, 'bob', 'uas-answer.xml');
    const alice = await call(p, 'alice', '2001', 'uac-call.xml', { vars: { hold_ms: 500 } });
    assert.equal(alice.exitCode, 0, explainSipp(alice));
    assert.equal((await bob.done).exitCode, 0);
    await settled(h);
    const { inbound, outbound } = checkLifecycles(events);
    assert.deepEqual(inbound.map((e) => e.name), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_DESTROY']);
    assert.deepEqual(outbound.map((e) => e.name), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_DESTROY']);
    assert.equal(destroyOf(inbound)?.payload['hangup_cause'], 'NORMAL_CLEARING');
    assert.equal(destroyOf(outbound)?.payload['hangup_cause'], 'NORMAL_CLEARING');
  });
});
