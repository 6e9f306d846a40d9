// Carriers (issue 4 item 4): outbound calls through an account's resources with SIPp as the
// carrier gateways (digest challenge, failover), and inbound calls from a gateway's address.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { pglite } from '../support/backends.ts';
import { startHarness, type Harness } from '../support/api-harness.ts';
import { explainSipp, runSipp, stopAllSipp, type RunningSipp } from '../support/sipp.ts';
import { sippSkip } from '../support/sipp-skip.ts';
import { freePort } from '../support/sipp-ports.ts';
import { call, phone, provision, type Phones } from '../support/switch-fixture.ts';
import { settled } from '../support/live-channels.ts';
import { addResource as addTo, ccv, removeResource as removeFrom, startCarrier, TRUNK, US, type ResourceSpec } from '../support/carriers.ts';
import type { BusMessage } from '../../src/bus/index.ts';

const skip = sippSkip();

describe('carriers: outbound through account resources, inbound from gateways (SIPp carriers)', { skip }, () => {
  let h: Harness;
  let p: Phones;
  const events: BusMessage[] = [];

  before(async () => {
    h = await startHarness(pglite(), { env: { SWITCHBOARD_LOG_LEVEL: 'silent' } });
    p = await provision(h, 'Acme', {
      devices: [{ username: 'alice' }, { username: 'bob' }],
      callflows: [{ number: '5550001111', device: 'bob' }],
    });
    const alice = p.devices.get('alice') ?? '';
    const res = await p.account.client.patch(`/v2/accounts/${p.account.accountId}/devices/${alice}`, {
      caller_id: { external: { name: 'Acme Sales', number: '+15551230000' } },
    });
    assert.equal(res.status, 200, res.text);
    const acct = await p.account.client.patch(`/v2/accounts/${p.account.accountId}`, { caller_id: { external: { name: 'Acme Inc', number: '+15553330000' } } });
    assert.equal(acct.status, 200, acct.text);
    const cf = await p.account.client.put(`/v2/accounts/${p.account.accountId}/callflows`, {
      numbers: ['7000'],
      flow: { module: 'resources', data: { to_did: '5550009999', timeout: 10 } },
    });
    assert.equal(cf.status, 201, cf.text);
    h.app.bus.subscribe('call.#', (m) => events.push(m));
  });

  after(async () => {
    await stopAllSipp();
    await h?.close();
  });

  const addResource = (doc: ResourceSpec): Promise<string> => addTo(p, doc);
  const removeResource = (id: string, ports: readonly number[]): Promise<void> => removeFrom(p, id, ports);
  const carrier = (scenario: string, vars: Record<string, string | number>): Promise<RunningSipp> => startCarrier(scenario, vars);

  test('an unowned number goes out through the cheapest matching carrier, fails over from a 503 gateway to one that challenges, RTP both ways, device caller id', async () => {
    events.length = 0;
    const failing = await carrier('carrier-uas-fail.xml', {});
    const good = await carrier('carrier-uas-auth.xml', { user: TRUNK.username, password: TRUNK.password, realm: TRUNK.realm });
    const backup = await addResource({
      name: 'Backup',
      weight_cost: 20,
      rules: [US],
      gateways: [{ server: '127.0.0.1', port: good.localPort, ...TRUNK, prefix: '+1' }],
    });
    const cheap = await addResource({ name: 'Cheap', weight_cost: 10, rules: [US], gateways: [{ server: '127.0.0.1', port: failing.localPort }] });
    try {
      const alice = await call(p, 'alice', '15550001234', 'uac-call.xml', { vars: { hold_ms: 2500 } });
      const [failed, answered] = await Promise.all([failing.done, good.done]);
      assert.equal(alice.exitCode, 0, explainSipp(alice));
      assert.equal(failed.exitCode, 0, explainSipp(failed));
      assert.equal(answered.exitCode, 0, explainSipp(answered));
      assert.match(failed.logs, new RegExp(`carrier-invite ruri=sip:5550001234@127\\.0\\.0\\.1:${failing.localPort}`));
      assert.match(answered.logs, new RegExp(`carrier-invite ruri=sip:\\+15550001234@127\\.0\\.0\\.1:${good.localPort}`));
      assert.match(answered.logs, /carrier-auth true/);
      assert.match(answered.logs, /from= *"Acme Sales" <sip:\+15551230000@/);
      assert.ok((alice.rtp?.received ?? 0) > 20, `alice heard ${alice.rtp?.received} packets`);
      assert.ok((answered.rtp?.received ?? 0) > 20, `the carrier heard ${answered.rtp?.received} packets`);
      await settled(h);
      const outbound = events.filter((e) => e.payload['call_direction'] === 'outbound' && e.payload['event_name'] === 'CHANNEL_DESTROY');
      assert.deepEqual(
        outbound.map((e) => [ccv(e)['authorizing_type'], ccv(e)['authorizing_id'], e.payload['hangup_cause']]),
        [
          ['resource', cheap, 'NORMAL_TEMPORARY_FAILURE'],
          ['resource', backup, 'NORMAL_CLEARING'],
        ],
      );
    } finally {
      await removeResource(cheap, [failing.localPort]);
      await removeResource(backup, [good.localPort]);
    }
  });

  test("a gateway that never answers or challenges in another realm is skipped; the account's caller id is presented", async () => {
    events.length = 0;
    const silent: Socket = createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
    const silentPort = silent.address().port;
    const wrongRealm = await carrier('carrier-uas-auth.xml', { user: TRUNK.username, password: TRUNK.password, realm: 'elsewhere.test' });
    const good = await carrier('carrier-uas-auth.xml', { user: TRUNK.username, password: TRUNK.password, realm: TRUNK.realm });
    const id = await addResource({
      name: 'Flaky',
      rules: ['^(\\d{7,})$'],
      gateways: [
        { server: '127.0.0.1', port: silentPort, progress_timeout: 1 },
        { server: '127.0.0.1', port: wrongRealm.localPort, ...TRUNK },
        { server: '127.0.0.1', port: good.localPort, ...TRUNK },
      ],
    });
    try {
      const bob = await call(p, 'bob', '5550002222', 'uac-call.xml', { vars: { hold_ms: 1500 } });
      const [refused, answered] = await Promise.all([wrongRealm.done, good.done]);
      assert.equal(bob.exitCode, 0, explainSipp(bob));
      assert.equal(refused.exitCode, 0, explainSipp(refused));
      assert.equal(answered.exitCode, 0, explainSipp(answered));
      assert.match(refused.logs, /carrier-unanswered/);
      assert.doesNotMatch(refused.logs, /carrier-auth/);
      assert.match(answered.logs, /carrier-auth true/);
      assert.match(answered.logs, /from= *"Acme Inc" <sip:\+15553330000@/);
      assert.ok((bob.rtp?.received ?? 0) > 10 && (answered.rtp?.received ?? 0) > 10);
      await settled(h);
      const outbound = events.filter((e) => e.payload['call_direction'] === 'outbound' && e.payload['event_name'] === 'CHANNEL_DESTROY');
      assert.deepEqual(
        outbound.map((e) => e.payload['hangup_cause']),
        ['RECOVERY_ON_TIMER_EXPIRE', 'NORMAL_UNSPECIFIED', 'NORMAL_CLEARING'],
        'silent gateway timed out, wrong-realm challenge refused, third gateway answered',
      );
    } finally {
      silent.close();
      await removeResource(id, [silentPort, wrongRealm.localPort, good.localPort]);
    }
  });

  test("a callflow's resources module sends its to_did out; every gateway failing gives the caller 500 (RFC 3261 §16.7: a lone 503 is not passed on); an unmatched number stays 404", async () => {
    const failing = await carrier('carrier-uas-fail.xml', {});
    const id = await addResource({ name: 'Only', rules: ['^(555000\\d{4})$'], gateways: [{ server: '127.0.0.1', port: failing.localPort }] });
    try {
      const alice = await call(p, 'alice', '7000', 'uac-expect-failure.xml', { vars: { expected_code: 500 } });
      const failed = await failing.done;
      assert.equal(alice.exitCode, 0, explainSipp(alice));
      assert.equal(failed.exitCode, 0, explainSipp(failed));
      assert.match(failed.logs, /carrier-invite ruri=sip:5550009999@/);
      const unknown = await call(p, 'alice', '4444', 'uac-expect-failure.xml', { vars: { expected_code: 404 } });
      assert.equal(unknown.exitCode, 0, explainSipp(unknown));
      await settled(h);
    } finally {
      await removeResource(id, [failing.localPort]);
    }
  });

  test("an INVITE from a carrier's gateway address reaches the DID's phone without digest; an unknown DID is 404, never sent back out", async () => {
    events.length = 0;
    const port = await freePort('127.0.0.1', 'udp');
    const id = await addResource({ name: 'Inbound', rules: [US], gateways: [{ server: '127.0.0.1', port }] });
    try {
      const bob = await phone(p, 'bob', 'uas-answer.xml');
      const inbound = await runSipp({
        scenario: 'carrier-uac-did.xml',
        remote: p.remote,
        localPort: port,
        timeoutSec: 20,
        countRtp: true,
        vars: { did: '5550001111', domain: '127.0.0.1', caller: '+15557654321', hold_ms: 2000 },
      });
      const callee = await bob.done;
      assert.equal(inbound.exitCode, 0, explainSipp(inbound));
      assert.equal(callee.exitCode, 0, explainSipp(callee));
      assert.ok((inbound.rtp?.received ?? 0) > 20, `the carrier heard ${inbound.rtp?.received} packets`);
      assert.ok((callee.rtp?.received ?? 0) > 20, `bob heard ${callee.rtp?.received} packets`);
      await settled(h);
      const create = events.find((e) => e.payload['call_direction'] === 'inbound' && e.payload['event_name'] === 'CHANNEL_CREATE');
      assert.ok(create !== undefined);
      assert.equal(ccv(create)['authorizing_type'], 'resource');
      assert.equal(ccv(create)['authorizing_id'], id);
      assert.equal(create?.payload['caller_id_number'], '+15557654321');

      const unknown = await runSipp({
        scenario: 'uac-expect-failure.xml',
        remote: p.remote,
        localPort: port,
        timeoutSec: 10,
        vars: { user: '+15557654321', domain: '127.0.0.1', ext: '5550008888', expected_code: 404 },
      });
      assert.equal(unknown.exitCode, 0, explainSipp(unknown));
      await settled(h);
    } finally {
      await removeResource(id, [port]);
    }
  });
});
