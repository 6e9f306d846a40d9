import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { JsonArrayWriter } from './json-array-writer.ts';
import { RawJson } from './raw-json.ts';

describe('JsonArrayWriter', () => {
  test('writes elements from pieces, comma-separated, in one buffer', () => {
    const w = new JsonArrayWriter(64);
    w.element().bytes(Buffer.from('{"a":')).text('1').bytes(Buffer.from('}'));
    w.element().text('"zoë ☎ 😀"');
    w.element().text('null');
    const raw = w.finish();
    assert.equal(raw.bytes.toString('utf8'), '[{"a":1},"zoë ☎ 😀",null]');
    assert.deepEqual(JSON.parse(raw.bytes.toString('utf8')), [{ a: 1 }, 'zoë ☎ 😀', null]);
    assert.equal(w.elements, 3);
  });

  test('writes integers as JSON.stringify does', () => {
    const values = [0, 7, 9, 10, 59, 100, 3599, 86_400, -1, -10, -12_345, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER];
    const w = new JsonArrayWriter(1);
    for (const v of values) w.element().integer(v);
    assert.equal(w.finish().bytes.toString('utf8'), JSON.stringify(values));
  });

  test('an integer it cannot write exactly is refused', () => {
    const w = new JsonArrayWriter();
    w.element();
    for (const bad of [1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) assert.throws(() => w.integer(bad), RangeError);
  });

  test('grows past a short capacity hint without losing bytes', () => {
    const w = new JsonArrayWriter(1);
    const items = Array.from({ length: 500 }, (_, i) => ({ i, s: 'x'.repeat(i % 37), u: 'ü'.repeat(i % 5) }));
    for (const item of items) w.element().text(JSON.stringify(item));
    assert.equal(w.finish().bytes.toString('utf8'), JSON.stringify(items));
  });

  test('an empty writer gives an empty array', () => {
    assert.equal(new JsonArrayWriter().finish().bytes.toString('utf8'), '[]');
  });

  test('a finished writer takes nothing more', () => {
    const w = new JsonArrayWriter();
    w.finish();
    assert.throws(() => w.element(), /already finished/);
    assert.throws(() => w.text('1'), /already finished/);
    assert.throws(() => w.finish(), /already finished/);
  });
});

describe('RawJson', () => {
  test('framing writes into the room around the array once, then copies; earlier results stay intact', () => {
    const w = new JsonArrayWriter(4);
    w.element().integer(1);
    w.element().text('"ü"');
    const raw = w.finish();
    const first = raw.framed(Buffer.from('{"data":'), Buffer.from('}'));
    assert.equal(first.toString('utf8'), '{"data":[1,"ü"]}');
    assert.equal(first.buffer, raw.bytes.buffer, 'the first framing shares the array bytes');
    const second = raw.framed(Buffer.from('{"other":'), Buffer.from(',"x":1}'));
    assert.equal(second.toString('utf8'), '{"other":[1,"ü"],"x":1}');
    assert.equal(first.toString('utf8'), '{"data":[1,"ü"]}', 'the first answer is untouched');
    assert.equal(raw.bytes.toString('utf8'), '[1,"ü"]');
  });

  test('a frame larger than the room, or a value without room, is copied', () => {
    const w = new JsonArrayWriter();
    const raw = w.finish();
    const huge = Buffer.from(`{"k":"${'x'.repeat(5000)}","data":`);
    assert.equal(raw.framed(huge, Buffer.from('}')).toString('utf8'), `${huge.toString('utf8')}[]}`);
    assert.equal(RawJson.of('{"a":1}').framed(Buffer.from('['), Buffer.from(']')).toString('utf8'), '[{"a":1}]');
  });

  test('a range outside its buffer is refused', () => {
    const b = Buffer.from('[1]');
    assert.throws(() => new RawJson(b, 2, 1), RangeError);
    assert.throws(() => new RawJson(b, 0, 4), RangeError);
    assert.throws(() => new RawJson(b, -1), RangeError);
    assert.equal(new RawJson(b, 1, 2).bytes.toString('utf8'), '1');
  });

  test('JSON.stringify of a holder gives the same JSON as the parsed value', () => {
    const raw = RawJson.of('[{"a":"ü","b":[1,2]}]');
    assert.equal(JSON.stringify({ data: raw }), '{"data":[{"a":"ü","b":[1,2]}]}');
    assert.equal(JSON.stringify({ data: raw }, null, 2), JSON.stringify({ data: [{ a: 'ü', b: [1, 2] }] }, null, 2));
  });
});
