/**
 * Writes the broken-package corpus (and its valid controls) into a folder:
 *   npx tsx conformance/broken/package/package-corpus.ts <folder>
 * Archives become `<name>.ma`, source directories `<name>/`. Nothing is committed: the harness
 * tests generate the corpus into a temporary folder.
 */
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRecipes, validControls, type Built } from './package-recipes.ts';

/** Writes one built package; returns the path to certify. */
export function writeBuilt(folder: string, name: string, built: Built): string {
  if (built.kind === 'archive') {
    const file = path.join(folder, `${name}.ma`);
    writeFileSync(file, built.bytes);
    return file;
  }
  const root = path.join(folder, name);
  // Rewriting a corpus replaces each item rather than merging into what a previous run left.
  rmSync(root, { recursive: true, force: true });
  for (const [relative, data] of built.files) {
    const target = path.join(root, ...relative.split('/'));
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, data);
  }
  for (const link of built.links ?? []) symlinkSync(link.target, path.join(root, link.path));
  return root;
}

/** Writes every recipe and control; returns name -> path. */
export function writeCorpus(folder: string): Map<string, string> {
  mkdirSync(folder, { recursive: true });
  const written = new Map<string, string>();
  for (const item of [...packageRecipes, ...validControls]) {
    written.set(item.name, writeBuilt(folder, item.name, item.build()));
  }
  return written;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const folder = process.argv[2];
  if (!folder) {
    console.error('usage: tsx conformance/broken/package/package-corpus.ts <folder>');
    process.exit(2);
  }
  const written = writeCorpus(folder);
  for (const recipe of packageRecipes)
    console.log(
      `${recipe.violates}  ${path.relative(process.cwd(), written.get(recipe.name) ?? '')}  ${recipe.note}`,
    );
  console.log(
    `${packageRecipes.length} broken packages and ${validControls.length} valid controls in ${folder}`,
  );
}
