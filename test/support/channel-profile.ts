// A channel profile for unit tests: alice (1001) calling 2001 in acme.test, inbound; give only
// what a test is about.
import type { ChannelProfile } from '../../src/calls/index.ts';

export function channelProfile(overrides: Partial<ChannelProfile> = {}): ChannelProfile {
  return {
    uuid: 'chan-1',
    direction: 'inbound',
    accountId: 'acct',
    realm: 'acme.test',
    callerIdName: 'Alice',
    callerIdNumber: '1001',
    calleeIdName: '2001',
    calleeIdNumber: '2001',
    destination: '2001',
    fromUri: 'sip:1001@acme.test',
    toUri: 'sip:2001@acme.test',
    requestUri: 'sip:2001@acme.test',
    ...overrides,
  };
}
