import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkErrorAnnotations } from '../generators/25-error-annotations.ts';

const codes = new Set(['MANIFEST_INVALID_ID', 'MANIFEST_UNKNOWN_MEMBER']);

describe('x-error-code annotations are checked against the registry [ERR-002]', () => {
  it('accepts a registered code and a keyword map of registered codes', () => {
    const schema = {
      'x-error-code': {
        additionalProperties: 'MANIFEST_UNKNOWN_MEMBER',
        '*': 'MANIFEST_INVALID_ID',
      },
      properties: { id: { 'x-error-code': 'MANIFEST_INVALID_ID' } },
    };
    assert.deepEqual(checkErrorAnnotations('s.json', schema, codes), []);
  });

  it('reports an unregistered code, a misspelt keyword and a value of the wrong type, with pointers', () => {
    const schema = {
      properties: {
        id: { 'x-error-code': 'MANIFEST_INVALID_IDX' },
        name: { 'x-error-code': { patern: 'MANIFEST_INVALID_ID' } },
        list: [{ 'x-error-code': 42 }],
      },
    };
    assert.deepEqual(
      checkErrorAnnotations('s.json', schema, codes).map((p) => p.pointer),
      [
        '/properties/id/x-error-code',
        '/properties/name/x-error-code',
        '/properties/list/0/x-error-code',
      ],
    );
  });
});
