import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkRecordOptions, recordOptionsFromKazoo, userAtHost } from './index.ts';

test("KAZOO's record_call data becomes record options; unknown and empty values are dropped", () => {
  assert.deepEqual(
    recordOptionsFromKazoo({ action: 'start', time_limit: '600', record_min_sec: 3, media_name: 'x.wav', origin: 'konami', label: 'sales', format: 'mp3', url: '' }),
    { timeLimit: 600, recordMinSec: 3, mediaName: 'x.wav', origin: 'konami', label: 'sales' },
  );
  assert.deepEqual(recordOptionsFromKazoo({ time_limit: 'soon', media_name: '' }), {});
});

test('time_limit must be an integer from 5 to 10800, record_min_sec non-negative, media_name a plain file name', () => {
  assert.equal(checkRecordOptions({}), undefined);
  assert.equal(checkRecordOptions({ timeLimit: 5, recordMinSec: 0, mediaName: 'call 1.wav' }), undefined);
  assert.deepEqual(checkRecordOptions({ timeLimit: 4 }), { field: 'time_limit', rule: 'minimum', message: 'Value must be at least 5' });
  assert.equal(checkRecordOptions({ timeLimit: 10801 })?.rule, 'maximum');
  assert.equal(checkRecordOptions({ timeLimit: 7.5 })?.rule, 'type');
  assert.equal(checkRecordOptions({ recordMinSec: -1 })?.field, 'record_min_sec');
  assert.equal(checkRecordOptions({ mediaName: '../etc/passwd' })?.field, 'media_name');
});

test('SIP URIs become user@host without scheme, brackets or parameters', () => {
  assert.equal(userAtHost('sip:2001@acme.test;transport=udp'), '2001@acme.test');
  assert.equal(userAtHost('<sips:alice@example.com?subject=x>'), 'alice@example.com');
  assert.equal(userAtHost('sip:gw.example.com'), 'gw.example.com');
});
