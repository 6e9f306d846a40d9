import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bestFailure, causeOfStatus, HANGUP_CAUSES, statusOfCause, type HangupCause } from './hangup-cause.ts';

test('SIP failures map to the hangup causes of docs/calls.md', () => {
  const table: [number[], HangupCause][] = [
    [[486, 600], 'USER_BUSY'],
    [[480], 'NO_USER_RESPONSE'],
    [[408], 'NO_ANSWER'],
    [[404, 604, 484], 'UNALLOCATED_NUMBER'],
    [[487], 'ORIGINATOR_CANCEL'],
    [[403, 603], 'CALL_REJECTED'],
    [[488, 606], 'INCOMPATIBLE_DESTINATION'],
    [[502], 'DESTINATION_OUT_OF_ORDER'],
    [[503], 'NORMAL_TEMPORARY_FAILURE'],
  ];
  for (const [statuses, cause] of table) {
    for (const status of statuses) assert.equal(causeOfStatus(status), cause, `${status}`);
  }
});

test('any other final status is NORMAL_UNSPECIFIED', () => {
  for (const status of [400, 401, 402, 405, 410, 415, 420, 481, 482, 483, 500, 501, 504, 505, 580, 699]) {
    assert.equal(causeOfStatus(status), 'NORMAL_UNSPECIFIED', `${status}`);
  }
});

test('every hangup cause tells a caller a failure status (4xx-6xx)', () => {
  for (const cause of HANGUP_CAUSES) {
    const status = statusOfCause(cause);
    assert.ok(status >= 400 && status < 700, `${cause} → ${status}`);
  }
});

test('the causes a status names map back to that status (RFC 3398 §7.2.4.1)', () => {
  const table: [HangupCause, number][] = [
    ['USER_BUSY', 486],
    ['NO_USER_RESPONSE', 480],
    ['NO_ANSWER', 480],
    ['RECOVERY_ON_TIMER_EXPIRE', 480],
    ['UNALLOCATED_NUMBER', 404],
    ['ORIGINATOR_CANCEL', 487],
    ['LOSE_RACE', 487],
    ['CALL_REJECTED', 403],
    ['INCOMPATIBLE_DESTINATION', 488],
    ['DESTINATION_OUT_OF_ORDER', 502],
    ['NORMAL_TEMPORARY_FAILURE', 503],
    ['SYSTEM_SHUTDOWN', 503],
  ];
  for (const [cause, status] of table) assert.equal(statusOfCause(cause), status, cause);
  for (const cause of ['USER_BUSY', 'NO_USER_RESPONSE', 'UNALLOCATED_NUMBER', 'CALL_REJECTED', 'INCOMPATIBLE_DESTINATION', 'DESTINATION_OUT_OF_ORDER', 'NORMAL_TEMPORARY_FAILURE', 'ORIGINATOR_CANCEL'] as const) {
    assert.equal(causeOfStatus(statusOfCause(cause)), cause, `round trip of ${cause}`);
  }
});

test('causes without a SIP meaning of their own fall back to 480', () => {
  for (const cause of ['NORMAL_CLEARING', 'NORMAL_UNSPECIFIED', 'ALLOTTED_TIMEOUT', 'MEDIA_TIMEOUT'] as const) {
    assert.equal(statusOfCause(cause), 480, cause);
  }
});

test('bestFailure: a 6xx beats every 4xx and 5xx (RFC 3261 §16.7 step 6 "MUST choose from the 6xx class")', () => {
  assert.equal(bestFailure([486, 603, 404]), 603);
  assert.equal(bestFailure([500, 600]), 600);
  assert.equal(bestFailure([408, 480, 604]), 604);
});

test('bestFailure: otherwise the lowest class wins, so 4xx beats 5xx', () => {
  assert.equal(bestFailure([503, 486]), 486);
  assert.equal(bestFailure([500, 480]), 480);
  assert.equal(bestFailure([502, 504, 408]), 408);
  assert.equal(bestFailure([503, 415]), 415);
});

test('bestFailure: inside 4xx, busy over not found over rejected over unavailable over timeout', () => {
  assert.equal(bestFailure([480, 486]), 486);
  assert.equal(bestFailure([480, 404]), 404);
  assert.equal(bestFailure([480, 403]), 403);
  assert.equal(bestFailure([408, 480]), 480);
  assert.equal(bestFailure([487, 408]), 408);
  assert.equal(bestFailure([487, 480, 408, 486]), 486);
  assert.equal(bestFailure([410, 480]), 480, 'a known status over an unranked 4xx');
});

test('bestFailure does not depend on the order the failures arrived in', () => {
  const sets = [
    [486, 480, 408],
    [503, 404, 600],
    [487, 488, 500],
  ];
  for (const set of sets) {
    const expected = bestFailure(set);
    assert.equal(bestFailure([...set].reverse()), expected, set.join(','));
    assert.equal(bestFailure([set[1] ?? 0, set[2] ?? 0, set[0] ?? 0]), expected, set.join(','));
  }
});

test('bestFailure of no failure at all is 480, and it leaves its input untouched', () => {
  assert.equal(bestFailure([]), 480);
  const input = [503, 486];
  bestFailure(input);
  assert.deepEqual(input, [503, 486]);
});

test('bestFailure never passes a lone 503 on: only 503s become 500 (RFC 3261 §16.7 step 6)', () => {
  // "If the only response that was received is a 503, the proxy SHOULD generate a 500 response
  // and forward that upstream."
  assert.equal(bestFailure([503]), 500);
  assert.equal(bestFailure([503, 503]), 500);
  assert.equal(bestFailure([503, 480]), 480, 'a 4xx still wins over a 503');
});

test(
  'bestFailure passes no 503 on when another 5xx came back, whatever the order of arrival',
  () => {
    for (const other of [500, 502, 504]) {
      const one = bestFailure([503, other]);
      const two = bestFailure([other, 503]);
      assert.notEqual(one, 503, `[503, ${other}]`);
      assert.equal(one, two, `[503, ${other}] and [${other}, 503]`);
    }
  },
);
