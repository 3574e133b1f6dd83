import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { schemasRoot } from '#schemas';
import {
  exampleSchemaFile,
  findExampleFiles,
  handWrittenSchemaFiles,
  readExample,
  type ExampleCase,
  type ExampleFile,
} from './example-corpus.ts';

interface RequirementIndex {
  requirements: { id: string; level: string | null }[];
}

/**
 * Schemas that encode no requirement of the specification, so no fail example could cite one.
 * Each is attacked by a test of its own instead.
 */
const withoutRequirement = new Map([
  ['example-case.schema.json', 'describes this corpus; attacked by example-case.test.ts'],
  ['conformance/case.schema.json', 'describes the suite; attacked by conformance/framework/test'],
]);

const requirementIndex = JSON.parse(
  readFileSync(path.join(schemasRoot, '..', 'spec', 'generated', 'requirements.json'), 'utf8'),
) as RequirementIndex;

const corpus: { example: ExampleFile; testCase: ExampleCase }[] = findExampleFiles().map(
  (example) => ({ example, testCase: readExample(example) }),
);

describe('schema example coverage', () => {
  it('gives every hand-written schema at least one pass and one fail example', () => {
    const verdicts = new Map<string, Set<string>>();
    for (const { example, testCase } of corpus) {
      const file = exampleSchemaFile(example, testCase);
      verdicts.set(file, (verdicts.get(file) ?? new Set()).add(example.verdict));
    }
    const missing = handWrittenSchemaFiles().flatMap((schema) => {
      const seen = verdicts.get(schema) ?? new Set();
      const needed = withoutRequirement.has(schema) ? ['pass'] : ['pass', 'fail'];
      return needed.filter((v) => !seen.has(v)).map((v) => `${schema}: no ${v} example`);
    });
    assert.deepEqual(missing, []);
  });

  it('points every example at a hand-written schema file that exists', () => {
    const schemas = new Set(handWrittenSchemaFiles());
    const dangling = corpus
      .filter(({ example, testCase }) => !schemas.has(exampleSchemaFile(example, testCase)))
      .map(({ example, testCase }) => `${example.file} -> ${testCase.schema}`);
    assert.deepEqual(dangling, []);
  });

  it('lets fail examples cite only requirement ids the specification defines and has not withdrawn', () => {
    const live = new Set(
      requirementIndex.requirements.filter((r) => r.level !== null).map((r) => r.id),
    );
    assert.ok(live.size > 0, 'spec/generated/requirements.json lists no requirements');
    const unknown = corpus
      .filter(({ example }) => example.verdict === 'fail')
      .filter(({ testCase }) => !live.has(testCase.requirement ?? ''))
      .map(({ example, testCase }) => `${example.file}: ${String(testCase.requirement)}`);
    assert.deepEqual(unknown, []);
  });

  it('gives the examples of one folder distinct descriptions', () => {
    const seen = new Map<string, string>();
    const duplicates: string[] = [];
    for (const { example, testCase } of corpus) {
      const key = `${path.posix.dirname(example.file)}\n${testCase.description.trim().toLowerCase()}`;
      const first = seen.get(key);
      if (first) duplicates.push(`${example.file} repeats the description of ${first}`);
      else seen.set(key, example.file);
    }
    assert.deepEqual(duplicates, []);
  });

  it('exempts from fail examples only schemas that exist', () => {
    const schemas = new Set(handWrittenSchemaFiles());
    for (const schema of withoutRequirement.keys()) assert.ok(schemas.has(schema), schema);
  });
});
