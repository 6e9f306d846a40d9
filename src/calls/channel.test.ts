import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock, silentLogger, toGregorian } from '../lib/index.ts';
import { MediaEngine } from '../media/index.ts';
import type { Dialog } from '../sip/index.ts';
import { Channel, CHANNEL_STATES, IllegalChannelTransition, type ChannelProfile, type ChannelSignalling, type ChannelState } from './channel.ts';
import type { HangupCause } from './hangup-cause.ts';
import { channelProfile } from '../../test/support/channel-profile.ts';

const PROFILE: ChannelProfile = channelProfile({ uuid: 'chan-1' });

/** docs/calls.md "Channel state": every move the table allows. */
const LEGAL: Readonly<Record<ChannelState, readonly ChannelState[]>> = {
  new: ['ringing', 'early', 'answered', 'hungup'],
  ringing: ['early', 'answered', 'hungup'],
  early: ['answered', 'hungup'],
  answered: ['hungup'],
  hungup: [],
};

/** The path from `new` that reaches `state` through legal moves. */
const PATH: Readonly<Record<ChannelState, readonly ChannelState[]>> = {
  new: [],
  ringing: ['ringing'],
  early: ['ringing', 'early'],
  answered: ['ringing', 'early', 'answered'],
  hungup: ['hungup'],
};

/** One move; the end of a channel goes through hangup(), which performs the `→ hungup` transition. */
function move(c: Channel, to: ChannelState): void {
  if (to === 'hungup') c.hangup();
  else c.transition(to);
}

/** Records what the channel asked its SIP side to do. */
class FakeSignalling implements ChannelSignalling {
  readonly dialog: Dialog | undefined = undefined;
  readonly ends: HangupCause[] = [];
  throwOnEnd = false;
  end(cause: HangupCause): void {
    this.ends.push(cause);
    if (this.throwOnEnd) throw new Error('signalling broke');
  }
}

describe('Channel', { timeout: 20_000 }, () => {
  let engine: MediaEngine;
  let clock: FakeClock;

  before(() => {
    clock = new FakeClock(Date.UTC(2026, 0, 1, 12, 0, 0));
    engine = new MediaEngine({ address: '127.0.0.1', portRange: { min: 0, max: 0 }, clock, logger: silentLogger });
  });

  after(async () => {
    await engine.close();
  });

  const channel = async (profile: Partial<ChannelProfile> = {}): Promise<Channel> => {
    const media = await engine.createEndpoint();
    return new Channel({ ...PROFILE, uuid: `chan-${Math.random().toString(16).slice(2)}`, ...profile }, media, clock, silentLogger);
  };

  /** Ends a channel reached through `path` (or left in `new`) so its endpoint is released. */
  const reach = async (state: ChannelState): Promise<Channel> => {
    const c = await channel();
    for (const step of PATH[state]) move(c, step);
    assert.equal(c.state, state);
    return c;
  };

  test('a new channel is in state new, unanswered, open, with a Gregorian timestamp of its creation', async () => {
    const c = await channel();
    assert.equal(c.state, 'new');
    assert.equal(c.answered, false);
    assert.equal(c.closed, false);
    assert.equal(c.createdAt, clock.now());
    assert.equal(c.timestamp, toGregorian(clock.now()));
    assert.equal(c.timestamp, Math.floor(clock.now() / 1000) + 62167219200);
    c.hangup();
  });

  for (const from of CHANNEL_STATES) {
    for (const to of LEGAL[from]) {
      test(`${from} → ${to} is allowed and reported as stateChanged`, async () => {
        const c = await reach(from);
        const changes: [ChannelState, ChannelState][] = [];
        c.on('stateChanged', (a, b) => changes.push([a, b]));
        move(c, to);
        assert.equal(c.state, to);
        assert.deepEqual(changes, [[from, to]]);
        c.hangup();
      });
    }
    for (const to of CHANNEL_STATES.filter((s) => s !== from && !LEGAL[from].includes(s))) {
      test(`${from} → ${to} throws IllegalChannelTransition and changes nothing`, async () => {
        const c = await reach(from);
        let changed = false;
        c.on('stateChanged', () => {
          changed = true;
        });
        assert.throws(() => c.transition(to), IllegalChannelTransition);
        assert.equal(c.state, from);
        assert.equal(changed, false);
        c.hangup();
      });
    }
  }

  test('a transition to the current state is a no-op without an event', async () => {
    const c = await reach('ringing');
    let events = 0;
    c.on('stateChanged', () => events++);
    c.transition('ringing');
    assert.equal(events, 0);
    c.hangup();
  });

  test('answering records the answer time once and emits answered', async () => {
    const c = await reach('ringing');
    let answered = 0;
    c.on('answered', () => answered++);
    clock.advance(1500);
    c.transition('answered');
    assert.equal(c.answered, true);
    assert.equal(c.answeredAt, clock.now());
    assert.equal(answered, 1);
    c.hangup();
  });

  test('ringing() and early() only move forward', async () => {
    const c = await channel();
    c.ringing();
    assert.equal(c.state, 'ringing');
    c.early();
    assert.equal(c.state, 'early');
    c.ringing();
    assert.equal(c.state, 'early', 'ringing() after early media');
    c.transition('answered');
    c.early();
    c.ringing();
    assert.equal(c.state, 'answered');
    c.hangup();
    c.early();
    c.ringing();
    assert.equal(c.state, 'hungup');
  });

  test('hangup() ends the SIP side once, emits closed exactly once with the cause, and closes the media endpoint', async () => {
    const c = await reach('answered');
    const signalling = new FakeSignalling();
    c.setSignalling(signalling);
    const closed: HangupCause[] = [];
    c.on('closed', (cause) => closed.push(cause));
    c.hangup('USER_BUSY');
    c.hangup('NORMAL_CLEARING');
    c.ended('NO_ANSWER');
    assert.deepEqual(signalling.ends, ['USER_BUSY']);
    assert.deepEqual(closed, ['USER_BUSY']);
    assert.equal(c.hangupCause, 'USER_BUSY');
    assert.equal(c.state, 'hungup');
    assert.equal(c.closed, true);
    assert.equal(c.media.closed, true);
  });

  test('hangup() defaults to NORMAL_CLEARING', async () => {
    const c = await channel();
    c.hangup();
    assert.equal(c.hangupCause, 'NORMAL_CLEARING');
  });

  test('ended() (the far end hung up) sends nothing and emits closed once; a later hangup() is ignored', async () => {
    const c = await reach('early');
    const signalling = new FakeSignalling();
    c.setSignalling(signalling);
    let closed = 0;
    c.on('closed', () => closed++);
    c.ended('ORIGINATOR_CANCEL');
    c.hangup('NORMAL_CLEARING');
    c.ended('NORMAL_CLEARING');
    assert.deepEqual(signalling.ends, []);
    assert.equal(closed, 1);
    assert.equal(c.hangupCause, 'ORIGINATOR_CANCEL');
  });

  test('a throwing signalling or closed listener does not stop the channel from ending', async () => {
    const c = await reach('ringing');
    const signalling = new FakeSignalling();
    signalling.throwOnEnd = true;
    c.setSignalling(signalling);
    let second = 0;
    c.on('closed', () => {
      throw new Error('listener broke');
    });
    c.on('closed', () => second++);
    c.hangup('NO_ANSWER');
    assert.equal(c.closed, true);
    assert.equal(c.media.closed, true);
    assert.equal(second, 1);
  });

  test('timers started with after() fire once, can be cancelled, and are all cleared at hangup', async () => {
    const baseline = clock.pending;
    const c = await channel();
    const fired: string[] = [];
    c.after(1000, () => fired.push('a'));
    const b = c.after(2000, () => fired.push('b'));
    c.after(5000, () => fired.push('c'));
    c.after(9000, () => fired.push('d'));
    assert.ok(clock.pending >= baseline + 4, `pending ${clock.pending}`);
    clock.advance(1000);
    assert.deepEqual(fired, ['a']);
    c.cancelTimer(b);
    clock.advance(1500);
    assert.deepEqual(fired, ['a']);
    c.hangup('ALLOTTED_TIMEOUT');
    assert.equal(clock.pending, baseline, 'timers left after hangup');
    clock.advance(60_000);
    assert.deepEqual(fired, ['a'], 'a timer fired after hangup');
  });

  test('a timer that hangs the channel up (max duration) leaves no timer behind', async () => {
    const baseline = clock.pending;
    const c = await reach('answered');
    c.after(2000, () => c.hangup('ALLOTTED_TIMEOUT'));
    c.after(30_000, () => assert.fail('the ring timer outlived the call'));
    clock.advance(2000);
    assert.equal(c.hangupCause, 'ALLOTTED_TIMEOUT');
    assert.equal(clock.pending, baseline);
  });

  test('after the end: listeners are gone, DTMF is ignored, and the engine holds no endpoint for it', async () => {
    const c = await reach('answered');
    const digits: string[] = [];
    c.on('dtmf', (d) => digits.push(d));
    c.receivedDtmf('1', 100);
    c.hangup();
    c.receivedDtmf('2', 100);
    assert.deepEqual(digits, ['1']);
    assert.equal(c.listenerCount('dtmf'), 0);
    assert.equal(c.listenerCount('closed'), 0);
  });

  test('bridgedTo() records the peer and reports bridged, then unbridged', async () => {
    const a = await reach('answered');
    const b = await reach('answered');
    const seen: string[] = [];
    a.on('bridged', (o) => seen.push(`bridged ${o.uuid}`));
    a.on('unbridged', (o) => seen.push(`unbridged ${o.uuid}`));
    a.bridgedTo(b, 'bridge-1');
    assert.equal(a.otherLeg, b);
    assert.equal(a.bridgeId, 'bridge-1');
    a.bridgedTo(undefined, undefined);
    assert.equal(a.otherLeg, undefined);
    assert.deepEqual(seen, [`bridged ${b.uuid}`, `unbridged ${b.uuid}`]);
    a.hangup();
    b.hangup();
  });

  test('moving to hungup through transition() ends the channel like ended(): closed once, media closed, timers cleared', async () => {
    const baseline = clock.pending;
    const c = await reach('ringing');
    const signalling = new FakeSignalling();
    c.setSignalling(signalling);
    const closed: HangupCause[] = [];
    c.on('closed', (cause) => closed.push(cause));
    c.after(10_000, () => assert.fail('a timer outlived the channel'));
    c.transition('hungup');
    c.transition('hungup');
    assert.equal(c.state, 'hungup');
    assert.deepEqual(closed, ['NORMAL_CLEARING']);
    assert.deepEqual(signalling.ends, [], 'nothing is sent: the state says the leg is over');
    assert.equal(c.media.closed, true);
    assert.equal(clock.pending, baseline);
  });

  test('the SIP status that ended a channel is kept as its hangup code', async () => {
    const busy = await reach('ringing');
    busy.ended('USER_BUSY', 486);
    assert.equal(busy.hangupCode, 486);
    const ours = await reach('answered');
    ours.hangup('ALLOTTED_TIMEOUT');
    assert.equal(ours.hangupCode, undefined, 'a BYE of ours has no failure status');
    const rejected = await channel();
    rejected.hangup('CALL_REJECTED', 403);
    rejected.ended('USER_BUSY', 486);
    assert.equal(rejected.hangupCode, 403, 'the first end wins');
  });

  test('revision moves on every change a view shows, and only then', async () => {
    const c = await channel();
    const peer = await channel();
    let last = c.revision;
    const moved = (what: string): void => {
      assert.ok(c.revision > last, `${what} moves the revision`);
      last = c.revision;
    };
    const still = (what: string): void => assert.equal(c.revision, last, `${what} leaves the revision`);
    c.ringing();
    moved('ringing');
    c.ringing();
    still('ringing again');
    c.early();
    moved('early');
    c.setToTag('tt');
    moved('to-tag');
    c.transition('answered');
    moved('answer');
    c.bridgedTo(peer, c.uuid);
    moved('bridge');
    c.setOnHold(true);
    moved('hold');
    c.setOnHold(true);
    still('hold again');
    c.setOnHold(false);
    moved('unhold');
    c.bridgedTo(undefined, undefined);
    moved('unbridge');
    c.receivedDtmf('1', 100);
    c.formatChanged();
    still('DTMF and a format change');
    c.hangup();
    moved('hangup');
    peer.hangup();
  });

  test('every channel of this suite released its endpoint', () => {
    assert.equal(engine.stats().endpoints, 0);
  });
});
