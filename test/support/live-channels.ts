// The switch's live channels as end-to-end tests look at them: a phone's leg, and the drain after a call.
import assert from 'node:assert/strict';
import type { Channel, ChannelDirection, ChannelState } from '../../src/calls/index.ts';
import type { Harness } from './api-harness.ts';
import { eventually } from './wait.ts';

/** Which of a phone's legs: every field given must match. */
export interface LegFilter {
  readonly direction?: ChannelDirection;
  /** The username of the leg it is bridged to. */
  readonly peer?: string;
  readonly state?: ChannelState;
  /** Only a leg bridged to another one. */
  readonly bridged?: boolean;
}

/** The open leg of the phone `username` that matches `filter`, if any. */
export function legOf(h: Harness, username: string, filter: LegFilter = {}): Channel | undefined {
  return h.app.switch.channels
    .all()
    .find(
      (c) =>
        !c.closed &&
        c.profile.username === username &&
        (filter.direction === undefined || c.profile.direction === filter.direction) &&
        (filter.peer === undefined || c.otherLeg?.profile.username === filter.peer) &&
        (filter.state === undefined || c.state === filter.state) &&
        (filter.bridged === undefined || (c.otherLeg !== undefined) === filter.bridged),
    );
}

/** Waits up to `ms` for `legOf` to find a leg, and returns it. */
export async function waitLeg(h: Harness, username: string, filter: LegFilter = {}, ms = 5000): Promise<Channel> {
  await eventually(() => legOf(h, username, filter) !== undefined, ms);
  const leg = legOf(h, username, filter);
  assert.ok(leg !== undefined, `no leg of ${username} matching ${JSON.stringify(filter)}`);
  return leg;
}

/** Waits until the switch has no channel left (up to `channelsMs`), then no media endpoint (up to `endpointsMs`). */
export async function settled(h: Harness, channelsMs = 3000, endpointsMs = 3000): Promise<void> {
  await eventually(() => h.app.switch.channels.size === 0, channelsMs);
  await eventually(() => h.app.switch.engine.stats().endpoints === 0, endpointsMs);
}
