import { CONTINUE, type MetaflowModule } from '../metaflow-module.ts';

/** `hold`: the triggering leg puts its peer on hold with music (KAZOO soft_hold, §3.7). */
export const holdModule: MetaflowModule = {
  name: 'hold',
  async run(ctx) {
    await ctx.control.hold(ctx.channel);
    return CONTINUE;
  },
};

/** `resume`: takes the peer off hold. */
export const resumeModule: MetaflowModule = {
  name: 'resume',
  async run(ctx) {
    await ctx.control.unhold(ctx.channel);
    return CONTINUE;
  },
};
