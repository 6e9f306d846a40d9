// Transfers to numbers no callflow owns (docs/calls.md "Transfers to external numbers"): the target
// goes out through the account's carriers, a SIPp carrier gateway answers (or fails) it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pglite } from '../support/backends.ts';
import { startHarness, type Harness } from '../support/api-harness.ts';
import { assertSippOk, stopAllSipp, type RunningSipp } from '../support/sipp.ts';
import { sippSkip } from '../support/sipp-skip.ts';
import { freePort } from '../support/sipp-ports.ts';
import { call, phone, provision, startCall, type Phones } from '../support/switch-fixture.ts';
import { namesOf } from '../support/call-events.ts';
import { legOf, settled, waitLeg } from '../support/live-channels.ts';
import { addResource, ccv, removeResource, startCarrier, TRUNK, US } from '../support/carriers.ts';
import { eventually } from '../support/wait.ts';
import type { BusMessage } from '../../src/bus/index.ts';

const skip = sippSkip();
const EXTERNAL = '+15550001234';

describe('transfers to external numbers go out through the carriers (SIPp phones and carrier)', { skip }, () => {
  let h: Harness;
  let p: Phones;
  const events: BusMessage[] = [];

  before(async () => {
    h = await startHarness(pglite(), { env: { SWITCHBOARD_LOG_LEVEL: 'silent' } });
    p = await provision(h, 'Offnet', { devices: [{ username: 'alice' }, { username: 'bob' }], callflows: [{ number: '2001', device: 'bob' }] });
    const bob = p.devices.get('bob') ?? '';
    const dev = await p.account.client.patch(`/v2/accounts/${p.account.accountId}/devices/${bob}`, { caller_id: { external: { name: 'Bob Desk', number: '+15551230000' } } });
    assert.equal(dev.status, 200, dev.text);
    const acct = await p.account.client.patch(`/v2/accounts/${p.account.accountId}`, { caller_id: { external: { name: 'Offnet Inc', number: '+15553330000' } } });
    assert.equal(acct.status, 200, acct.text);
    h.app.bus.subscribe('call.#', (m) => events.push(m));
  });

  after(async () => {
    await stopAllSipp();
    await h?.close();
  });

  const received = (s: RunningSipp): number => s.rtp?.counts().received ?? 0;
  const transferee = (): BusMessage | undefined => events.find((e) => e.payload['event_name'] === 'CHANNEL_TRANSFEREE');
  /** The carrier legs' uuids, in creation order. */
  const carrierLegs = (): string[] =>
    events
      .filter((e) => e.payload['event_name'] === 'CHANNEL_CREATE' && ccv(e)['authorizing_type'] === 'resource')
      .map((e) => String(e.payload['call_id']));
  const channelAction = (uuid: string, body: Record<string, unknown>) => p.account.client.post(`/v2/accounts/${p.account.accountId}/channels/${uuid}`, body);
  const answering = (): Promise<RunningSipp> => startCarrier('carrier-uas-auth.xml', { user: TRUNK.username, password: TRUNK.password, realm: TRUNK.realm });

  test('API blind transfer to an external number: the carrier gets the INVITE with the transferor’s external caller id, the transferee talks to it, the transferor is released', async () => {
    events.length = 0;
    const gw = await answering();
    const id = await addResource(p, { name: 'Out', rules: [US], gateways: [{ server: '127.0.0.1', port: gw.localPort, ...TRUNK, prefix: '+1' }] });
    try {
      const bob = await phone(p, 'bob', 'uas-answer.xml');
      const alice = await startCall(p, 'alice', '2001', 'uac-call.xml', { vars: { hold_ms: 5000 } });
      const bobLeg = await waitLeg(h, 'bob', { direction: 'outbound', peer: 'alice' }, 8000);
      const aliceLeg = legOf(h, 'alice', { direction: 'inbound' });
      assert.ok(aliceLeg);
      // A number neither a callflow nor a resource rule owns: 400, the call stays as it was.
      const refused = await channelAction(bobLeg.uuid, { action: 'transfer', target: '4444' });
      assert.equal(refused.status, 400, refused.text);
      assert.ok((refused.body['data'] as Record<string, Record<string, unknown>>)['target']?.['invalid'], refused.text);
      assert.equal(bobLeg.otherLeg, aliceLeg);
      const res = await channelAction(bobLeg.uuid, { action: 'transfer', target: EXTERNAL, 'transfer-type': 'blind' });
      assert.equal(res.status, 200, res.text);
      await eventually(() => transferee() !== undefined, 8000);
      const aliceAt = received(alice);
      const [a, b, g] = await Promise.all([alice.done, bob.done, gw.done]);
      assertSippOk(a);
      assertSippOk(b);
      assertSippOk(g);
      assert.match(g.logs, new RegExp(`carrier-invite ruri=sip:\\+15550001234@127\\.0\\.0\\.1:${gw.localPort}`));
      assert.match(g.logs, /carrier-auth true/);
      assert.match(g.logs, /from= *"Bob Desk" <sip:\+15551230000@/);
      assert.ok((a.rtp?.received ?? 0) - aliceAt > 20, `alice heard ${(a.rtp?.received ?? 0) - aliceAt} packets from the carrier`);
      assert.ok((g.rtp?.received ?? 0) > 20, `the carrier heard ${g.rtp?.received} packets from alice`);
      await settled(h, 8000);
      const [carrierLeg] = carrierLegs();
      assert.ok(carrierLeg);
      const create = events.find((e) => e.payload['call_id'] === carrierLeg && e.payload['event_name'] === 'CHANNEL_CREATE');
      assert.ok(create);
      assert.equal(create.payload['call_direction'], 'outbound');
      assert.equal(ccv(create)['authorizing_id'], id);
      assert.deepEqual(namesOf(events, aliceLeg.uuid), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_BRIDGE', 'CHANNEL_TRANSFEREE', 'CHANNEL_DESTROY']);
      assert.deepEqual(namesOf(events, bobLeg.uuid), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_DESTROY']);
      assert.deepEqual(namesOf(events, carrierLeg), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_DESTROY']);
      const t = transferee()?.payload ?? {};
      assert.equal(t['call_id'], aliceLeg.uuid);
      assert.equal(t['target_call_id'], carrierLeg);
      assert.equal(t['transferor_call_id'], bobLeg.uuid);
      assert.equal(t['transfer_to'], EXTERNAL);
      assert.equal(t['transfer_type'], 'blind');
    } finally {
      await removeResource(p, id, [gw.localPort]);
    }
  });

  test('blind REFER to an external number: NOTIFY 200 once the carrier answers, the caller talks to the carrier', async () => {
    events.length = 0;
    const gw = await answering();
    const id = await addResource(p, { name: 'Out', rules: [US], gateways: [{ server: '127.0.0.1', port: gw.localPort, ...TRUNK }] });
    try {
      const bob = await phone(p, 'bob', 'transfer-uas-refer.xml', { vars: { refer_to: `sip:${EXTERNAL}@${p.realm}`, talk_ms: 1000 } });
      const alice = await startCall(p, 'alice', '2001', 'uac-call.xml', { vars: { hold_ms: 5000 } });
      await eventually(() => transferee() !== undefined, 8000);
      const aliceAt = received(alice);
      const [a, b, g] = await Promise.all([alice.done, bob.done, gw.done]);
      assertSippOk(a);
      assertSippOk(b);
      assertSippOk(g);
      assert.match(b.logs, /notify 100 active/);
      assert.match(b.logs, /notify 200 terminated event=refer \(SIP\/2\.0 200 OK\)/);
      assert.match(g.logs, new RegExp(`carrier-invite ruri=sip:5550001234@127\\.0\\.0\\.1:${gw.localPort}`));
      assert.match(g.logs, /from= *"Bob Desk" <sip:\+15551230000@/);
      assert.ok((a.rtp?.received ?? 0) - aliceAt > 20, `alice heard ${(a.rtp?.received ?? 0) - aliceAt} packets from the carrier`);
      assert.ok((g.rtp?.received ?? 0) > 20, `the carrier heard ${g.rtp?.received} packets from alice`);
      await settled(h, 8000);
      const [carrierLeg] = carrierLegs();
      const t = transferee()?.payload ?? {};
      assert.equal(t['target_call_id'], carrierLeg);
      assert.equal(t['transfer_source'], 'refer');
    } finally {
      await removeResource(p, id, [gw.localPort]);
    }
  });

  test('REFER to a number no callflow nor carrier rule owns: NOTIFY 404 and the call stays up', async () => {
    events.length = 0;
    const port = await freePort('127.0.0.1', 'udp');
    const id = await addResource(p, { name: 'Out', rules: [US], gateways: [{ server: '127.0.0.1', port }] });
    try {
      const bob = await phone(p, 'bob', 'transfer-uas-refer.xml', { vars: { refer_to: `sip:4444@${p.realm}`, talk_ms: 1000, after_ms: 1500 } });
      const alice = await call(p, 'alice', '2001', 'uac-call-wait-bye.xml');
      const b = await bob.done;
      assertSippOk(alice);
      assertSippOk(b);
      assert.match(b.logs, /notify 404 terminated event=refer \(SIP\/2\.0 404 Not Found\)/);
      assert.ok((alice.rtp?.received ?? 0) > 50, `alice heard ${alice.rtp?.received} packets`);
      await settled(h, 8000);
      assert.deepEqual(carrierLegs(), []);
      assert.equal(transferee(), undefined);
    } finally {
      await removeResource(p, id, [port]);
    }
  });

  test('attended transfer to an external number whose every gateway fails: transferor and transferee are reconnected', async () => {
    events.length = 0;
    const gw = await startCarrier('carrier-uas-fail.xml', {});
    const id = await addResource(p, { name: 'Down', rules: [US], gateways: [{ server: '127.0.0.1', port: gw.localPort }] });
    try {
      const bob = await phone(p, 'bob', 'uas-answer.xml');
      const alice = await startCall(p, 'alice', '2001', 'uac-call.xml', { vars: { hold_ms: 4000 } });
      const bobLeg = await waitLeg(h, 'bob', { direction: 'outbound', peer: 'alice' }, 8000);
      const aliceLeg = bobLeg.otherLeg;
      assert.ok(aliceLeg);
      const res = await channelAction(bobLeg.uuid, { action: 'transfer', target: EXTERNAL, 'transfer-type': 'attended' });
      assert.equal(res.status, 200, res.text);
      const g = await gw.done;
      assertSippOk(g);
      assert.match(g.logs, /from= *"Bob Desk" <sip:\+15551230000@/);
      await eventually(() => bobLeg.otherLeg === aliceLeg, 8000);
      const bobAt = received(bob);
      const [a, b] = await Promise.all([alice.done, bob.done]);
      assertSippOk(a);
      assertSippOk(b);
      assert.ok((b.rtp?.received ?? 0) - bobAt > 10, 'bob hears alice again');
      await settled(h, 8000);
      assert.equal(transferee(), undefined);
      for (const leg of [aliceLeg.uuid, bobLeg.uuid]) {
        assert.deepEqual(namesOf(events, leg), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_BRIDGE', 'CHANNEL_DESTROY']);
      }
      const [carrierLeg] = carrierLegs();
      assert.deepEqual(namesOf(events, carrierLeg ?? ''), ['CHANNEL_CREATE', 'CHANNEL_DESTROY']);
    } finally {
      await removeResource(p, id, [gw.localPort]);
    }
  });
});
