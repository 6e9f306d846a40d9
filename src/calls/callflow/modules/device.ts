import { ringTimeout, type FlowModule } from '../flow-module.ts';

/** `device`: rings every registered contact of one device (KAZOO cf_device). */
export const deviceModule: FlowModule = {
  name: 'device',
  async run(ctx, data) {
    const id = typeof data['id'] === 'string' ? data['id'] : '';
    const device = await ctx.endpoints.device(ctx.account._id, id);
    return ctx.bridgeTo(ctx.deviceTargets(device === undefined ? [] : [device]), { timeoutMs: ringTimeout(data, 20_000) });
  },
};
