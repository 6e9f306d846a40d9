import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StoredDoc } from '../../store/index.ts';
import type { ContactBinding, ContactLocator } from '../ports.ts';
import { EndpointTargets, type EndpointLookups } from './endpoint-targets.ts';

const doc = (id: string, type: string, fields: Record<string, unknown> = {}): StoredDoc => ({
  _id: id,
  _rev: '1',
  pvt_type: type,
  pvt_account_id: 'acct',
  pvt_created: 0,
  pvt_modified: 0,
  ...fields,
});

const account = doc('acct', 'account', { realm: 'acme.test' });
const devices = [
  doc('dev-alice', 'device', { name: 'Alice desk', sip: { username: 'alice' } }),
  doc('dev-bob', 'device', { name: 'Bob desk', sip: { username: 'bob' }, owner_id: 'user-bob' }),
  doc('dev-bob2', 'device', { name: 'Bob cell', sip: { username: 'bob2' }, owner_id: 'user-bob' }),
];
const users = [doc('user-bob', 'user')];
const callflows: Record<string, StoredDoc> = {
  '2001': doc('cf-1', 'callflow', { flow: { module: 'record_call', data: {}, children: { _: { module: 'device', data: { id: 'dev-alice', timeout: 5 } } } } }),
  '2002': doc('cf-2', 'callflow', { flow: { module: 'user', data: { id: 'user-bob' } } }),
  '2003': doc('cf-3', 'callflow', {
    flow: {
      module: 'ring_group',
      data: { strategy: 'single', timeout: 40, endpoints: [{ id: 'dev-alice', endpoint_type: 'device', timeout: 7 }, { id: 'user-bob', endpoint_type: 'user' }, { id: 'dev-bob' }] },
    },
  }),
  '2004': doc('cf-4', 'callflow', { flow: { module: 'voicemail', data: {} } }),
  '2005': doc('cf-5', 'callflow', { flow: { module: 'offnet', data: {} } }),
};

const lookups: EndpointLookups = {
  device: async (_a, id) => devices.find((d) => d._id === id),
  user: async (_a, id) => users.find((u) => u._id === id),
  devicesOfOwner: async (_a, owner) => devices.filter((d) => d['owner_id'] === owner),
  callflowFor: async (_a, number) => (callflows[number] === undefined ? undefined : { callflow: callflows[number], captures: [] }),
};
/** Every device has one registered contact, named after its username. */
const locator: ContactLocator = {
  contactsFor: (_a, deviceId): ContactBinding[] => {
    const user = ((devices.find((d) => d._id === deviceId)?.['sip'] ?? {}) as Record<string, string>)['username'];
    return user === undefined ? [] : [{ contact: `sip:${user}@10.0.0.9:5060`, source: { transport: 'udp', address: '10.0.0.9', port: 5060 } }];
  },
};
const targets = new EndpointTargets({ endpoints: lookups, locator });
const uris = (r: Awaited<ReturnType<EndpointTargets['resolve']>>): string[] => ('failure' in r ? [r.failure] : r.targets.map((t) => t.uri));

test("a device rings all its registered contacts; a user rings all the user's devices", async () => {
  assert.deepEqual(uris(await targets.resolve(account, { type: 'device', id: 'dev-alice' })), ['sip:alice@10.0.0.9:5060']);
  assert.deepEqual(uris(await targets.resolve(account, { type: 'user', id: 'user-bob' })), ['sip:bob@10.0.0.9:5060', 'sip:bob2@10.0.0.9:5060']);
  const bob = await targets.resolve(account, { type: 'device', id: 'dev-bob' });
  assert.ok(!('failure' in bob));
  assert.deepEqual(bob.targets[0]?.profile, { authorizingId: 'dev-bob', authorizingType: 'device', ownerId: 'user-bob', username: 'bob', presenceId: 'bob@acme.test', calleeIdName: 'Bob desk', calleeIdNumber: 'bob', destination: 'bob' });
});

test('a number is routed through its callflow: nodes that ring nothing are passed over, the module timeout is kept', async () => {
  const r = await targets.resolve(account, { type: 'number', number: '2001' });
  assert.ok(!('failure' in r));
  assert.deepEqual(r.targets.map((t) => t.uri), ['sip:alice@10.0.0.9:5060']);
  assert.equal(r.timeoutMs, 5000);
  assert.equal(r.callflowId, 'cf-1');
  assert.deepEqual(uris(await targets.resolve(account, { type: 'number', number: '2002' })), ['sip:bob@10.0.0.9:5060', 'sip:bob2@10.0.0.9:5060']);
});

test('a ring group rings its devices and users once each, with member ring times and the group strategy', async () => {
  const r = await targets.resolve(account, { type: 'number', number: '2003' });
  assert.ok(!('failure' in r));
  assert.equal(r.strategy, 'single');
  assert.equal(r.timeoutMs, 40_000);
  assert.deepEqual(r.targets.map((t) => `${t.uri} ${t.timeoutMs}`), ['sip:alice@10.0.0.9:5060 7000', 'sip:bob@10.0.0.9:5060 20000', 'sip:bob2@10.0.0.9:5060 20000']);
});

test('unknown numbers, devices and users, and flows that ring nothing, are UNALLOCATED_NUMBER', async () => {
  assert.deepEqual(uris(await targets.resolve(account, { type: 'number', number: '9999' })), ['UNALLOCATED_NUMBER']);
  assert.deepEqual(uris(await targets.resolve(account, { type: 'number', number: '2004' })), ['UNALLOCATED_NUMBER']);
  assert.deepEqual(uris(await targets.resolve(account, { type: 'device', id: 'nope' })), ['UNALLOCATED_NUMBER']);
  assert.deepEqual(uris(await targets.resolve(account, { type: 'user', id: 'nope' })), ['UNALLOCATED_NUMBER']);
});

test('a module registered as an extension point gives its own targets; a raw URI is rung as is', async () => {
  const withOffnet = new EndpointTargets({
    endpoints: lookups,
    locator,
    modules: { offnet: async () => ({ targets: [{ uri: 'sip:+15550100@carrier.test', profile: {} }], strategy: 'simultaneous' }) },
  });
  assert.deepEqual(uris(await withOffnet.resolve(account, { type: 'number', number: '2005' })), ['sip:+15550100@carrier.test']);
  const raw = await targets.resolve(account, { type: 'uri', uri: 'sip:1234@10.1.1.1:5070', destination: { transport: 'udp', address: '10.1.1.1', port: 5070 } });
  assert.ok(!('failure' in raw));
  assert.deepEqual(raw.targets[0], { uri: 'sip:1234@10.1.1.1:5070', destination: { transport: 'udp', address: '10.1.1.1', port: 5070 }, profile: { calleeIdName: '1234', calleeIdNumber: '1234', destination: '1234' } });
});
