import { CallCommandError } from '../../calls/index.ts';
import { STOP, type MetaflowModule } from '../metaflow-module.ts';

/**
 * `transfer` (KAZOO konami_transfer, §3.7): `target`, or the first capture of a pattern metaflow
 * when it is a real capture (KAZOO's `no_match` default is never dialed); `takeback_dtmf`, `moh`;
 * unlike KAZOO, `transfer_type` blind/attended is honoured (default attended, as Konami behaves).
 */
export const transferModule: MetaflowModule = {
  name: 'transfer',
  async run(ctx, data) {
    const captures = Array.isArray(data['captures']) ? data['captures'].filter((c): c is string => typeof c === 'string' && c !== 'no_match') : [];
    const target = captures[0] ?? (typeof data['target'] === 'string' ? data['target'] : undefined);
    if (target === undefined || target === '') throw new CallCommandError('target', 'required', 'No target destination specified');
    const type = data['transfer_type'] === 'blind' ? 'blind' : 'attended';
    await ctx.control.transfer(ctx.channel, target, {
      type,
      ...(typeof data['takeback_dtmf'] === 'string' ? { takebackDtmf: data['takeback_dtmf'] } : {}),
      ...(typeof data['moh'] === 'string' ? { moh: data['moh'] } : {}),
    });
    return STOP;
  },
};
