import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { callerIdType, presentedCallerId } from './caller-id.ts';
import { offnetOptions } from './offnet-options.ts';

const own = { name: 'alice', number: '1001' };
const device = { caller_id: { external: { number: '+15551110000' }, internal: { name: 'Alice Desk', number: '2001' } } };
const owner = { caller_id: { external: { name: 'Alice Smith', number: '+15552220000' } } };
const account = { caller_id: { external: { name: 'Acme', number: '+15553330000' }, emergency: { number: '+15559110000' } } };

describe('presentedCallerId', () => {
  test("external: the device's number, the owner's name, each from the first document that has it", () => {
    assert.deepEqual(presentedCallerId('external', [device, owner, account], own), { name: 'Alice Smith', number: '+15551110000' });
  });

  test("without a device or owner external caller id, the account's is presented", () => {
    assert.deepEqual(presentedCallerId('external', [{}, undefined, account], own), { name: 'Acme', number: '+15553330000' });
  });

  test("without any external caller id, the caller's own (internal) stays", () => {
    assert.deepEqual(presentedCallerId('external', [{ caller_id: { external: { name: ' ' } } }, undefined, {}], own), own);
  });

  test('emergency falls back to external; internal reads the internal entries', () => {
    assert.deepEqual(presentedCallerId('emergency', [device, owner, account], own), { name: 'Alice Smith', number: '+15559110000' });
    assert.deepEqual(presentedCallerId('internal', [device, owner, account], own), { name: 'Alice Desk', number: '2001' });
  });

  test('types are read from documents strictly', () => {
    assert.equal(callerIdType('external'), 'external');
    assert.equal(callerIdType('outside'), undefined);
  });
});

describe('offnetOptions', () => {
  test('reads timeout, caller id type, flags and headers from callflow data', () => {
    assert.deepEqual(offnetOptions({ timeout: 20, caller_id_type: 'internal', outbound_flags: ['fax', 3], custom_sip_headers: { 'X-A': 'b', 'X-N': 1 } }), {
      ringTimeoutMs: 20_000,
      callerIdType: 'internal',
      flags: ['fax'],
      headers: [['X-A', 'b']],
    });
  });

  test('leaves out what is missing or unusable', () => {
    assert.deepEqual(offnetOptions({ timeout: -1, caller_id_type: 'nobody' }), {});
  });
});
