// `metaflows` (the DTMF feature-code set stored on an account, user or device) and `metaflow` (one
// node); kazoo-reference §3.1. Each node's `data` is checked against `metaflows.<module>`.
import { MODULE_SCHEMAS_KEYWORD, choice, int, named, obj, ref, str } from '../json-schema.ts';

/** `metaflow`: one node: module, its data, and children keyed by outcome. */
export const metaflow = named(
  'metaflow',
  'A metaflow node: the module to run, its arguments and the branches that may follow',
  {
    children: obj('Branches keyed by outcome', {}, { patternProperties: { '.+': ref('metaflow') } }),
    data: obj('Arguments of the module (checked against metaflows.<module>)', {}, { default: {} }),
    module: str('Name of the metaflow module to run', { minLength: 1, maxLength: 64 }),
  },
  { required: ['module'], [MODULE_SCHEMAS_KEYWORD]: { prefix: 'metaflows', kind: 'metaflow', unknown: 'error' } },
);

/** `metaflows`: binding digit, timing, and the numbers/patterns that trigger nodes. */
export const metaflows = named('metaflows', 'DTMF feature codes active during calls', {
  binding_digit: {
    ...choice('Key that starts collecting a feature code', ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '*', '#'], '*'),
    minLength: 1,
    maxLength: 1,
  },
  digit_timeout: int('Milliseconds of silence that end the code', { minimum: 0 }),
  listen_on: choice('Which leg(s) are listened to for codes', ['both', 'self', 'peer']),
  numbers: obj('Exact codes (digits only) and the node each runs', {}, { additionalProperties: false, patternProperties: { '^[0-9]+$': ref('metaflow') } }),
  patterns: obj('Regular expressions over the collected digits and the node each runs', {}, { additionalProperties: false, patternProperties: { '.+': ref('metaflow') } }),
});
