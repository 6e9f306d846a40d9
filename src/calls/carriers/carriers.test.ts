import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock, silentLogger } from '../../lib/index.ts';
import { MediaEngine } from '../../media/index.ts';
import type { StoredDoc } from '../../store/index.ts';
import type { CallContext } from '../call-context.ts';
import type { CallerSession } from '../caller-session.ts';
import { Channel, type ChannelProfile } from '../channel.ts';
import type { HangupCause } from '../hangup-cause.ts';
import { Carriers } from './carriers.ts';
import { ResourceCatalog } from './resource-catalog.ts';
import { channelProfile } from '../../../test/support/channel-profile.ts';

const doc = (id: string, type: string, fields: Record<string, unknown>): StoredDoc => ({
  _id: id,
  _rev: '1-a',
  pvt_type: type,
  pvt_account_id: 'acct',
  pvt_created: 1,
  pvt_modified: 1,
  ...fields,
});

const US = '^\\+?1?(\\d{10})$';
const ACCOUNT = doc('acct', 'account', { caller_id: { external: { name: 'Acme Inc', number: '+15553330000' } } });
const DEVICES = new Map([
  ['dev-sales', doc('dev-sales', 'device', { caller_id: { external: { name: 'Acme Sales', number: '+15551230000' } } })],
  ['dev-plain', doc('dev-plain', 'device', {})],
]);

const PROFILE: ChannelProfile = channelProfile({ uuid: 'chan' });

/** A session that records the failures it is told of. */
class RecordingSession implements CallerSession {
  readonly failures: [number, HangupCause][] = [];
  constructor(readonly channel: Channel) {}
  answer(): boolean {
    return false;
  }
  follow(): void {
    throw new Error('no dial expected');
  }
  bridge(): undefined {
    throw new Error('no bridge expected');
  }
  fail(status: number, cause: HangupCause): void {
    this.failures.push([status, cause]);
  }
}

describe('Carriers.route (transfer targets no callflow owns)', { timeout: 20_000 }, () => {
  let engine: MediaEngine;
  const clock = new FakeClock(Date.UTC(2026, 0, 1, 12, 0, 0));
  const resources = new Map<string, StoredDoc>();

  const carriers = async (): Promise<Carriers> => {
    const catalog = new ResourceCatalog({
      store: {
        get: async (id) => resources.get(id),
        list: async () => ({ docs: [...resources.values()] }),
      },
      logger: silentLogger,
    });
    await catalog.load();
    return new Carriers({
      // route() never dials, and the only dial below finds its caller gone before it would.
      calls: {} as unknown as CallContext,
      catalog,
      endpoints: {
        account: async (id) => (id === ACCOUNT._id ? ACCOUNT : undefined),
        device: async (_account, id) => DEVICES.get(id),
        user: async () => undefined,
      },
      logger: silentLogger,
    });
  };

  const channel = async (profile: Partial<ChannelProfile>): Promise<Channel> =>
    new Channel({ ...PROFILE, uuid: `chan-${Math.random().toString(16).slice(2)}`, ...profile }, await engine.createEndpoint(), clock, silentLogger);

  before(() => {
    engine = new MediaEngine({ address: '127.0.0.1', portRange: { min: 0, max: 0 }, clock, logger: silentLogger });
  });

  after(async () => {
    await engine.close();
  });

  test("a phone's transfer to a number a resource's rules match has a carrier route", async () => {
    resources.clear();
    resources.set('r1', doc('r1', 'resource', { rules: [US], gateways: [{ server: '192.0.2.1', port: 5060 }] }));
    const c = await carriers();
    const phone = await channel({ authorizingType: 'device', authorizingId: 'dev-plain' });
    assert.ok(await c.route(ACCOUNT, '+15551234567', phone));
    assert.equal(await c.route(ACCOUNT, '1001', phone), undefined, 'no rule matches an extension');
    phone.hangup();
  });

  test('the caller id checked against cid_rules is the transferor’s external one: device, else account', async () => {
    resources.clear();
    resources.set('r1', doc('r1', 'resource', { rules: [US], cid_rules: ['^\\+1555123'], gateways: [{ server: '192.0.2.1', port: 5060 }] }));
    const c = await carriers();
    const sales = await channel({ authorizingType: 'device', authorizingId: 'dev-sales' });
    const plain = await channel({ authorizingType: 'device', authorizingId: 'dev-plain' });
    assert.ok(await c.route(ACCOUNT, '+15551234567', sales), 'the device external +15551230000 is allowed');
    assert.equal(await c.route(ACCOUNT, '+15551234567', plain), undefined, 'the account external +15553330000 is not');
    sales.hangup();
    plain.hangup();
  });

  test('a transferor that is not a phone (a carrier leg) never sends a call out: no toll relay', async () => {
    resources.clear();
    resources.set('r1', doc('r1', 'resource', { rules: [US], gateways: [{ server: '192.0.2.1', port: 5060 }] }));
    const c = await carriers();
    const trunk = await channel({ authorizingType: 'resource', authorizingId: 'r1' });
    assert.equal(await c.route(ACCOUNT, '+15551234567', trunk), undefined);
    trunk.hangup();
  });

  test('a route dialed for a caller that already left neither dials nor fails it', async () => {
    resources.clear();
    resources.set('r1', doc('r1', 'resource', { rules: [US], gateways: [{ server: '192.0.2.1', port: 5060 }] }));
    const c = await carriers();
    const phone = await channel({ authorizingType: 'device', authorizingId: 'dev-plain' });
    const transferee = await channel({});
    const call = await c.route(ACCOUNT, '+15551234567', phone);
    assert.ok(call);
    transferee.hangup();
    const session = new RecordingSession(transferee);
    await call.dial(session);
    assert.deepEqual(session.failures, []);
    phone.hangup();
  });
});
