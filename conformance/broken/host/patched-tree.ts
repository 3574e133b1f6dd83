import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repositoryRoot } from '../../framework/index.ts';
import type { HostRecipe } from './host-recipes.ts';

/**
 * A private copy of the code a broken host runs: package.json, the sdk (copied, so that sdk
 * recipes patch only this copy), the conformance host support (for the model host) and, when the
 * repository has it, reference-host/ (without its builds and native projects), with node_modules
 * and schemas linked. The recipe's patches are applied to the copy; the repository is never touched.
 */
export interface PatchedTree {
  dir: string;
  hasReferenceHost: boolean;
  remove(): void;
}

export class RecipeDoesNotApply extends Error {
  override name = 'RecipeDoesNotApply';
}

const skipped = new Set(['dist', 'android', 'ios', 'node_modules', '.data']);

export function patchedTree(recipe: HostRecipe | undefined): PatchedTree {
  const dir = mkdtempSync(path.join(tmpdir(), `broken-host-${recipe?.name ?? 'reference'}-`));
  const copy = (relative: string) =>
    cpSync(path.join(repositoryRoot, relative), path.join(dir, relative), {
      recursive: true,
      filter: (source) => !skipped.has(path.basename(source)),
    });
  copy('package.json');
  copy('sdk');
  copy('conformance/host');
  symlinkSync(path.join(repositoryRoot, 'node_modules'), path.join(dir, 'node_modules'));
  symlinkSync(path.join(repositoryRoot, 'schemas'), path.join(dir, 'schemas'));
  const hasReferenceHost = existsSync(path.join(repositoryRoot, 'reference-host'));
  if (hasReferenceHost) copy('reference-host');
  for (const patch of recipe?.patches ?? []) {
    const file = path.join(dir, patch.file);
    if (!existsSync(file)) {
      rmSync(dir, { recursive: true, force: true });
      throw new RecipeDoesNotApply(`${recipe?.name}: ${patch.file} does not exist`);
    }
    const text = readFileSync(file, 'utf8');
    const at = text.indexOf(patch.find);
    if (at < 0 || text.indexOf(patch.find, at + 1) >= 0) {
      rmSync(dir, { recursive: true, force: true });
      throw new RecipeDoesNotApply(
        `${recipe?.name}: ${patch.file} holds the patched text ${at < 0 ? 'nowhere' : 'more than once'}; update the recipe to the current code`,
      );
    }
    writeFileSync(file, text.slice(0, at) + patch.replace + text.slice(at + patch.find.length));
  }
  return { dir, hasReferenceHost, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
