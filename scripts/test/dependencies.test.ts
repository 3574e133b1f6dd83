import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** Code that runs in production: the CLI, the SDK and the reference server, without their tests. */
const runtimeRoots = ['schemas/src', 'sdk/src', 'sdk/bin', 'reference-server/src'];

function runtimeFiles(): string[] {
  return runtimeRoots.flatMap((dir) =>
    readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' })
      .filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.test.ts'))
      .filter((f) => !f.split(path.sep).includes('test'))
      .map((f) => path.join(dir, f)),
  );
}

/** The package a bare specifier names: `@scope/name/sub` -> `@scope/name`, `name/sub` -> `name`. */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

const builtins = new Set(builtinModules);

describe('packaging', () => {
  it('lists every package that production code imports in dependencies, so npm ci --omit=dev runs it', () => {
    const missing = new Map<string, string>();
    for (const file of runtimeFiles()) {
      const text = readFileSync(path.join(root, file), 'utf8');
      // Static imports and re-exports, and dynamic import() of a literal; type-only imports are erased.
      const pattern =
        /^\s*(?:import|export)\s+(?!type\s)[^'"]*?from\s+'([^']+)'|^\s*import\s+'([^']+)'|\bimport\(\s*'([^']+)'\s*\)/gm;
      for (const match of text.matchAll(pattern)) {
        const specifier = match[1] ?? match[2] ?? match[3] ?? '';
        if (specifier.startsWith('.') || specifier.startsWith('#') || specifier.startsWith('node:'))
          continue;
        const name = packageOf(specifier);
        if (builtins.has(name)) continue;
        if (!(name in manifest.dependencies)) missing.set(name, file);
      }
    }
    assert.deepEqual(
      Object.fromEntries(missing),
      {},
      'imported by production code but not in dependencies',
    );
  });
});
