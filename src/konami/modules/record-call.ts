import { recordOptionsFromKazoo } from '../../calls/index.ts';
import { CONTINUE, type MetaflowModule } from '../metaflow-module.ts';

/**
 * `record_call` (§3.7): `action` `stop` stops; `toggle` (the schema default) really toggles here
 * (KAZOO always starts); anything else starts, with KAZOO's recording parameters.
 */
export const recordCallModule: MetaflowModule = {
  name: 'record_call',
  async run(ctx, data) {
    const action = data['action'];
    const recording = ctx.control.isRecording(ctx.channel);
    if (action === 'stop' || (action === 'toggle' && recording)) {
      if (recording) await ctx.control.recordStop(ctx.channel);
      return CONTINUE;
    }
    if (action === 'mask' || action === 'unmask') return CONTINUE; // no masking: the call keeps recording
    ctx.control.recordStart(ctx.channel, { origin: 'metaflow', ...recordOptionsFromKazoo(data) });
    return CONTINUE;
  },
};
