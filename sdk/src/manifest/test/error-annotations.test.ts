import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { errorCodes, errorCodeOf, schemaBaseUri, validatorFor, type ErrorCode } from '#schemas';

const failDir = path.resolve(import.meta.dirname, '../../../../schemas/manifest/examples/fail');
const manifestUri = `${schemaBaseUri}manifest/manifest.schema.json`;

/**
 * The schema's x-error-code annotations are the one source of manifest codes: every rejected example
 * of the corpus is reported with a code whose requirement is the one the example breaks.
 */
describe('manifest codes come from x-error-code [ERR-002]', () => {
  const validate = validatorFor('manifest/manifest.schema.json');
  for (const file of readdirSync(failDir).sort()) {
    const example = JSON.parse(readFileSync(path.join(failDir, file), 'utf8')) as {
      requirement: string;
      data: unknown;
    };
    it(`${file}: a code of ${example.requirement}`, () => {
      assert.equal(validate(example.data), false);
      const codes = (validate.errors ?? []).map((e) =>
        errorCodeOf(manifestUri, e, 'MANIFEST_INVALID_JSON'),
      );
      const requirements: string[] = codes.map((code: ErrorCode) => errorCodes[code].requirement);
      assert.ok(
        requirements.includes(example.requirement),
        `codes ${codes.join(', ')} cite ${requirements.join(', ')}`,
      );
    });
  }
});
