/**
 * Rewrites every generated file (`npm run generate`), or with --check fails when any is stale.
 * Each module in scripts/generators/ returns the files it owns; nothing else writes into generated/.
 */
import { readFile, writeFile, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { GeneratedFile, Generator } from './generators/generator.ts';

const root = path.resolve(import.meta.dirname, '..');
const check = process.argv.includes('--check');

async function loadGenerators(): Promise<Generator[]> {
  const dir = path.join(import.meta.dirname, 'generators');
  const files = (await readdir(dir)).filter((f) => /^\d+-[a-z-]+\.ts$/.test(f)).sort();
  const modules = await Promise.all(
    files.map((f) => import(path.join(dir, f)) as Promise<{ default: Generator }>),
  );
  return modules.map((m) => m.default).sort((a, b) => a.order - b.order);
}

async function listGeneratedFolders(dir: string, found: string[] = []): Promise<string[]> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'generated') {
        for (const f of await readdir(full, { recursive: true, withFileTypes: true })) {
          if (f.isFile()) found.push(path.relative(root, path.join(f.parentPath, f.name)));
        }
      } else {
        await listGeneratedFolders(full, found);
      }
    }
  }
  return found;
}

async function main(): Promise<number> {
  const outputs: GeneratedFile[] = [];
  for (const generator of await loadGenerators()) {
    // Later generators may read what earlier ones wrote (e.g. types from a generated schema).
    const files = await generator.run(root);
    if (!check) {
      for (const file of files) {
        const target = path.join(root, file.path);
        await mkdir(path.dirname(target), { recursive: true });
        const current = await readFile(target, 'utf8').catch(() => null);
        if (current !== file.content) await writeFile(target, file.content);
      }
    }
    outputs.push(...files);
  }
  const stale: string[] = [];
  for (const file of outputs) {
    const current = await readFile(path.join(root, file.path), 'utf8').catch(() => null);
    if (current !== file.content)
      stale.push(`${file.path} is ${current === null ? 'missing' : 'stale'}`);
  }
  const owned = new Set(outputs.map((f) => f.path));
  for (const file of await listGeneratedFolders(root)) {
    if (!owned.has(file))
      stale.push(`${file} is in a generated/ folder but no generator writes it (delete it)`);
  }
  if (check && stale.length > 0) {
    for (const s of stale) console.error(s);
    console.error(
      '\nGenerated files are out of date: run `npm run generate` and commit the result.',
    );
    return 1;
  }
  if (!check && stale.length > 0) {
    for (const s of stale) console.error(s);
    return 1;
  }
  console.log(`generated: ${outputs.length} files ${check ? 'are fresh' : 'written'}.`);
  return 0;
}

process.exitCode = await main();
