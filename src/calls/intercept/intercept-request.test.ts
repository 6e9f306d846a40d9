import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CallCommandError } from '../call-control.ts';
import { checkInterceptOptions, interceptOptionsFromKazoo } from './intercept-request.ts';

const fieldOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    if (error instanceof CallCommandError) return `${error.field}.${error.rule}: ${error.message}`;
    throw error;
  }
  return 'no error';
};

test("the intercept action's fields become options; unbridged_only is optional and takes query-string spellings", () => {
  assert.deepEqual(interceptOptionsFromKazoo({ target_type: 'device', target_id: 'd1' }), { targetType: 'device', targetId: 'd1' });
  assert.deepEqual(interceptOptionsFromKazoo({ target_type: 'user', target_id: 'u1', unbridged_only: false }), { targetType: 'user', targetId: 'u1', unbridgedOnly: false });
  assert.deepEqual(interceptOptionsFromKazoo({ target_type: 'user', target_id: 'u1', unbridged_only: 'true' }), { targetType: 'user', targetId: 'u1', unbridgedOnly: true });
});

test('missing or bad intercept fields are typed errors with KAZOO messages', () => {
  assert.equal(fieldOf(() => interceptOptionsFromKazoo({ target_id: 'd1' })), 'target_type.required: No target type specified');
  assert.equal(fieldOf(() => interceptOptionsFromKazoo({ target_type: 'device' })), 'target_id.required: No target id specified');
  assert.equal(fieldOf(() => interceptOptionsFromKazoo({ target_type: 'number', target_id: '2001' })), 'target_type.enum: Target type must be device or user');
  assert.equal(fieldOf(() => interceptOptionsFromKazoo({ target_type: 'device', target_id: 'd1', unbridged_only: 'yes' })), 'unbridged_only.type: unbridged_only must be a boolean');
  assert.equal(fieldOf(() => checkInterceptOptions({ targetType: 'device', targetId: '' })), 'target_id.required: No target id specified');
  assert.equal(fieldOf(() => checkInterceptOptions({ targetType: 'device', targetId: 'd1', timeoutMs: 0 })), 'timeout.minimum: Timeout must be positive');
  assert.equal(fieldOf(() => checkInterceptOptions({ targetType: 'device', targetId: 'd1' })), 'no error');
});
