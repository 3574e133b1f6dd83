import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { collectExamples, compileOpenApiSchema, isNode, loadOpenApi } from './openapi-document.ts';

const doc = loadOpenApi();
const examples = collectExamples(doc);

describe('examples of the distribution API', () => {
  it('exist on the key operations', () => {
    const pointers = examples.map((e) => e.pointer).join('\n');
    for (const route of [
      '~1v1~1updates~1check',
      '~1v1~1partner~1apps~1{appId}~1versions',
      '~1v1~1analytics~1events',
    ]) {
      assert.ok(pointers.includes(route), `no example under ${route}`);
    }
    assert.ok(examples.length >= 25, `only ${examples.length} examples`);
  });

  for (const example of examples) {
    it(`${example.pointer} is valid against its schema under Ajv 2020`, () => {
      const validate = compileOpenApiSchema(doc, example.schema);
      assert.ok(validate(example.value), JSON.stringify(validate.errors, null, 1));
    });
  }

  it('rejects an example whose device id breaks the schema, so the check above can fail', () => {
    const check = examples.find((e) => e.pointer.includes('~1v1~1updates~1check/post/requestBody'));
    assert.ok(check && isNode(check.value));
    const validate = compileOpenApiSchema(doc, check.schema);
    assert.equal(validate({ ...check.value, deviceId: 'SN 1234' }), false);
    assert.equal(validate({ ...check.value, apps: [] }), false);
  });
});
