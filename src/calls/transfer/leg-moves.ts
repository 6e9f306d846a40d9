import type { RtpSource } from '../../media/index.ts';
import { Bridge } from '../bridge.ts';
import type { CallContext } from '../call-context.ts';
import type { Channel } from '../channel.ts';
import { defaultMusicOnHold } from '../default-moh.ts';

/** Music on hold from a WAV (the user's/account's, else the built-in loop when absent or unplayable). */
export function holdMusic(context: CallContext, wav: Uint8Array | undefined): RtpSource {
  try {
    return context.engine.createWavPlayer(wav ?? defaultMusicOnHold(), { loop: true });
  } catch {
    return context.engine.createWavPlayer(defaultMusicOnHold(), { loop: true });
  }
}

/** Splits the bridge `channel` is in, if any, without hanging anyone up (both get CHANNEL_UNBRIDGE). */
export function release(context: CallContext, channel: Channel): void {
  const bridge = context.bridges.get(channel.uuid);
  if (bridge !== undefined && !bridge.closed) bridge.unbridge();
}

/**
 * Bridges two answered channels after releasing whatever bridge or playback each had; when one of
 * them is gone the other is hung up (a leg left alone has nobody to talk to). A party whose phone
 * is still holding (re-INVITE sendonly) keeps its peer on music.
 */
export function connect(context: CallContext, a: Channel, b: Channel, wav?: Uint8Array): Bridge | undefined {
  if (a.closed || b.closed) {
    if (!a.closed) a.hangup('NORMAL_CLEARING');
    if (!b.closed) b.hangup('NORMAL_CLEARING');
    return undefined;
  }
  for (const c of [a, b]) {
    release(context, c);
    c.stopPlayback();
  }
  const bridge = new Bridge(context.engine, a, b, context.bridges);
  if (a.onHold) bridge.hold(b, holdMusic(context, wav));
  else if (b.onHold) bridge.hold(a, holdMusic(context, wav));
  return bridge;
}

/** RFC 3264 has no transcoding here: both legs of a bridge must agree on one codec. */
export function sameCodec(a: Channel, b: Channel): boolean {
  return a.media.format.codec === b.media.format.codec;
}
