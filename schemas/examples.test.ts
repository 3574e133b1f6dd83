import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { schemaValidator, validatorFor } from '#schemas';
import { commentsOnTheWay } from './test/comment-trail.ts';
import { exampleSchemaUri, findExampleFiles, readExample } from './test/example-corpus.ts';

const caseValidator = validatorFor('example-case.schema.json');

describe('schema examples', () => {
  const files = findExampleFiles();
  it('exist for the schemas', () => {
    assert.ok(files.length > 0, 'no schemas/<area>/examples/{pass,fail}/*.json found');
  });
  for (const example of files) {
    const testCase = readExample(example);
    it(`${example.file}: ${testCase.description}`, () => {
      assert.ok(caseValidator(testCase), JSON.stringify(caseValidator.errors));
      const schemaUri = exampleSchemaUri(example, testCase);
      const validate = schemaValidator().getSchema(schemaUri);
      assert.ok(validate, `unknown schema ${schemaUri}`);
      const valid = validate(testCase.data);
      if (example.verdict === 'pass') {
        assert.equal(testCase.requirement, undefined, 'pass cases cite no requirement');
        assert.ok(valid, `expected valid, got ${JSON.stringify(validate.errors, null, 1)}`);
        return;
      }
      assert.ok(testCase.requirement, 'a fail case must state the requirement id it breaks');
      assert.equal(valid, false, 'expected the schema to reject the data');
      const cited = (validate.errors ?? []).some((e) =>
        commentsOnTheWay(schemaUri, e).some((c) => c.includes(`[${testCase.requirement}]`)),
      );
      assert.ok(
        cited,
        `rejected, but no $comment on the way to the failing value cites [${testCase.requirement}]: ${JSON.stringify(validate.errors, null, 1)}`,
      );
    });
  }
});
