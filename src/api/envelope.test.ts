import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { envelopeBytes, successEnvelope, type EnvelopeBase } from './envelope.ts';
import { JsonArrayWriter } from './json-array-writer.ts';
import { RawJson } from './raw-json.ts';
import type { ApiResult } from './request-context.ts';

const DATA = [{ uuid: 'a', answered: true, name: 'Zoë ☎', n: 1.5, nested: { data: '"data":[' } }, { uuid: 'b', gone: null }];
const BASES: EnvelopeBase[] = [
  { requestId: 'req-1', authToken: 'tok', authenticated: true, version: '0.1.0', now: new Date(Date.UTC(2026, 0, 1)) },
  { requestId: 'req-2', authToken: undefined, authenticated: false, version: '0.1.0', tokens: { consumed: 1, remaining: 99 }, now: new Date(0) },
];
const RESULTS: Omit<ApiResult, 'data'>[] = [
  {},
  { revision: '3-abc', authToken: 'fresh' },
  { pagination: { pageSize: 2, startKey: 'k1', nextStartKey: 'k2' } },
];

describe('envelopeBytes', () => {
  for (const [b, base] of BASES.entries()) {
    for (const [r, result] of RESULTS.entries()) {
      test(`pre-serialised data gives the same bytes as the value itself (base ${b}, result ${r})`, () => {
        const plain = successEnvelope({ ...result, data: DATA }, base);
        const raw = successEnvelope({ ...result, data: RawJson.of(JSON.stringify(DATA)) }, base);
        const expected = JSON.stringify(plain);
        assert.equal(envelopeBytes(raw, false).toString('utf8'), expected);
        assert.equal(envelopeBytes(plain, false).toString('utf8'), expected);
        assert.equal(envelopeBytes(raw, true).toString('utf8'), JSON.stringify(plain, null, 2), 'pretty printed');
      });
    }
  }

  test('an array from the writer is framed in place, and twice gives the same bytes', () => {
    const w = new JsonArrayWriter(8);
    for (const item of DATA) w.element().text(JSON.stringify(item));
    const body = successEnvelope({ data: w.finish() }, BASES[0] as EnvelopeBase);
    const expected = JSON.stringify(successEnvelope({ data: DATA }, BASES[0] as EnvelopeBase));
    const first = envelopeBytes(body, false);
    assert.equal(first.toString('utf8'), expected);
    assert.equal(envelopeBytes(body, false).toString('utf8'), expected);
    assert.equal(first.toString('utf8'), expected);
  });

  test('data first or last, and an envelope of data alone', () => {
    const raw = RawJson.of('[1,"ü"]');
    assert.equal(envelopeBytes({ data: raw }, false).toString('utf8'), '{"data":[1,"ü"]}');
    assert.equal(envelopeBytes({ data: raw, status: 'success' }, false).toString('utf8'), '{"data":[1,"ü"],"status":"success"}');
    assert.equal(envelopeBytes({ request_id: 'r', data: raw }, false).toString('utf8'), '{"request_id":"r","data":[1,"ü"]}');
    assert.equal(envelopeBytes({ skipped: undefined, data: raw, also: undefined }, false).toString('utf8'), '{"data":[1,"ü"]}');
  });
});
