import { mediaKind, publicFields, type DocumentService, type MediaLibrary } from '../../documents/index.ts';
import { errors } from '../api-error.ts';
import type { RouteSpec } from '../request-context.ts';
import { accountOf, requireWriter } from './crud.ts';

/** Largest audio upload (16 MiB ≈ 30 minutes of G.711). */
export const MAX_AUDIO_BYTES = 16 * 1024 * 1024;

/** `GET/PUT/POST /v2/accounts/{A}/media/{M}/raw`: the audio of a media doc. */
export function mediaRawRoutes(docs: DocumentService, library: MediaLibrary): RouteSpec[] {
  const upload = async (req: Parameters<NonNullable<RouteSpec['methods']['POST']>['handler']>[0]) => {
    requireWriter(req, mediaKind, undefined);
    const media = await docs.get(mediaKind, accountOf(req)._id, req.params['media_id'] ?? '');
    if (req.rawBody === undefined) throw errors.unsupportedMedia('the body must be the audio, with Content-Type: audio/wav');
    const saved = await library.upload(media, req.contentType, req.rawBody);
    return { data: publicFields(saved), revision: saved._rev };
  };
  return [
    {
      path: '/v2/accounts/:account_id/media/:media_id/raw',
      tag: 'media',
      auth: 'required',
      methods: {
        GET: {
          summary: 'Download the audio of a media doc',
          handler: async (req) => {
            const media = await docs.get(mediaKind, accountOf(req)._id, req.params['media_id'] ?? '');
            const audio = await library.download(media);
            if (audio === undefined) throw errors.badIdentifier(media._id);
            return { data: null, raw: { contentType: audio.contentType, body: audio.data } };
          },
        },
        POST: { summary: 'Upload the audio of a media doc (audio/wav)', rawBodyLimit: MAX_AUDIO_BYTES, handler: upload },
        PUT: { summary: 'Upload the audio of a media doc (audio/wav)', rawBodyLimit: MAX_AUDIO_BYTES, handler: upload, successStatus: 201 },
      },
    },
  ];
}
