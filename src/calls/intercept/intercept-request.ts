import { CallCommandError } from '../call-control.ts';
import type { InterceptOptions } from './takeover-types.ts';

/**
 * The `intercept` channel action's fields (reference §2.4: `target_type`, `target_id`,
 * `unbridged_only`) as {@link InterceptOptions}; a missing or bad field is a
 * {@link CallCommandError} with KAZOO's message.
 */
export function interceptOptionsFromKazoo(data: Readonly<Record<string, unknown>>): InterceptOptions {
  const type = data['target_type'];
  const id = data['target_id'];
  if (type === undefined || type === null || type === '') throw new CallCommandError('target_type', 'required', 'No target type specified');
  if (type !== 'device' && type !== 'user') throw new CallCommandError('target_type', 'enum', 'Target type must be device or user');
  if (typeof id !== 'string' || id === '') throw new CallCommandError('target_id', 'required', 'No target id specified');
  const unbridgedOnly = booleanOf(data['unbridged_only']);
  if (unbridgedOnly === null) throw new CallCommandError('unbridged_only', 'type', 'unbridged_only must be a boolean');
  return { targetType: type, targetId: id, ...(unbridgedOnly !== undefined ? { unbridgedOnly } : {}) };
}

/** Checks options given in code (the same rules as the API's). */
export function checkInterceptOptions(options: InterceptOptions): void {
  if (options.targetType !== 'device' && options.targetType !== 'user') throw new CallCommandError('target_type', 'enum', 'Target type must be device or user');
  if (options.targetId === '') throw new CallCommandError('target_id', 'required', 'No target id specified');
  if (options.timeoutMs !== undefined && !(options.timeoutMs > 0)) throw new CallCommandError('timeout', 'minimum', 'Timeout must be positive');
}

/** A JSON boolean or its query-string spelling; undefined when absent, null when neither. */
function booleanOf(value: unknown): boolean | undefined | null {
  if (value === undefined) return undefined;
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return null;
}
