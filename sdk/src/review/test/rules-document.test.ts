import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { errorCodeList, errorCodes } from '#schemas';

describe('RULES.md', () => {
  const rules = readFileSync(path.join(import.meta.dirname, '..', 'RULES.md'), 'utf8');
  const reviewCodes = errorCodeList.filter((code) => errorCodes[code].area === 'code');

  it('documents every code of the "code" area with the requirement id the registry gives it', () => {
    assert.ok(reviewCodes.length > 0, 'the rules document lists review codes');
    for (const code of reviewCodes) {
      const row = rules.split('\n').find((line) => line.startsWith(`| \`${code}\` |`));
      assert.ok(row, `${code} has no row`);
      assert.ok(row.includes(`| ${errorCodes[code].requirement} |`), `${code} cites another id`);
    }
  });

  it('proposes one requirement line for each id the codes cite', () => {
    for (const code of reviewCodes) {
      const id = errorCodes[code].requirement;
      assert.match(rules, new RegExp(`^- \\*\\*\\[${id}\\]\\*\\* \`(package|server)\``, 'm'), id);
    }
  });
});
