import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../lib/index.ts';
import { TransferMachine, type TransferActions, type TransferMode } from './transfer-machine.ts';

/** Records what the machine asks of the legs, in order. */
function recorder(): { actions: TransferActions; log: string[] } {
  const log: string[] = [];
  const actions: TransferActions = {
    music: (p) => log.push(`music ${p}`),
    ringback: (p) => log.push(`ringback ${p}`),
    silence: (p) => log.push(`silence ${p}`),
    connectTransferorToTarget: () => log.push('connect transferor-target'),
    releaseTransferorFromTarget: () => log.push('release transferor-target'),
    connectTransfereeToTarget: () => log.push('connect transferee-target'),
    handOver: () => log.push('hand over'),
    reconnect: () => log.push('reconnect'),
    hangup: (p, cause) => log.push(`hangup ${p} ${cause}`),
    cancelDial: () => log.push('cancel dial'),
    report: (status) => log.push(`report ${status}`),
    dismissTransferor: () => log.push('dismiss transferor'),
    finished: (result) => log.push(`finished ${result}`),
  };
  return { actions, log };
}

function started(mode: TransferMode, takeback = '*1'): { m: TransferMachine; log: string[] } {
  const { actions, log } = recorder();
  const m = new TransferMachine(mode, actions, silentLogger, takeback);
  m.start();
  return { m, log };
}

test('attended: the transferee hears music, the transferor ringback, then talks to the target', () => {
  const { m, log } = started('attended');
  m.targetRinging();
  m.targetRinging();
  assert.equal(m.targetAnswered(), true);
  assert.equal(m.state, 'talking');
  assert.deepEqual(log, ['music transferee', 'ringback transferor', 'silence transferor', 'connect transferor-target']);
});

test('attended: the transferor hanging up after the target answered completes the transfer', () => {
  const { m, log } = started('attended');
  m.targetAnswered();
  log.length = 0;
  m.transferorGone();
  assert.equal(m.result, 'completed');
  assert.deepEqual(log, ['release transferor-target', 'silence transferee', 'connect transferee-target', 'report 200', 'finished completed']);
});

test('attended: the transferor hanging up before the answer leaves the transferee on ringback until the target answers', () => {
  const { m, log } = started('attended');
  m.transferorGone();
  assert.equal(m.state, 'partial');
  assert.deepEqual(log.slice(1), ['silence transferee', 'ringback transferee']);
  log.length = 0;
  assert.equal(m.targetAnswered(), true);
  assert.deepEqual(log, ['silence transferee', 'connect transferee-target', 'report 200', 'finished completed']);
});

test('attended: a target that fails reconnects transferor and transferee', () => {
  const { m, log } = started('attended');
  log.length = 0;
  m.targetFailed(486, 'USER_BUSY');
  assert.equal(m.result, 'failed');
  assert.deepEqual(log, ['silence transferor', 'silence transferee', 'report 486', 'reconnect', 'finished failed']);
});

test('attended: the target hanging up after answering returns the transferor to the transferee', () => {
  const { m, log } = started('attended');
  m.targetAnswered();
  log.length = 0;
  m.targetGone();
  assert.deepEqual(log, ['release transferor-target', 'silence transferee', 'reconnect', 'finished failed']);
});

test('attended: the takeback digits while talking to the target drop it and reconnect', () => {
  const { m, log } = started('attended');
  m.targetAnswered();
  log.length = 0;
  for (const d of ['5', '*']) m.digit(d);
  assert.equal(m.done, false);
  m.digit('1');
  assert.equal(m.result, 'cancelled');
  assert.deepEqual(log, ['release transferor-target', 'hangup target NORMAL_CLEARING', 'silence transferee', 'reconnect', 'finished cancelled']);
  // Late events of the legs it moved change nothing.
  m.targetGone();
  m.transferorGone();
  assert.equal(log.length, 5);
});

test('attended: takeback while the target rings cancels the dial', () => {
  const { m, log } = started('attended', '##');
  log.length = 0;
  m.digit('#');
  m.digit('#');
  assert.deepEqual(log, ['cancel dial', 'silence transferor', 'silence transferee', 'report 487', 'reconnect', 'finished cancelled']);
});

test('attended: complete before the answer dismisses the transferor and waits for the target', () => {
  const { m, log } = started('attended');
  log.length = 0;
  assert.equal(m.complete(), true);
  assert.equal(m.state, 'partial');
  assert.deepEqual(log, ['silence transferee', 'ringback transferee', 'hangup transferor NORMAL_CLEARING']);
  assert.equal(m.cancel(), false);
  m.targetFailed(480, 'NO_ANSWER');
  assert.deepEqual(log.slice(3), ['report 480', 'hangup transferee NO_ANSWER', 'finished failed']);
});

test('attended: complete while talking hands the target over and hangs the transferor up', () => {
  const { m, log } = started('attended');
  m.targetAnswered();
  log.length = 0;
  assert.equal(m.complete(), true);
  assert.deepEqual(log, ['release transferor-target', 'silence transferee', 'connect transferee-target', 'report 200', 'finished completed', 'hangup transferor NORMAL_CLEARING']);
  assert.equal(m.complete(), false);
});

test('attended: the transferee hanging up while talking leaves transferor and target connected', () => {
  const { m, log } = started('attended');
  m.targetAnswered();
  log.length = 0;
  m.transfereeGone();
  assert.equal(m.result, 'abandoned');
  assert.deepEqual(log, ['finished abandoned']);
});

test('attended: the transferee hanging up while the target rings ends the attempt', () => {
  const { m, log } = started('attended');
  log.length = 0;
  m.transfereeGone();
  assert.deepEqual(log, ['cancel dial', 'report 487', 'hangup transferor NORMAL_CLEARING', 'finished abandoned']);
});

test('blind: the transferor leaves at once and the transferee hears ringback until the answer', () => {
  const { m, log } = started('blind');
  assert.equal(m.state, 'partial');
  m.transferorGone();
  m.targetRinging();
  m.digit('*');
  m.digit('1');
  m.targetAnswered();
  assert.deepEqual(log, ['hangup transferor NORMAL_CLEARING', 'ringback transferee', 'silence transferee', 'connect transferee-target', 'report 200', 'finished completed']);
});

test('refer: success reports 200 and dismisses the transferor; takeback digits are not listened to', () => {
  const { m, log } = started('refer');
  m.digit('*');
  m.digit('1');
  m.targetRinging();
  m.targetAnswered();
  assert.deepEqual(log, ['ringback transferee', 'silence transferee', 'connect transferee-target', 'report 200', 'dismiss transferor', 'finished completed']);
});

test('refer: a failing target is reported and the call goes back to the transferor', () => {
  const { m, log } = started('refer');
  m.targetFailed(404, 'UNALLOCATED_NUMBER');
  assert.deepEqual(log.slice(1), ['silence transferor', 'silence transferee', 'report 404', 'reconnect', 'finished failed']);
});

test('a callflow that takes the transferee itself (park, play) completes the transfer', () => {
  const { m, log } = started('refer');
  log.length = 0;
  m.targetTook();
  assert.deepEqual(log, ['silence transferee', 'silence transferor', 'hand over', 'report 200', 'dismiss transferor', 'finished completed']);
  assert.equal(m.targetAnswered(), false);
  const attended = started('attended');
  attended.log.length = 0;
  attended.m.targetTook();
  assert.deepEqual(attended.log.slice(-2), ['hangup transferor NORMAL_CLEARING', 'finished completed']);
});
