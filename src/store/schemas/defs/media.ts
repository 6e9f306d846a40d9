// `media`: a stored prompt or hold-music file (uploaded, recorded, or made by text-to-speech).
import { bool, choice, int, named, obj, str } from '../json-schema.ts';

/** Voices KAZOO's TTS providers accept, in KAZOO's order (the enum clients see). */
const TTS_VOICES = [
  'female/en-US', 'male/en-US', 'female/en-CA', 'female/en-AU', 'female/en-GB', 'male/en-GB', 'female/es-US',
  'male/es-US', 'female/us-US', 'female/zh-CN', 'male/zh-CN', 'female/zh-HK', 'female/zh-TW', 'female/ja-JP',
  'male/ja-JP', 'female/ko-KR', 'male/ko-KR', 'female/da-DK', 'female/de-DE', 'male/de-DE', 'female/ca-ES',
  'female/es-ES', 'male/es-ES', 'female/fi-FI', 'female/fr-CA', 'male/fr-CA', 'female/fr-FR', 'male/fr-FR',
  'female/it-IT', 'male/it-IT', 'female/nb-NO', 'female/nl-NL', 'female/pl-PL', 'female/pt-BR', 'female/pt-PT',
  'male/pt-PT', 'female/ru-RU', 'male/ru-RU', 'female/sv-SE', 'female/hu-HU', 'female/cs-CZ', 'female/tr-TR',
  'male/tr-TR', 'male/ru-RU/Vladimir', 'female/ru-RU/Julia', 'female/ru-RU/Anna', 'female/ru-RU/Viktoria',
  'male/ru-RU/Alexander', 'female/ru-RU/Maria', 'female/ru-RU/Lidia', 'es-ES-Standard-A', 'it-IT-Standard-A',
  'ja-JP-Standard-A', 'ko-KR-Standard-A', 'pt-BR-Standard-A', 'tr-TR-Standard-A', 'sv-SE-Standard-A', 'nl-NL-Standard-A',
  'en-US-Wavenet-D', 'de-DE-Wavenet-A', 'de-DE-Wavenet-B', 'de-DE-Wavenet-C', 'de-DE-Wavenet-D', 'en-AU-Wavenet-A',
  'en-AU-Wavenet-B', 'en-AU-Wavenet-C', 'en-AU-Wavenet-D', 'en-GB-Wavenet-A', 'en-GB-Wavenet-B', 'en-GB-Wavenet-C',
  'en-GB-Wavenet-D', 'en-US-Wavenet-A', 'en-US-Wavenet-B', 'en-US-Wavenet-C', 'en-US-Wavenet-E', 'en-US-Wavenet-F',
  'fr-FR-Wavenet-A', 'fr-FR-Wavenet-B', 'fr-FR-Wavenet-C', 'fr-FR-Wavenet-D', 'it-IT-Wavenet-A', 'ja-JP-Wavenet-A',
  'nl-NL-Wavenet-A', 'en-GB-Standard-A', 'en-GB-Standard-B', 'en-GB-Standard-C', 'en-GB-Standard-D', 'en-US-Standard-B',
  'en-US-Standard-C', 'en-US-Standard-D', 'en-US-Standard-E', 'de-DE-Standard-A', 'de-DE-Standard-B', 'en-AU-Standard-A',
  'en-AU-Standard-B', 'en-AU-Standard-C', 'en-AU-Standard-D', 'fr-CA-Standard-A', 'fr-CA-Standard-B', 'fr-CA-Standard-C',
  'fr-CA-Standard-D', 'fr-FR-Standard-A', 'fr-FR-Standard-B', 'fr-FR-Standard-C', 'fr-FR-Standard-D',
];

const CONTENT_TYPES = [
  'audio/mp3', 'audio/mpeg', 'audio/mpeg3', 'audio/x-wav', 'audio/wav', 'audio/ogg',
  'video/x-flv', 'video/h264', 'video/mpeg', 'video/quicktime', 'video/mp4', 'video/webm',
];

/** Media document schema (KAZOO `media`). */
export const media = named(
  'media',
  'A stored audio (or video) file used as a prompt, greeting or hold music',
  {
    content_length: int('Size of the file in bytes', { minimum: 1, maximum: 11534336 }),
    content_type: choice('MIME type of the file', CONTENT_TYPES),
    description: str('Free-text description', { minLength: 1, maxLength: 128 }),
    language: str('Language of the recording', { default: 'en-us' }),
    media_source: choice('How the file came to be', ['recording', 'upload', 'tts'], 'upload'),
    name: str('Display name', { minLength: 1, maxLength: 128 }),
    prompt_id: str('System prompt this media replaces'),
    source_id: str('Id of the document the media was made from', { minLength: 32, maxLength: 32 }),
    source_type: str('Kind of document the media was made from'),
    streamable: bool('Whether the file may be streamed', true),
    tts: obj(
      'Text-to-speech input, when media_source is tts',
      {
        text: str('Text to synthesise', { minLength: 1 }),
        voice: choice('Voice to synthesise with', TTS_VOICES, 'female/en-US'),
      },
      { default: {} },
    ),
  },
  { required: ['media_source', 'name'] },
);
