import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock, silentLogger } from '../../lib/index.ts';
import { MediaEngine } from '../../media/index.ts';
import { Bridge } from '../bridge.ts';
import type { PendingDial } from '../call-context.ts';
import { CallCommandError } from '../call-control.ts';
import { Channel, type ChannelProfile } from '../channel.ts';
import { identityOf, planIntercept, planMove, rolesOf } from './takeover-plan.ts';

describe('who stays and who loses the call in an intercept or a move', () => {
  let engine: MediaEngine;
  let clock: FakeClock;
  const open: Channel[] = [];

  before(() => {
    clock = new FakeClock();
    engine = new MediaEngine({ address: '127.0.0.1', portRange: { min: 0, max: 0 }, clock, logger: silentLogger });
  });

  after(async () => {
    for (const c of open) c.hangup();
    assert.equal(engine.stats().endpoints, 0);
    await engine.close();
  });

  const channel = async (uuid: string, profile: Partial<ChannelProfile> = {}): Promise<Channel> => {
    const media = await engine.createEndpoint();
    media.setFormat({ codec: 'PCMA', payloadType: 8, telephoneEventPayloadType: 101 });
    const c = new Channel(
      {
        uuid,
        direction: 'outbound',
        accountId: 'acct',
        realm: 'acme.test',
        callerIdName: 'Alice',
        callerIdNumber: '1001',
        calleeIdName: 'Bob phone',
        calleeIdNumber: 'bob',
        destination: '2001',
        fromUri: 'sip:1001@acme.test',
        toUri: 'sip:2001@acme.test',
        requestUri: 'sip:2001@acme.test',
        ...profile,
      },
      media,
      clock,
      silentLogger,
    );
    open.push(c);
    return c;
  };
  /** A caller A (inbound) answered and bridged to B, which was dialed for A. */
  const call = async (n: number) => {
    const a = await channel(`a${n}`, { direction: 'inbound' });
    const b = await channel(`b${n}`, { customChannelVars: { other_leg_call_id: `a${n}` } });
    a.transition('answered');
    b.transition('answered');
    const bridges = new Map<string, Bridge>();
    const bridge = new Bridge(engine, a, b, bridges);
    return { a, b, bridge, bridges };
  };
  const fakeDial = (peer: Channel | undefined, ringing: Channel[]): PendingDial => ({
    peer,
    ringing,
    done: false,
    outcome: new Promise(() => {}),
    handOver: () => true,
  });

  test('a ringing call is planned from either leg: the caller stays, the dial is handed the answer', async () => {
    const a = await channel('ra', { direction: 'inbound' });
    const b = await channel('rb');
    b.ringing();
    const dial = fakeDial(a, [b]);
    const dials = new Map<string, PendingDial>([
      [a.uuid, dial],
      [b.uuid, dial],
    ]);
    for (const named of [a, b]) {
      const plan = planIntercept({ dials, bridges: new Map() }, named, true);
      assert.equal(plan.kind, 'ringing');
      assert.equal(plan.kept, a);
      assert.equal(plan.kind === 'ringing' ? plan.dial : undefined, dial);
    }
  });

  test('an answered, bridged call: the caller stays and the callee leaves, whichever leg is named', async () => {
    const { a, b, bridges } = await call(1);
    for (const named of [a, b]) {
      const plan = planIntercept({ bridges }, named, false);
      assert.deepEqual(plan.kind === 'bridged' ? [plan.kept.uuid, plan.leaving.uuid] : [], ['a1', 'b1']);
    }
  });

  test('unbridgedOnly refuses an answered, bridged call with a typed error', async () => {
    const { a, bridges } = await call(2);
    assert.throws(
      () => planIntercept({ bridges }, a, true),
      (e: unknown) => e instanceof CallCommandError && e.field === 'unbridged_only' && e.rule === 'invalid',
    );
  });

  test('an answered channel talking to nobody stays itself; a channel neither ringing nor answered is refused', async () => {
    const parked = await channel('parked', { direction: 'inbound' });
    parked.transition('answered');
    assert.deepEqual(planIntercept({ bridges: new Map() }, parked, true), { kind: 'alone', kept: parked });
    const fresh = await channel('fresh', { direction: 'inbound' });
    assert.throws(() => planIntercept({ bridges: new Map() }, fresh, true), CallCommandError);
    fresh.hangup();
    assert.throws(() => planIntercept({ bridges: new Map() }, fresh, false), /gone/);
  });

  test('move: the named leg leaves and its peer stays; an unbridged channel is refused', async () => {
    const { a, b, bridges } = await call(3);
    const plan = planMove({ bridges }, a);
    assert.deepEqual(plan.kind === 'bridged' ? [plan.kept.uuid, plan.leaving.uuid] : [], ['b3', 'a3']);
    const lonely = await channel('lonely');
    assert.throws(() => planMove({ bridges }, lonely), (e: unknown) => e instanceof CallCommandError && e.field === 'other_leg_call_id');
    assert.equal(rolesOf({ a: b, b: a }).caller, a, 'the leg dialed for the other is the callee, whatever the bridge order');
  });

  test("a party's identity: an inbound leg's caller id, an outbound leg's callee id", async () => {
    const inbound = await channel('in', { direction: 'inbound' });
    const outbound = await channel('out');
    assert.deepEqual(identityOf(inbound), { name: 'Alice', number: '1001' });
    assert.deepEqual(identityOf(outbound), { name: 'Bob phone', number: 'bob' });
  });
});
