import type { DocKind } from '../doc-kind.ts';
import { publicFields } from '../public-fields.ts';

/** `pvt_type` of a call recording (KAZOO `kzd_call_recordings:type()`). */
export const CALL_RECORDING_TYPE = 'call_recording';

/** Attachment name of a recording's audio. */
export const CALL_RECORDING_ATTACHMENT = 'raw';

/**
 * Call recordings (crossbar `recordings`): written by the switch when a recording stops, then only
 * read and deleted through the API, as KAZOO's `cb_recordings` allows. `schema` names KAZOO's
 * recording-settings schema: no request ever creates or edits a recording through it. The listing
 * item is the whole public doc with `_read_only.content_types`, as KAZOO lists it.
 */
export const callRecordingKind: DocKind = {
  type: CALL_RECORDING_TYPE,
  noun: 'recordings',
  schema: 'call_recording',
  summary: (doc) => {
    const contentType = doc['content_type'];
    return { ...publicFields(doc), _read_only: { content_types: typeof contentType === 'string' ? [contentType] : [] } };
  },
};
