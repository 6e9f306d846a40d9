import { SwitchboardError } from '../lib/index.ts';
import { readWavInfo } from '../media/index.ts';
import type { DocumentStore, StoredDoc } from '../store/index.ts';

/** Content types accepted for media uploads; the bytes must also be a WAV the engine can play. */
const WAV_TYPES = new Set(['audio/wav', 'audio/x-wav', 'audio/wave', 'audio/vnd.wave']);

/** Attachment name of a media doc's audio. */
export const MEDIA_ATTACHMENT = 'raw';

/** An upload the media engine cannot play: the API answers 415. */
export class UnsupportedAudio extends SwitchboardError {
  constructor(detail: string) {
    super('unsupported_media', detail);
  }
}

/**
 * Audio of media documents: only what the media engine plays (WAV PCM 16-bit 8/16 kHz mono, or
 * G.711 µ-law/A-law WAV) is accepted, so music on hold never fails at call time.
 */
export class MediaLibrary {
  readonly #store: DocumentStore;

  constructor(store: DocumentStore) {
    this.#store = store;
  }

  /** Checks and stores the audio of `media`; returns the updated doc. */
  async upload(media: StoredDoc, contentType: string | undefined, data: Buffer): Promise<StoredDoc> {
    if (contentType === undefined || !WAV_TYPES.has(contentType)) {
      throw new UnsupportedAudio(`unsupported content type '${contentType ?? ''}': upload audio/wav (PCM 16-bit 8 or 16 kHz mono, or G.711)`);
    }
    let info: ReturnType<typeof readWavInfo>;
    try {
      info = readWavInfo(data);
    } catch (error) {
      throw new UnsupportedAudio(error instanceof Error ? error.message : 'not a playable WAV file');
    }
    await this.#store.putAttachment(media._id, MEDIA_ATTACHMENT, 'audio/wav', data);
    return this.#store.save({
      ...media,
      pvt_content_type: 'audio/wav',
      pvt_content_length: data.length,
      pvt_audio: { format: info.format, sample_rate: info.sampleRate, channels: info.channels, duration_ms: info.durationMs },
      media_source: typeof media['media_source'] === 'string' ? media['media_source'] : 'upload',
    });
  }

  async download(media: StoredDoc): Promise<{ contentType: string; data: Buffer } | undefined> {
    return this.#store.getAttachment(media._id, MEDIA_ATTACHMENT);
  }
}
