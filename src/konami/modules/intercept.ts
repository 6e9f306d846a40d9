import { interceptOptionsFromKazoo } from '../../calls/index.ts';
import { STOP, type MetaflowModule } from '../metaflow-module.ts';

/** `intercept` (§3.7): takes the call onto a device or the devices of a user. */
export const interceptModule: MetaflowModule = {
  name: 'intercept',
  async run(ctx, data) {
    await ctx.control.intercept(ctx.channel, interceptOptionsFromKazoo(data));
    return STOP;
  },
};

/** `move` (§3.7): rings the owner's other devices and moves the call to the one that answers. */
export const moveModule: MetaflowModule = {
  name: 'move',
  async run(ctx, data) {
    await ctx.control.move(ctx.channel, typeof data['owner_id'] === 'string' ? { ownerId: data['owner_id'] } : {});
    return STOP;
  },
};
