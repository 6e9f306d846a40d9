import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Channel, type ChannelProfile } from '../../calls/index.ts';
import { FakeClock, silentLogger } from '../../lib/index.ts';
import { MediaEngine } from '../../media/index.ts';
import { ChannelListing } from './channel-listing.ts';
import { channelSummary, channelSummaryJson } from './channel-views.ts';

const PROFILE: ChannelProfile = {
  uuid: 'leg',
  direction: 'inbound',
  accountId: 'acct',
  realm: 'acme.test',
  callerIdName: 'Zoë "Z" Ünal ☎',
  callerIdNumber: '1001',
  calleeIdName: '2001',
  calleeIdNumber: '2001',
  destination: '2001',
  username: 'zoë',
  authorizingId: 'dev1',
  authorizingType: 'device',
  ownerId: 'user1',
  presenceId: 'zoë@acme.test',
  fromUri: 'sip:1001@acme.test',
  toUri: 'sip:2001@acme.test',
  requestUri: 'sip:2001@acme.test',
  fromTag: 'ft"1',
};

describe('ChannelListing', { timeout: 20_000 }, () => {
  let engine: MediaEngine;
  let clock: FakeClock;
  const open: Channel[] = [];

  before(() => {
    clock = new FakeClock(Date.UTC(2026, 0, 1, 12, 0, 0));
    engine = new MediaEngine({ address: '127.0.0.1', portRange: { min: 0, max: 0 }, clock, logger: silentLogger });
  });
  after(async () => {
    for (const c of open) c.hangup();
    await engine.close();
  });

  let n = 0;
  const leg = async (profile: Partial<ChannelProfile> = {}): Promise<Channel> => {
    const c = new Channel({ ...PROFILE, uuid: `leg-${++n}@host`, ...profile }, await engine.createEndpoint(), clock, silentLogger);
    open.push(c);
    return c;
  };
  /** What the listing returned before the cache: the summaries through JSON.stringify. */
  const expected = (channels: readonly Channel[]): string => JSON.stringify(channels.filter((c) => !c.closed).map((c) => channelSummary(c, clock.now())));
  const actual = (listing: ChannelListing, channels: readonly Channel[]): string => listing.json(channels, clock.now()).bytes.toString('utf8');

  /** Legs in every state a listing shows: new, ringing, early, answered, bridged, on hold, re-bridged, with odd custom vars. */
  const legsInStates = async (): Promise<{ all: Channel[]; ringing: Channel; a: Channel; b: Channel; c: Channel; lone: Channel }> => {
    const fresh = await leg({ direction: 'outbound', username: undefined, ownerId: undefined, presenceId: undefined, fromTag: undefined });
    const ringing = await leg();
    ringing.ringing();
    const early = await leg({ callflowId: 'cf1' });
    early.early();
    const lone = await leg({ customChannelVars: { elapsed_s: 0, nested: { elapsed_s: 0, list: [1, '"elapsed_s":0'] }, emoji: '😀' } });
    lone.setToTag('tt-lone');
    lone.transition('answered');
    const [a, b, c] = [await leg(), await leg({ direction: 'outbound' }), await leg()];
    for (const x of [a, b, c]) x.transition('answered');
    a.bridgedTo(b, a.uuid);
    b.bridgedTo(a, a.uuid);
    b.setOnHold(true);
    // A re-bridge: a's peer becomes c (as after a transfer), b is left alone.
    a.bridgedTo(c, 'bridge-2');
    c.bridgedTo(a, 'bridge-2');
    b.bridgedTo(undefined, undefined);
    return { all: [fresh, ringing, early, lone, a, b, c], ringing, a, b, c, lone };
  };

  test('the listing is byte for byte JSON.stringify of the summaries, for legs in every state', async () => {
    const { all } = await legsInStates();
    clock.advance(12_345);
    const listing = new ChannelListing();
    assert.equal(actual(listing, all), expected(all));
    assert.equal(actual(listing, all), expected(all), 'the second, cached answer too');
    assert.equal(listing.built, all.length, 'each leg serialised once');
  });

  test('a leg is serialised again after any change a summary shows, and only then', async () => {
    const { all, ringing, a, b, c, lone } = await legsInStates();
    const listing = new ChannelListing();
    assert.equal(actual(listing, all), expected(all));
    const changes: [string, () => void][] = [
      ['answer', () => ringing.transition('answered')],
      ['to-tag', () => ringing.setToTag('tt-new')],
      ['hold', () => a.setOnHold(true)],
      ['unhold', () => b.setOnHold(false)],
      ['bridge', () => {
        b.bridgedTo(lone, 'bridge-3');
        lone.bridgedTo(b, 'bridge-3');
      }],
      ['unbridge', () => {
        a.bridgedTo(undefined, undefined);
        c.bridgedTo(undefined, undefined);
      }],
      ['re-bridge', () => {
        a.bridgedTo(c, 'bridge-4');
        c.bridgedTo(a, 'bridge-4');
      }],
    ];
    for (const [name, change] of changes) {
      const before = actual(listing, all);
      const built = listing.built;
      change();
      assert.equal(actual(listing, all), expected(all), `after ${name}`);
      assert.notEqual(actual(listing, all), before, `${name} changes the listing`);
      assert.ok(listing.built > built, `${name} serialised the changed legs again`);
    }
    const built = listing.built;
    clock.advance(5_000);
    assert.equal(actual(listing, all), expected(all), 'elapsed_s follows the clock');
    assert.equal(listing.built, built, 'time alone serialises nothing again');
  });

  test('a listing taken by a stateChanged listener, before the answer time is set, is not kept', async () => {
    const c = await leg();
    c.ringing();
    const listing = new ChannelListing();
    const during: string[] = [];
    c.on('stateChanged', () => during.push(actual(listing, [c])));
    c.transition('answered');
    assert.equal(during.length, 1);
    assert.equal(actual(listing, [c]), expected([c]));
    assert.equal((JSON.parse(actual(listing, [c])) as Record<string, unknown>[])[0]?.['answered'], true);
  });

  test('hung-up legs are left out', async () => {
    const { all, b } = await legsInStates();
    const listing = new ChannelListing();
    actual(listing, all);
    b.hangup();
    assert.equal(actual(listing, all), expected(all));
    assert.equal((JSON.parse(actual(listing, all)) as unknown[]).length, all.length - 1);
  });

  test('no legs give an empty array', () => {
    assert.equal(actual(new ChannelListing(), []), '[]');
  });

  test('channelSummaryJson splits at the top-level elapsed_s even when a custom variable has that name', async () => {
    const c = await leg({ customChannelVars: { elapsed_s: 0 } });
    clock.advance(3_000);
    const { head, tail } = channelSummaryJson(c);
    assert.equal(`${head}3${tail}`, JSON.stringify(channelSummary(c, clock.now())));
    assert.match(head, /"custom_channel_vars":\{"elapsed_s":0,/);
  });
});
