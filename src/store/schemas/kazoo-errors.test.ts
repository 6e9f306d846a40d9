import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ErrorObject } from 'ajv';
import { kazooPath, pointerSegments, pruneBranchErrors, toFailure, toKazooValidationData } from './kazoo-errors.ts';

function ajvError(fields: Partial<ErrorObject> & Pick<ErrorObject, 'keyword'>): ErrorObject {
  return { instancePath: '', schemaPath: '#', params: {}, ...fields };
}

test('JSON-pointer paths become KAZOO flat keys with dots escaped as %2E', () => {
  assert.deepEqual(pointerSegments('/a~1b/c~0d/0'), ['a/b', 'c~d', '0']);
  assert.deepEqual(pointerSegments(''), []);
  assert.equal(kazooPath(['numbers', '2', 'data']), 'numbers.2.data');
  assert.equal(kazooPath(['children', 'routing.key', 'module']), 'children.routing%2Ekey.module');
  assert.equal(kazooPath([]), '');
});

test('maxItems and unknown keywords map to KAZOO’s wording', () => {
  assert.deepEqual(toFailure(ajvError({ keyword: 'maxItems', instancePath: '/list', params: { limit: 2 }, data: [1, 2, 3] })), {
    path: 'list',
    code: 'maxItems',
    message: 'The list is more than 2 items',
    extra: { target: 2, value: [1, 2, 3] },
  });
  assert.deepEqual(toFailure(ajvError({ keyword: 'const', instancePath: '/x', data: 1 })), { path: 'x', code: 'const', message: 'failed to validate', extra: { value: 1 } });
});

test('the 400 envelope data nests message and extra keys under path and code', () => {
  const data = toKazooValidationData([
    { path: 'name', code: 'required', message: 'Field is required but missing', extra: { value: 'name' } },
    { path: 'name', code: 'required', message: 'second one is dropped', extra: {} },
    { path: 'name', code: 'type', message: 'Value did not match type(s): string', extra: { target: 'string', value: 1 } },
  ]);
  assert.deepEqual(data, {
    name: {
      required: { message: 'Field is required but missing', value: 'name' },
      type: { message: 'Value did not match type(s): string', target: 'string', value: 1 },
    },
  });
});

test('branch errors of a failed oneOf are dropped but a sibling keyword’s error is kept', () => {
  const sibling = ajvError({ keyword: 'type', instancePath: '/v', schemaPath: '#/properties/v/type' });
  const branchA = ajvError({ keyword: 'type', instancePath: '/v', schemaPath: '#/properties/v/oneOf/0/type' });
  const branchRef = ajvError({ keyword: 'required', instancePath: '/v', schemaPath: 'other#/required' });
  const combinator = ajvError({ keyword: 'oneOf', instancePath: '/v', schemaPath: '#/properties/v/oneOf' });
  const elsewhere = ajvError({ keyword: 'type', instancePath: '/w', schemaPath: '#/properties/w/type' });
  assert.deepEqual(pruneBranchErrors([elsewhere, sibling, branchA, branchRef, combinator]), [elsewhere, sibling, combinator]);
});
