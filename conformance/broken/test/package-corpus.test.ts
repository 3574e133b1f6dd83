import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runSuite, verdictOf, type RunResult } from '../../framework/index.ts';
import { packageSuite } from '../../suites/package-suite.ts';
import { openPackage } from '../../suites/package-subject.ts';
import { packageRecipes, validControls } from '../package/package-recipes.ts';
import { writeBuilt } from '../package/package-corpus.ts';

let folder = '';

/** Static recipes skip the bridge-client cases, which run each package in Chromium (seconds each). */
const staticSuite = {
  ...packageSuite,
  cases: packageSuite.cases.filter((c) => !c.id.startsWith('package.bridge.')),
};

async function certify(
  name: string,
  built: Parameters<typeof writeBuilt>[2],
  runtime = false,
): Promise<RunResult> {
  const target = writeBuilt(folder, name, built);
  return runSuite({
    suite: runtime ? packageSuite : staticSuite,
    subject: openPackage(target),
    selection: { lanes: ['certify', 'staging'], only: [] },
  });
}

/** Requirement ids of the certify-lane MUST cases that failed. */
function failedMusts(run: RunResult): Set<string> {
  return new Set(
    run.cases
      .filter(
        (c) => c.status === 'fail' && c.metadata.level === 'MUST' && c.metadata.lane === 'certify',
      )
      .flatMap((c) => c.metadata.requirements),
  );
}

describe('package suite against the broken-package corpus', () => {
  before(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'broken-packages-'));
  });
  after(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  for (const recipe of packageRecipes) {
    it(`fails ${recipe.name} (${recipe.note}) and names ${recipe.violates}`, async () => {
      const run = await certify(recipe.name, recipe.build(), recipe.runtime);
      const failed = failedMusts(run);
      assert.ok(
        failed.has(recipe.violates),
        `${recipe.violates} not named; failed: ${[...failed].join(', ') || 'nothing'}; ${run.cases
          .filter((c) => c.metadata.requirements.includes(recipe.violates))
          .map((c) => `${c.metadata.id}: ${c.status} ${c.reason ?? ''}`)
          .join('; ')}`,
      );
      const allowed = new Set([recipe.violates, ...Object.keys(recipe.alsoFails ?? {})]);
      const unexpected = [...failed].filter((id) => !allowed.has(id));
      assert.deepEqual(
        unexpected,
        [],
        `also failed: ${run.cases
          .filter(
            (c) =>
              c.status === 'fail' && c.metadata.requirements.some((r) => unexpected.includes(r)),
          )
          .map((c) => `${c.metadata.id}: ${c.reason ?? ''}`)
          .join('; ')}`,
      );
      assert.equal(verdictOf(run).exitCode, 1);
    });
  }

  for (const control of validControls) {
    it(`certifies the valid control ${control.name}`, async () => {
      const run = await certify(control.name, control.build(), control.runtime);
      const failed = run.cases
        .filter((c) => c.status === 'fail' && c.metadata.level === 'MUST')
        .map((c) => `${c.metadata.id}: ${c.reason ?? ''}`);
      assert.deepEqual(failed, []);
      assert.equal(verdictOf(run).status, 'certified');
    });
  }

  it('covers every package MUST that a package can break with at least one recipe', () => {
    const broken = new Set(
      packageRecipes.flatMap((r) => [r.violates, ...Object.keys(r.alsoFails ?? {})]),
    );
    const testable = new Set(
      packageSuite.cases
        .filter((c) => c.level === 'MUST' && c.lane === 'certify')
        .flatMap((c) => c.requirements),
    );
    const untouched = [...testable].filter((id) => !broken.has(id)).sort();
    assert.deepEqual(untouched, []);
  });
});
