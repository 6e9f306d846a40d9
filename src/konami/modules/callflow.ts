import { CallCommandError } from '../../calls/index.ts';
import { STOP, type MetaflowModule } from '../metaflow-module.ts';

/**
 * `callflow` (§3.7): runs the callflow `id` — or the one that owns the first capture (or the
 * collected digits) as a number — on the channel; its current peer is released.
 */
export const callflowModule: MetaflowModule = {
  name: 'callflow',
  async run(ctx, data) {
    const id = typeof data['id'] === 'string' ? data['id'] : typeof data['_id'] === 'string' ? data['_id'] : undefined;
    const captures = Array.isArray(data['captures']) ? data['captures'].filter((c): c is string => typeof c === 'string' && c !== 'no_match') : [];
    const number = captures[0] ?? (typeof data['collected'] === 'string' ? data['collected'] : undefined);
    if (id === undefined && number === undefined) throw new CallCommandError('id', 'required', 'No callflow id specified');
    await ctx.runCallflow(ctx.channel, id !== undefined ? { id } : { number: number ?? '' });
    return STOP;
  },
};
