import { CallCommandError, type Channel } from '../../calls/index.ts';
import { CONTINUE, type MetaflowModule } from '../metaflow-module.ts';

/**
 * `play`: plays a media doc (`id`) to the triggering leg (`self`), its peer (`peer`) or both
 * (default), KAZOO §3.7; continues once queued (KAZOO does not wait either).
 */
export const playModule: MetaflowModule = {
  name: 'play',
  async run(ctx, data) {
    const id = typeof data['id'] === 'string' ? data['id'] : typeof data['_id'] === 'string' ? data['_id'] : undefined;
    if (id === undefined) throw new CallCommandError('id', 'required', 'No media id specified');
    const audio = await ctx.mediaAudio(id);
    if (audio === undefined) throw new CallCommandError('id', 'invalid', `Media ${id} has no playable audio`);
    const leg = data['leg'] === 'self' || data['leg'] === 'peer' ? data['leg'] : 'both';
    const targets: Channel[] = [];
    if (leg !== 'peer') targets.push(ctx.channel);
    if (leg !== 'self' && ctx.channel.otherLeg !== undefined) targets.push(ctx.channel.otherLeg);
    for (const channel of targets) ctx.control.play(channel, ctx.media.createWavPlayer(audio));
    return CONTINUE;
  },
};
