import { CONTINUE, type MetaflowModule } from '../metaflow-module.ts';

/** `hangup`: hangs up the leg that triggered the metaflow (reference §3.7). */
export const hangupModule: MetaflowModule = {
  name: 'hangup',
  async run(ctx) {
    ctx.control.hangup(ctx.channel, 'NORMAL_CLEARING');
    return CONTINUE;
  },
};
