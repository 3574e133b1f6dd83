import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { openArchiveSource } from '../archive-source.ts';
import { extractPackage } from '../extractor.ts';
import type { PackageFile, PackageSource } from '../package-source.ts';
import { writeCanonicalZip } from '../zip-writer.ts';
import { listTree, scratchDir } from './install-attempt.ts';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A PackageSource from memory, optionally running a hook on each read to simulate an attacker racing the extractor. */
function memorySource(
  files: Record<string, string>,
  onRead?: (path: string) => Promise<void>,
): PackageSource {
  const list: PackageFile[] = Object.entries(files).map(([p, content]) => ({
    path: p,
    size: text(content).length,
  }));
  return {
    kind: 'archive',
    label: 'memory',
    files: list,
    async read(p: string): Promise<Uint8Array> {
      await onRead?.(p);
      return text(files[p] ?? '');
    },
  };
}

describe('extractPackage', () => {
  it('writes every file of a package into a new directory', async () => {
    const sandbox = await scratchDir();
    const bytes = writeCanonicalZip([
      { path: 'manifest.json', data: text('{}') },
      { path: 'pages/a/index.html', data: text('<p>a') },
    ]);
    const dest = path.join(sandbox, 'app');
    await extractPackage(await openArchiveSource(bytes), dest);
    assert.deepEqual(await listTree(dest), [
      'manifest.json',
      'pages',
      path.join('pages', 'a'),
      path.join('pages', 'a', 'index.html'),
    ]);
    assert.equal(await readFile(path.join(dest, 'pages/a/index.html'), 'utf8'), '<p>a');
  });

  it('accepts an existing empty directory but refuses a non-empty one or a link', async () => {
    const sandbox = await scratchDir();
    const empty = path.join(sandbox, 'empty');
    await mkdir(empty);
    await extractPackage(memorySource({ 'manifest.json': '{}' }), empty);
    await assert.rejects(extractPackage(memorySource({ 'x.txt': '1' }), empty), {
      code: 'PKG_EXTRACT_TARGET_NOT_EMPTY',
    });
    const elsewhere = path.join(sandbox, 'elsewhere');
    await mkdir(elsewhere);
    await symlink(elsewhere, path.join(sandbox, 'link'));
    await assert.rejects(
      extractPackage(memorySource({ 'x.txt': '1' }), path.join(sandbox, 'link')),
      { code: 'PKG_EXTRACT_TARGET_NOT_EMPTY' },
    );
    assert.deepEqual(await listTree(elsewhere), []);
  });

  it('refuses unsafe paths from a hand-made source and writes nothing outside', async () => {
    for (const bad of ['../escape.txt', '/abs.txt', 'a/../../escape.txt', 'C:/x.txt']) {
      const sandbox = await scratchDir();
      await assert.rejects(
        extractPackage(memorySource({ [bad]: 'pwned' }), path.join(sandbox, 'app')),
        { code: 'PKG_UNSAFE_PATH' },
      );
      assert.deepEqual(await listTree(sandbox), [], bad);
    }
  });

  it('refuses colliding paths from a hand-made source before the file system can alias them', async () => {
    const sandbox = await scratchDir();
    await assert.rejects(
      extractPackage(memorySource({ 'a.txt': '1', 'A.TXT': '2' }), path.join(sandbox, 'app')),
      { code: 'PKG_DUPLICATE_PATH' },
    );
    assert.deepEqual(await listTree(sandbox), []);
  });

  it('does not follow a directory link planted during extraction', async () => {
    const sandbox = await scratchDir();
    const outside = path.join(sandbox, 'outside');
    await mkdir(outside);
    const dest = path.join(sandbox, 'app');
    const source = memorySource({ 'a/first.txt': '1', 'b/second.txt': '2' }, async (p) => {
      if (p === 'a/first.txt') await symlink(outside, path.join(dest, 'b'));
    });
    await assert.rejects(extractPackage(source, dest), { code: 'PKG_EXTRACT_ESCAPE' });
    assert.deepEqual(await listTree(outside), []);
  });

  it('does not write through a file link planted during extraction', async () => {
    const sandbox = await scratchDir();
    const victim = path.join(sandbox, 'victim.txt');
    await writeFile(victim, 'original');
    const dest = path.join(sandbox, 'app');
    const source = memorySource({ 'a.txt': '1', 'b.txt': 'overwritten' }, async (p) => {
      if (p === 'b.txt') await symlink(victim, path.join(dest, 'b.txt'));
    });
    await assert.rejects(extractPackage(source, dest), { code: 'PKG_DUPLICATE_PATH' });
    assert.equal(await readFile(victim, 'utf8'), 'original');
  });

  it('removes what it wrote when extraction fails part way', async () => {
    const sandbox = await scratchDir();
    const dest = path.join(sandbox, 'app');
    const source = memorySource({ 'a.txt': '1', 'b.txt': '2' }, async (p) => {
      if (p === 'b.txt') throw new Error('read failed');
    });
    await assert.rejects(extractPackage(source, dest), /read failed/);
    assert.deepEqual(await listTree(sandbox), []);
    const existing = path.join(sandbox, 'existing');
    await mkdir(existing);
    await assert.rejects(extractPackage(source, existing), /read failed/);
    assert.deepEqual(await listTree(sandbox), ['existing']);
  });
});
