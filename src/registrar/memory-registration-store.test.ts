import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../lib/index.ts';
import { MemoryRegistrationStore } from './index.ts';
import type { Binding, BindingChange } from './index.ts';

function binding(clock: FakeClock, contact: string, o: Partial<Binding> = {}): Binding {
  return {
    aor: 'sip:alice@acme.test',
    contact,
    params: {},
    expiresAt: clock.now() + 60_000,
    callId: 'c1',
    cseq: 1,
    source: { transport: 'udp', address: '10.0.0.5', port: 5060 },
    path: [],
    accountId: 'acc',
    deviceId: 'dev',
    username: 'alice',
    realm: 'acme.test',
    registeredAt: clock.now(),
    ...o,
  };
}

test('contactsFor lists live bindings, highest q first, then newest first', () => {
  const clock = new FakeClock();
  const store = new MemoryRegistrationStore({ clock });
  store.update('acc', 'dev', () => [
    binding(clock, 'sip:a@h', { registeredAt: 1 }),
    binding(clock, 'sip:b@h', { registeredAt: 2 }),
    binding(clock, 'sip:c@h', { q: 0.5, registeredAt: 3 }),
    binding(clock, 'sip:d@h', { q: 1, registeredAt: 0 }),
  ]);
  assert.deepEqual(store.contactsFor('acc', 'dev').map((b) => b.contact), ['sip:b@h', 'sip:a@h', 'sip:d@h', 'sip:c@h']);
  assert.deepEqual(store.contactsFor('acc', 'other'), []);
  assert.equal(store.count, 4);
  assert.equal(store.all().length, 4);
  store.close();
});

test('one timer sweeps expired bindings and reports the devices that changed', () => {
  const clock = new FakeClock();
  const store = new MemoryRegistrationStore({ clock });
  const changes: BindingChange[] = [];
  store.on('change', (c) => changes.push(c));
  store.update('acc', 'dev', () => [binding(clock, 'sip:a@h', { expiresAt: clock.now() + 10_000 }), binding(clock, 'sip:b@h', { expiresAt: clock.now() + 20_000 })]);
  store.update('acc', 'dev2', () => [binding(clock, 'sip:c@h', { deviceId: 'dev2', expiresAt: clock.now() + 5_000 })]);
  assert.equal(clock.pending, 1);
  clock.advance(5_000);
  assert.deepEqual(changes.slice(2).map((c) => [c.deviceId, c.reason, c.bindings.length]), [['dev2', 'expire', 0]]);
  clock.advance(5_000);
  assert.deepEqual(store.contactsFor('acc', 'dev').map((b) => b.contact), ['sip:b@h']);
  clock.advance(10_000);
  assert.equal(store.count, 0);
  assert.deepEqual(changes.map((c) => c.reason), ['update', 'update', 'expire', 'expire', 'expire']);
  assert.equal(clock.pending, 0, 'no sweep left once nothing is registered');
  store.close();
});

test('an update that throws changes nothing, and removeDevice reports the removal', () => {
  const clock = new FakeClock();
  const store = new MemoryRegistrationStore({ clock });
  store.update('acc', 'dev', () => [binding(clock, 'sip:a@h')]);
  assert.throws(() => store.update('acc', 'dev', () => { throw new Error('abort'); }), /abort/);
  assert.equal(store.contactsFor('acc', 'dev').length, 1);
  const reasons: string[] = [];
  store.on('change', (c) => reasons.push(c.reason));
  store.removeDevice('acc', 'dev');
  store.removeDevice('acc', 'dev');
  assert.deepEqual(reasons, ['remove']);
  assert.equal(store.count, 0);
  store.close();
});

test('close clears the sweep timer, is idempotent and refuses updates afterwards', () => {
  const clock = new FakeClock();
  const store = new MemoryRegistrationStore({ clock });
  store.update('acc', 'dev', () => [binding(clock, 'sip:a@h')]);
  assert.equal(clock.pending, 1);
  store.close();
  store.close();
  assert.equal(store.closed, true);
  assert.equal(clock.pending, 0);
  assert.deepEqual(store.contactsFor('acc', 'dev'), []);
  assert.throws(() => store.update('acc', 'dev', () => []), { code: 'closed' });
});
