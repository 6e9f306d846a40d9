import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiRequest } from '../request-context.ts';
import { wantsAudio } from './recordings.ts';

const req = (accept: string | undefined, tunnelled?: string): ApiRequest =>
  ({ headers: accept === undefined ? {} : { accept }, query: tunnelled === undefined ? {} : { accept: tunnelled } }) as unknown as ApiRequest;

test('Accept: audio/wav or audio/* downloads the recording; JSON, */* or nothing reads the doc', () => {
  assert.equal(wantsAudio(req('audio/wav')), true);
  assert.equal(wantsAudio(req('audio/*')), true);
  assert.equal(wantsAudio(req('audio/x-wav, application/json;q=0.5')), true);
  assert.equal(wantsAudio(req('application/json')), false);
  assert.equal(wantsAudio(req('*/*')), false);
  assert.equal(wantsAudio(req(undefined)), false);
  assert.equal(wantsAudio(req('')), false);
});

test('preference follows q values, unknown types are skipped, and a tunnelled accept wins', () => {
  assert.equal(wantsAudio(req('application/json;q=0.4, audio/wav;q=0.9')), true);
  assert.equal(wantsAudio(req('audio/wav;q=0.2, application/json')), false);
  assert.equal(wantsAudio(req('text/html, audio/wav')), true);
  assert.equal(wantsAudio(req('audio/wav;q=0')), false);
  assert.equal(wantsAudio(req('application/json', 'audio/wav')), true);
});
