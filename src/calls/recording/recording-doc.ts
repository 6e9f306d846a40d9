import { CALL_RECORDING_TYPE } from '../../documents/index.ts';
import { toGregorian } from '../../lib/index.ts';
import type { NewDoc } from '../../store/index.ts';
import type { FinishedRecording } from './call-recorder.ts';

/** `user@host` of a SIP URI (KAZOO's `from`/`to`/`request` fields), without scheme or parameters. */
export function userAtHost(uri: string): string {
  const bare = uri.trim().replace(/^<|>$/g, '');
  const noScheme = bare.replace(/^sips?:/i, '');
  return noScheme.split(/[;?>]/)[0] ?? '';
}

/**
 * The `call_recording` document of a finished recording, with the fields KAZOO's recorder
 * (`kzc_recording`) stores, plus `stereo` (Switchboard): which call leg each WAV channel holds.
 */
export function recordingDoc(recording: FinishedRecording): NewDoc {
  const p = recording.channel;
  const request = userAtHost(p.requestUri);
  const origin = recording.options.origin ?? `untracked : ${request.split('@')[0] ?? ''}`;
  return {
    _id: recording.id,
    pvt_type: CALL_RECORDING_TYPE,
    pvt_account_id: p.accountId,
    pvt_vsn: '1',
    call_id: p.uuid,
    caller_id_name: p.callerIdName,
    caller_id_number: p.callerIdNumber,
    callee_id_name: p.calleeIdName,
    callee_id_number: p.calleeIdNumber,
    content_type: 'audio/wav',
    custom_channel_vars: { ...p.customChannelVars },
    description: `recording ${recording.mediaName}`,
    direction: p.direction,
    duration: Math.floor(recording.durationMs / 1000),
    duration_ms: recording.durationMs,
    from: userAtHost(p.fromUri),
    to: userAtHost(p.toUri),
    request,
    media_source: 'recorded',
    media_type: 'wav',
    name: recording.mediaName,
    origin: recording.options.label !== undefined ? `${origin} : ${recording.options.label}` : origin,
    ...(p.ownerId !== undefined ? { owner_id: p.ownerId } : {}),
    source_type: 'kzc_recording',
    start: toGregorian(recording.startedAt),
    stereo: { left: recording.left.uuid, right: recording.right.uuid },
  };
}
