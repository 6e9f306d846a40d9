import { isDtmfDigit, type RtpSource, type ToneSpec } from '../../../media/index.ts';
import type { Channel } from '../../channel.ts';
import { CONTINUE, STOP, type FlowContext, type FlowModule } from '../flow-module.ts';

/** Where `play` finds audio. */
export interface PlayModuleDeps {
  /** The WAV of media document `mediaId` of the account, or undefined when there is none. */
  media(accountId: string, mediaId: string): Promise<Uint8Array | undefined>;
}

const ALL_DIGITS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'];

/**
 * `play` (KAZOO cf_play): answers the caller, plays a media document (`id`) or a FreeSWITCH-style
 * tone (`tone_stream://%(on,off,freq[,freq...]);loops=N`) `loop_count` times (or until hangup with
 * `endless_playback`), stops early on a `terminators` digit, then continues with the `_` child. An
 * unknown media id or unplayable audio is logged and skipped. The call is always answered first
 * (Switchboard plays no early media from a callflow).
 */
export function createPlayModule(deps: PlayModuleDeps): FlowModule {
  return {
    name: 'play',
    async run(ctx, data) {
      const a = ctx.session.channel;
      const id = typeof data['id'] === 'string' ? data['id'] : '';
      const make = await sourceMaker(ctx, deps, id);
      if (!ctx.session.answer()) return STOP;
      if (make === undefined) return CONTINUE;
      const endless = data['endless_playback'] === true;
      const loops = typeof data['loop_count'] === 'number' && data['loop_count'] >= 1 ? Math.floor(data['loop_count']) : 1;
      const terminators = Array.isArray(data['terminators']) ? data['terminators'].filter((d): d is string => typeof d === 'string' && isDtmfDigit(d)) : ALL_DIGITS;
      for (let n = 0; endless || n < loops; n++) {
        if (a.closed) return STOP;
        let source: RtpSource;
        try {
          source = make(endless);
        } catch (error) {
          ctx.calls.logger.warn({ err: error, media: id, call: a.uuid }, 'media not playable; skipped');
          return CONTINUE;
        }
        if ((await playToEnd(a, source, terminators)) !== 'finished') break;
        if (endless) break;
      }
      return a.closed ? STOP : CONTINUE;
    },
  };
}

/** A factory of fresh players for `id` (sources are single use), or undefined when `id` names nothing playable. */
async function sourceMaker(ctx: FlowContext, deps: PlayModuleDeps, id: string): Promise<((loop: boolean) => RtpSource) | undefined> {
  const engine = ctx.calls.engine;
  const log = ctx.calls.logger;
  if (id.startsWith('tone_stream://')) {
    const tone = parseToneStream(id);
    if (tone === undefined) log.warn({ media: id }, 'tone not understood; skipped');
    if (tone === undefined) return undefined;
    const steady: ToneSpec = { frequencies: tone.frequencies, ...(tone.cadenceMs !== undefined ? { cadenceMs: tone.cadenceMs } : {}) };
    return (loop) => engine.createTonePlayer(loop ? steady : tone);
  }
  if (id === '') {
    log.warn({ callflow: ctx.callflow._id }, 'play without a media id; skipped');
    return undefined;
  }
  let wav: Uint8Array | undefined;
  try {
    wav = await deps.media(ctx.account._id, mediaIdOf(id));
  } catch (error) {
    log.warn({ err: error, media: id }, 'media lookup failed');
  }
  if (wav === undefined) {
    log.warn({ media: id, call: ctx.session.channel.uuid }, 'unknown media; skipped');
    return undefined;
  }
  const audio = wav;
  return (loop) => engine.createWavPlayer(audio, { loop });
}

/** Plays `source` on `channel` until it ends, a terminator digit is pressed or the channel hangs up. */
function playToEnd(channel: Channel, source: RtpSource, terminators: readonly string[]): Promise<'finished' | 'interrupted'> {
  return new Promise((resolve) => {
    let interrupted = false;
    const offDtmf = channel.on('dtmf', (digit) => {
      if (!terminators.includes(digit)) return;
      interrupted = true;
      channel.stopPlayback();
    });
    source.once('ended', (reason) => {
      offDtmf();
      resolve(reason === 'finished' && !interrupted ? 'finished' : 'interrupted');
    });
    channel.play(source);
    if (channel.closed) source.close();
  });
}

/** KAZOO media ids may come as `/<account db>/<id>` paths; the id is the last segment. */
function mediaIdOf(id: string): string {
  const parts = id.split('/').filter((p) => p !== '');
  return parts[parts.length - 1] ?? id;
}

/**
 * `tone_stream://[L=N;]%(on,off,f1[,f2...])[;loops=N]` (the FreeSWITCH TGML subset KAZOO sends):
 * one cadence, played `loops`/`L` times (default once; negative = until stopped). Undefined when the string is not of that form.
 */
export function parseToneStream(uri: string): ToneSpec | undefined {
  const m = /^tone_stream:\/\/([^%]*?)%\(\s*(\d+)\s*,\s*(\d+)\s*,\s*([\d.+\s,]+)\)(.*)$/.exec(uri);
  if (m === null) return undefined;
  const on = Number(m[2]);
  const off = Number(m[3]);
  const frequencies = (m[4] ?? '').split(/[,+]/).map((f) => Number(f.trim())).filter((f) => Number.isFinite(f) && f > 0 && f < 4000);
  if (frequencies.length === 0 || on <= 0) return undefined;
  const loopsMatch = /;\s*loops=(-?\d+)/.exec(m[5] ?? '') ?? /(?:^|;)\s*L=(-?\d+)/.exec(m[1] ?? '');
  const loops = loopsMatch === null ? 1 : Number(loopsMatch[1]);
  const cycle = on + off;
  return { frequencies, cadenceMs: off > 0 ? [on, off] : [], ...(loops > 0 ? { durationMs: cycle * loops } : {}) };
}
