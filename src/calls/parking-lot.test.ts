import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBus, type BusMessage } from '../bus/index.ts';
import { ClosedError, FakeClock, silentLogger } from '../lib/index.ts';
import { MediaEngine, TONES } from '../media/index.ts';
import { CallNotifier } from './call-notifier.ts';
import { Channel, type ChannelProfile } from './channel.ts';
import { ParkingLots, SlotOccupied } from './parking-lot.ts';

const ACCOUNT = 'acct-1';

function profile(uuid: string, extra: Partial<ChannelProfile> = {}): ChannelProfile {
  return {
    uuid,
    direction: 'inbound',
    accountId: ACCOUNT,
    realm: 'acme.test',
    callerIdName: `Caller ${uuid}`,
    callerIdNumber: uuid,
    calleeIdName: '*4',
    calleeIdNumber: '*4',
    destination: '*4',
    fromUri: `sip:${uuid}@acme.test`,
    toUri: 'sip:*4@acme.test',
    requestUri: 'sip:*4@acme.test',
    ...extra,
  };
}

describe('ParkingLot', () => {
  let engine: MediaEngine;
  let clock: FakeClock;
  let bus: MemoryBus;
  let events: BusMessage[];
  let lots: ParkingLots;
  let notifier: CallNotifier;

  before(() => {
    clock = new FakeClock(1_700_000_000_000);
    engine = new MediaEngine({ address: '127.0.0.1', portRange: { min: 0, max: 0 }, clock });
  });
  after(async () => {
    await engine.close();
  });

  const setup = () => {
    bus = new MemoryBus();
    events = [];
    bus.subscribe('call.#', (m) => events.push(m));
    notifier = new CallNotifier(bus, clock, silentLogger, 'test');
    lots = new ParkingLots({ notifier, clock, logger: silentLogger });
  };
  const channel = async (uuid: string, extra: Partial<ChannelProfile> = {}): Promise<Channel> => {
    const c = new Channel(profile(uuid, extra), await engine.createEndpoint(), clock, silentLogger);
    c.transition('answered');
    return c;
  };
  const park = (name: string) => events.filter((e) => e.payload['event_name'] === name).map((e) => [e.payload['call_id'], e.payload['parking_slot']]);

  test('calls take the lowest free slot from 1, are listed by slot and announced with PARK_PARKED', async () => {
    setup();
    const lot = lots.lot(ACCOUNT);
    const [a, b, c] = await Promise.all([channel('a'), channel('b'), channel('c')]);
    lot.park(a);
    lot.park(b, { slot: '3', parkedBy: { deviceId: 'dev-b', ownerId: 'user-b' }, ringbackId: 'dev-x' });
    lot.park(c);
    assert.deepEqual(lot.list().map((p) => [p.slot, p.channel.uuid]), [['1', 'a'], ['2', 'c'], ['3', 'b']]);
    assert.equal(lot.nextFreeSlot(), '4');
    assert.throws(() => lot.park(a, { slot: '2' }), SlotOccupied);
    assert.deepEqual(park('PARK_PARKED'), [['a', '1'], ['b', '3'], ['c', '2']]);
    const listed = lots.parked(ACCOUNT).find((i) => i.slot === '3');
    assert.deepEqual(listed, {
      slot: '3',
      callId: 'b',
      callerIdName: 'Caller b',
      callerIdNumber: 'b',
      fromUri: 'sip:b@acme.test',
      parkedAt: 1_700_000_000_000,
      parkedBy: { deviceId: 'dev-b', ownerId: 'user-b' },
      ringbackId: 'dev-x',
    });
    assert.deepEqual(lots.parked('another-account'), []);
    for (const ch of [a, b, c]) ch.hangup();
  });

  test('a parked call hears its music until retrieved; retrieval connects it, frees the slot and publishes PARK_RETRIEVED on the retriever', async () => {
    setup();
    const lot = lots.lot(ACCOUNT);
    const a = await channel('a');
    const r = await channel('r');
    const music = engine.createTonePlayer(TONES.ringbackUs);
    const parked = lot.park(a, { music });
    assert.equal(a.playing, true);
    const connected: string[] = [];
    assert.equal(lot.retrieve('1', (ch) => connected.push(ch.uuid), r), parked);
    assert.deepEqual(connected, ['a']);
    assert.equal(await parked.ended, 'retrieved');
    assert.equal(music.closed, true);
    assert.equal(a.playing, false);
    assert.equal(lot.size, 0);
    assert.equal(parked.retrieve(() => connected.push('again')), false, 'only once');
    assert.equal(lot.retrieve('1', () => connected.push('empty')), undefined);
    const retrieved = events.filter((e) => e.payload['event_name'] === 'PARK_RETRIEVED');
    assert.equal(retrieved.length, 1);
    assert.equal(retrieved[0]?.payload['call_id'], 'r');
    assert.equal(retrieved[0]?.payload['parked_call_id'], 'a');
    assert.equal(retrieved[0]?.payload['parking_slot'], '1');
    a.hangup();
    r.hangup();
    assert.deepEqual(park('PARK_ABANDONED'), [], 'a retrieved call that hangs up later is not abandoned');
  });

  test('a parked caller hanging up frees its slot at once and publishes PARK_ABANDONED after CHANNEL_DESTROY', async () => {
    setup();
    const lot = lots.lot(ACCOUNT);
    const a = await channel('a');
    notifier.track(a);
    const parked = lot.park(a, { music: engine.createTonePlayer(TONES.ringbackUs) });
    a.ended('NORMAL_CLEARING');
    assert.equal(await parked.ended, 'abandoned');
    assert.equal(lot.occupant('1'), undefined);
    assert.deepEqual(park('PARK_ABANDONED'), [['a', '1']]);
    assert.deepEqual(events.map((e) => e.payload['event_name']), ['CHANNEL_CREATE', 'PARK_PARKED', 'CHANNEL_DESTROY', 'PARK_ABANDONED']);
    assert.equal(engine.stats().sources, 0, 'the music stopped');
  });

  test('closing the lots releases every call without hanging it up, refuses new parks and is idempotent', async () => {
    setup();
    const a = await channel('a');
    const parked = lots.lot(ACCOUNT).park(a, { music: engine.createTonePlayer(TONES.ringbackUs) });
    lots.close();
    lots.close();
    assert.equal(lots.closed, true);
    assert.equal(await parked.ended, 'released');
    assert.equal(a.closed, false);
    assert.equal(a.playing, false);
    assert.throws(() => lots.lot(ACCOUNT), ClosedError);
    a.hangup();
    assert.equal(clock.pending, 0);
  });
});
