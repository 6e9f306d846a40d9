import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBus, type BusMessage } from '../bus/index.ts';
import { FakeClock, silentLogger } from '../lib/index.ts';
import { MediaEngine } from '../media/index.ts';
import { CallNotifier } from './call-notifier.ts';
import { Channel, type ChannelProfile } from './channel.ts';
import { channelProfile } from '../../test/support/channel-profile.ts';

const PROFILE: ChannelProfile = channelProfile({ uuid: 'n-1' });

describe('CallNotifier', { timeout: 20_000 }, () => {
  let engine: MediaEngine;
  const clock = new FakeClock();

  before(() => {
    engine = new MediaEngine({ address: '127.0.0.1', portRange: { min: 0, max: 0 }, clock, logger: silentLogger });
  });

  after(async () => {
    await engine.close();
  });

  const setup = async (uuid: string): Promise<{ bus: MemoryBus; notifier: CallNotifier; channel: Channel; seen: BusMessage[] }> => {
    const bus = new MemoryBus();
    const seen: BusMessage[] = [];
    bus.subscribe('call.#', (m) => seen.push(m));
    const notifier = new CallNotifier(bus, clock, silentLogger, '9.9.9');
    const channel = new Channel({ ...PROFILE, uuid }, await engine.createEndpoint(), clock, silentLogger);
    return { bus, notifier, channel, seen };
  };

  test('a channel publishes CREATE, ANSWER, DTMF and exactly one DESTROY, in order, under its account', async () => {
    const { bus, notifier, channel, seen } = await setup('n-answered');
    notifier.track(channel);
    channel.transition('ringing');
    channel.transition('answered');
    channel.receivedDtmf('5', 120);
    channel.hangup('NORMAL_CLEARING');
    channel.hangup('USER_BUSY');
    channel.ended('NO_ANSWER');
    assert.deepEqual(seen.map((m) => m.payload['event_name']), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'DTMF', 'CHANNEL_DESTROY']);
    assert.deepEqual(seen.map((m) => m.routingKey.split('.').slice(0, 3).join('.')), [
      'call.acct.CHANNEL_CREATE',
      'call.acct.CHANNEL_ANSWER',
      'call.acct.DTMF',
      'call.acct.CHANNEL_DESTROY',
    ]);
    const dtmf = seen[2]?.payload;
    assert.equal(dtmf?.['dtmf_digit'], '5');
    assert.equal(dtmf?.['dtmf_duration'], 120);
    const destroy = seen[3]?.payload;
    assert.equal(destroy?.['hangup_cause'], 'NORMAL_CLEARING');
    assert.equal(destroy?.['channel_call_state'], 'HANGUP');
    assert.equal(destroy?.['app_version'], '9.9.9');
    await bus.close();
  });

  test('a bridge is reported with the inbound leg as A, whichever leg reports it', async () => {
    const a = await setup('n-a');
    const b = await setup('n-b');
    const outbound = new Channel({ ...PROFILE, uuid: 'n-b-out', direction: 'outbound' }, await engine.createEndpoint(), clock, silentLogger);
    a.notifier.track(a.channel);
    a.notifier.track(outbound);
    a.channel.bridgedTo(outbound, 'br');
    outbound.bridgedTo(a.channel, 'br');
    const bridges = a.seen.filter((m) => m.payload['event_name'] === 'CHANNEL_BRIDGE').map((m) => [m.payload['call_id'], m.payload['bridge_a_unique_id'], m.payload['bridge_b_unique_id']]);
    assert.deepEqual(bridges, [
      ['n-a', 'n-a', 'n-b-out'],
      ['n-b-out', 'n-a', 'n-b-out'],
    ]);
    a.channel.hangup();
    outbound.hangup();
    b.channel.hangup();
    await a.bus.close();
    await b.bus.close();
  });

  test('a closed bus makes publishing a no-op, not an error on the call path', async () => {
    const { bus, notifier, channel, seen } = await setup('n-closed-bus');
    notifier.track(channel);
    await bus.close();
    channel.transition('answered');
    assert.doesNotThrow(() => channel.hangup());
    assert.equal(channel.closed, true);
    assert.deepEqual(seen.map((m) => m.payload['event_name']), ['CHANNEL_CREATE']);
  });

  test('no channel of this suite holds an endpoint any more', () => {
    assert.equal(engine.stats().endpoints, 0);
  });
});
