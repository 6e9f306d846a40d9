import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SwitchboardError } from '../lib/index.ts';
import { parseFilters } from './parse-filters.ts';

test('filter_ and filter_not_ params become eq and not_eq on dotted paths', () => {
  assert.deepEqual(parseFilters({ filter_foo: 'bar', 'filter_not_level1.level2': 'x' }), [
    { op: 'eq', path: ['foo'], value: 'bar' },
    { op: 'not_eq', path: ['level1', 'level2'], value: 'x' },
  ]);
});

test('a JSON array literal value becomes a one-of list of strings', () => {
  assert.deepEqual(parseFilters({ filter_foo: '["a","b",1,true]' }), [{ op: 'eq', path: ['foo'], value: ['a', 'b', '1', 'true'] }]);
  assert.deepEqual(parseFilters({ filter_foo: '[not json' }), [{ op: 'eq', path: ['foo'], value: '[not json' }]);
});

test('key params take a dotted path as their value', () => {
  assert.deepEqual(parseFilters({ has_key: 'a.b', key_missing: 'c', has_value: 'd', value_missing: 'e.f' }), [
    { op: 'has_key', path: ['a', 'b'] },
    { op: 'key_missing', path: ['c'] },
    { op: 'has_value', path: ['d'] },
    { op: 'value_missing', path: ['e', 'f'] },
  ]);
});

test('time bounds become numbers', () => {
  assert.deepEqual(parseFilters({ created_from: '63800000000', created_to: '63800000001', modified_from: '1', modified_to: '2' }), [
    { op: 'created_from', value: 63800000000 },
    { op: 'created_to', value: 63800000001 },
    { op: 'modified_from', value: 1 },
    { op: 'modified_to', value: 2 },
  ]);
});

test('unrelated params are ignored and a repeated param gives one filter per occurrence', () => {
  assert.deepEqual(parseFilters({ _: '123', paginate: 'false', page_size: '3', start_key: 'x', ascending: 'true', other: undefined }), []);
  assert.deepEqual(parseFilters({ has_key: ['a', 'b'] }), [
    { op: 'has_key', path: ['a'] },
    { op: 'has_key', path: ['b'] },
  ]);
});

test('a non-numeric time bound or an empty key is invalid_filter naming the param', () => {
  for (const [param, value] of [
    ['created_from', 'yesterday'],
    ['modified_to', ''],
    ['has_key', ''],
    ['filter_', 'x'],
    ['filter_a..b', 'x'],
  ] as const) {
    assert.throws(
      () => parseFilters({ [param]: value }),
      (error: unknown) => error instanceof SwitchboardError && error.code === 'invalid_filter' && error.message.includes(param),
    );
  }
});
