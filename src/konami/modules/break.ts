import { CONTINUE, type MetaflowModule } from '../metaflow-module.ts';

/** `break`: stops whatever is being played to the triggering leg (§3.7). */
export const breakModule: MetaflowModule = {
  name: 'break',
  async run(ctx) {
    ctx.control.play(ctx.channel, undefined);
    return CONTINUE;
  },
};
