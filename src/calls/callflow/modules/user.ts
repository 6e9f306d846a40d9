import { ringTimeout, type FlowModule } from '../flow-module.ts';

/** `user`: rings every device the user owns, in parallel; first answer wins (KAZOO cf_user). */
export const userModule: FlowModule = {
  name: 'user',
  async run(ctx, data) {
    const id = typeof data['id'] === 'string' ? data['id'] : '';
    const user = await ctx.endpoints.user(ctx.account._id, id);
    const devices = user === undefined ? [] : await ctx.endpoints.devicesOfOwner(ctx.account._id, user._id);
    return ctx.bridgeTo(ctx.deviceTargets(devices), { timeoutMs: ringTimeout(data, 20_000) });
  },
};
