import type { DocKind } from '../doc-kind.ts';
import { pick } from './user.ts';

/** Media metadata (`cb_media`); the audio is an attachment named `raw`. */
export const mediaKind: DocKind = {
  type: 'media',
  noun: 'media',
  schema: 'media',
  summary: (doc) => ({
    ...pick(doc, ['id', 'name', 'media_source', 'description', 'language', 'is_prompt', 'prompt_id', 'streamable']),
    ...(doc['pvt_content_type'] !== undefined ? { content_type: doc['pvt_content_type'] } : {}),
  }),
};

/** Account carriers (`cb_resources`, local resources). */
export const resourceKind: DocKind = {
  type: 'resource',
  noun: 'resources',
  schema: 'resources',
  summary: (doc) => pick(doc, ['id', 'name', 'enabled', 'weight_cost', 'rules', 'flags', 'classifiers']),
};
