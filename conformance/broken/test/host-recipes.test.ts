import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { repositoryRoot } from '../../framework/index.ts';
import { hostSuite } from '../../suites/host-suite.ts';
import { hostRecipes } from '../host/host-recipes.ts';

// The broken-host corpus without a browser: every recipe still patches the code it names exactly
// once, the cases that must catch it exist and cite its requirement, and the README lists it. The
// Chromium runs (host-corpus.test.ts) take minutes; this shows in a second that none has rotted.

describe('the broken-host recipes', () => {
  it('have unique names', () => {
    const names = hostRecipes.map((r) => r.name);
    assert.deepEqual(
      names.filter((n, i) => names.indexOf(n) !== i),
      [],
    );
  });

  it('run the cases that must catch them, which exist and cite the violated requirement', () => {
    for (const recipe of hostRecipes) {
      for (const id of recipe.catches) {
        assert.ok(recipe.only.includes(id), `${recipe.name}: ${id} is not among the cases it runs`);
        const found = hostSuite.cases.find((c) => c.id === id);
        assert.ok(found, `${recipe.name}: no case ${id} in the host suite`);
        assert.ok(
          found.requirements.includes(recipe.violates),
          `${recipe.name}: ${id} does not cite ${recipe.violates}`,
        );
      }
      for (const id of recipe.only)
        assert.ok(
          hostSuite.cases.some((c) => c.id === id),
          `${recipe.name}: no case ${id}`,
        );
    }
  });

  it('patch text that occurs exactly once in the current tree', () => {
    const referenceHost = existsSync(path.join(repositoryRoot, 'reference-host'));
    for (const recipe of hostRecipes) {
      for (const patch of recipe.patches) {
        if (!referenceHost && patch.file.startsWith('reference-host/')) continue;
        const text = readFileSync(path.join(repositoryRoot, patch.file), 'utf8');
        const first = text.indexOf(patch.find);
        assert.ok(first >= 0, `${recipe.name}: ${patch.file} no longer holds the patched text`);
        assert.equal(
          text.indexOf(patch.find, first + 1),
          -1,
          `${recipe.name}: ${patch.file} holds the patched text more than once`,
        );
      }
    }
  });

  it('are listed in the conformance README with the requirement they break', () => {
    const readme = readFileSync(path.join(repositoryRoot, 'conformance', 'README.md'), 'utf8');
    for (const recipe of hostRecipes) {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${recipe.name}\` |`));
      assert.ok(row, `conformance/README.md has no row for ${recipe.name}`);
      assert.ok(
        row.includes(recipe.violates),
        `the row of ${recipe.name} does not name ${recipe.violates}`,
      );
    }
  });
});
