import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseToneStream } from './play.ts';

test('a FreeSWITCH tone_stream becomes a tone of one cadence played `loops` times', () => {
  assert.deepEqual(parseToneStream('tone_stream://%(500,0,440)'), { frequencies: [440], cadenceMs: [], durationMs: 500 });
  assert.deepEqual(parseToneStream('tone_stream://%(2000,4000,440,480);loops=3'), { frequencies: [440, 480], cadenceMs: [2000, 4000], durationMs: 18000 });
  assert.deepEqual(parseToneStream('tone_stream://L=2;%(250,250,350+440)'), { frequencies: [350, 440], cadenceMs: [250, 250], durationMs: 1000 });
});

test('endless loops have no duration and nonsense is refused', () => {
  assert.deepEqual(parseToneStream('tone_stream://%(100,100,600);loops=-1'), { frequencies: [600], cadenceMs: [100, 100] });
  assert.equal(parseToneStream('tone_stream://v=-7;>=2;+=.1;%(0,100,440)'), undefined);
  assert.equal(parseToneStream('tone_stream://%(100,100,9000)'), undefined);
  assert.equal(parseToneStream('tone_stream://beep'), undefined);
  assert.equal(parseToneStream('media-id'), undefined);
});
