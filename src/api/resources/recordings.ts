import { CALL_RECORDING_ATTACHMENT, callRecordingKind, publicFields, type DocumentService } from '../../documents/index.ts';
import { errors } from '../api-error.ts';
import { listOptions, listResult } from '../listing.ts';
import type { ApiRequest, RouteSpec } from '../request-context.ts';
import { accountOf, docResult, requireWriter } from './crud.ts';

/** Accept values answered with the audio itself (any other, or none, gets the JSON doc). */
const AUDIO_TYPES = new Set(['audio/wav', 'audio/x-wav', 'audio/wave', 'audio/vnd.wave', 'audio/*']);

/**
 * KAZOO's `cb_recordings` choice between the doc and its audio: the Accept values in order of
 * preference (the tunnelled `accept` query value wins over the header); the first that is JSON or
 * `*` + `/*` reads the doc, the first audio type downloads; unknown types are skipped.
 */
export function wantsAudio(req: ApiRequest): boolean {
  const accept = req.query['accept'] ?? req.headers['accept'];
  if (accept === undefined || accept.trim() === '') return false;
  const ranked = accept
    .split(',')
    .map((part, index) => {
      const [type = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
      const q = params.find((p) => p.startsWith('q='));
      const quality = q === undefined ? 1 : Number(q.slice(2));
      return { type, quality: Number.isFinite(quality) ? quality : 0, index };
    })
    .filter((m) => m.quality > 0)
    .sort((x, y) => y.quality - x.quality || x.index - y.index);
  for (const { type } of ranked) {
    if (type === 'application/json' || type === 'application/x-json' || type === '*/*') return false;
    if (AUDIO_TYPES.has(type)) return true;
  }
  return false;
}

/** A file name safe to put in a Content-Disposition header. */
function dispositionName(name: unknown, id: string): string {
  const raw = typeof name === 'string' && name !== '' ? name : `${id}.wav`;
  return raw.replace(/[^A-Za-z0-9._-]/g, '_');
}

/**
 * `GET /v2/accounts/{A}/recordings` (listing, KAZOO pagination and filters),
 * `GET /v2/accounts/{A}/recordings/{R}` (the doc, or the WAV with `Accept: audio/wav`) and
 * `DELETE` (soft delete, admins only).
 */
export function recordingRoutes(docs: DocumentService): RouteSpec[] {
  const base = '/v2/accounts/:account_id/recordings';
  const idOf = (req: ApiRequest): string => req.params['recording_id'] ?? '';
  return [
    {
      path: base,
      tag: 'recordings',
      auth: 'required',
      methods: {
        GET: {
          summary: "List the account's call recordings",
          handler: async (req) => {
            const query = listOptions(req);
            const page = await docs.list(callRecordingKind, accountOf(req)._id, query);
            return listResult(page, page.docs.map((d) => callRecordingKind.summary(d)), query.pageSize !== null);
          },
        },
      },
    },
    {
      path: `${base}/:recording_id`,
      tag: 'recordings',
      auth: 'required',
      methods: {
        GET: {
          summary: 'Read a call recording (Accept: audio/wav downloads the audio)',
          handler: async (req) => {
            const doc = await docs.get(callRecordingKind, accountOf(req)._id, idOf(req));
            if (!wantsAudio(req)) return docResult(doc);
            const audio = await docs.store.getAttachment(doc._id, CALL_RECORDING_ATTACHMENT);
            if (audio === undefined) throw errors.badIdentifier(doc._id);
            const inline = req.query['inline'] === 'true';
            return {
              data: null,
              raw: { contentType: audio.contentType, body: audio.data },
              headers: { 'content-disposition': `${inline ? 'inline' : 'attachment'}; filename=${dispositionName(doc['name'], doc._id)}` },
            };
          },
        },
        DELETE: {
          summary: 'Delete a call recording',
          handler: async (req) => {
            requireWriter(req, callRecordingKind, idOf(req));
            const doc = await docs.remove(callRecordingKind, accountOf(req)._id, idOf(req));
            return { data: { ...publicFields(doc), _read_only: { deleted: true } }, revision: doc._rev };
          },
        },
      },
    },
  ];
}
