import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { openDirectorySource } from '../directory-source.ts';
import { scratchDir } from './install-attempt.ts';

async function tree(files: Record<string, string>): Promise<string> {
  const dir = await scratchDir();
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  return dir;
}

const codes = (diagnostics: { code: string }[]): string[] => diagnostics.map((d) => d.code);

describe('openDirectorySource', () => {
  it('lists regular files with POSIX paths sorted by UTF-8 bytes and reads them', async () => {
    const dir = await tree({ 'manifest.json': '{}', 'pages/index.html': '<p>', 'b/c/d.js': 'x' });
    const { source, diagnostics } = await openDirectorySource(dir);
    assert.deepEqual(diagnostics, []);
    assert.equal(source.kind, 'directory');
    assert.deepEqual(
      source.files.map((f) => [f.path, f.size]),
      [
        ['b/c/d.js', 1],
        ['manifest.json', 2],
        ['pages/index.html', 3],
      ],
    );
    assert.equal(Buffer.from(await source.read('pages/index.html')).toString(), '<p>');
    await assert.rejects(source.read('missing.txt'), { code: 'USAGE' });
  });

  it('skips exactly the documented ignore list and keeps node_modules', async () => {
    const dir = await tree({
      'manifest.json': '{}',
      '.git/config': 'x',
      'a/.svn/entries': 'x',
      '.DS_Store': 'x',
      'img/Thumbs.db': 'x',
      'node_modules/lib/index.js': 'x',
      '.env': 'SECRET=1',
    });
    const { source } = await openDirectorySource(dir);
    assert.deepEqual(
      source.files.map((f) => f.path),
      ['.env', 'manifest.json', 'node_modules/lib/index.js'],
    );
  });

  it('refuses symbolic links instead of following them, even to files inside', async () => {
    const outside = await tree({ 'secret.txt': 'top secret' });
    const dir = await tree({ 'manifest.json': '{}', 'inside.txt': 'x' });
    await symlink(path.join(outside, 'secret.txt'), path.join(dir, 'leak.txt'));
    await symlink(outside, path.join(dir, 'leakdir'));
    await symlink('inside.txt', path.join(dir, 'alias.txt'));
    const { source, diagnostics } = await openDirectorySource(dir);
    assert.deepEqual(codes(diagnostics), ['PKG_SYMLINK', 'PKG_SYMLINK', 'PKG_SYMLINK']);
    assert.deepEqual(
      source.files.map((f) => f.path),
      ['inside.txt', 'manifest.json'],
    );
  });

  it('refuses special files such as sockets', async () => {
    const dir = await tree({ 'manifest.json': '{}' });
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(path.join(dir, 'sock'), resolve));
    try {
      const { diagnostics } = await openDirectorySource(dir);
      assert.deepEqual(codes(diagnostics), ['PKG_SPECIAL_FILE']);
    } finally {
      server.close();
    }
  });

  it('normalises names to NFC and reads them back by the normalised path', async () => {
    const dir = await tree({ 'manifest.json': '{}', 'caf\u0065\u0301.txt': 'nfd' });
    const { source, diagnostics } = await openDirectorySource(dir);
    assert.deepEqual(diagnostics, []);
    assert.ok(
      source.files.some((f) => f.path === 'caf\u00e9.txt'),
      'the file name is read in NFC',
    );
    assert.equal(Buffer.from(await source.read('caf\u00e9.txt')).toString(), 'nfd');
  });

  it('reports names that collide on a case-insensitive or normalising file system', async () => {
    const dir = await tree({
      'manifest.json': '{}',
      'Logo.png': '1',
      'logo.png': '2',
      '\u00e9.txt': '3',
      'e\u0301.txt': '4',
    });
    const { source, diagnostics } = await openDirectorySource(dir);
    assert.deepEqual(codes(diagnostics), ['PKG_DUPLICATE_PATH', 'PKG_DUPLICATE_PATH']);
    assert.equal(source.files.length, 3);
  });

  it('reports unsafe and undecodable names', async () => {
    const dir = await tree({ 'manifest.json': '{}', 'a\\b.txt': 'x', 'what?.txt': 'x' });
    await writeFile(
      Buffer.concat([Buffer.from(dir + '/'), Buffer.from([0x62, 0xff, 0x2e, 0x74])]),
      'x',
    );
    const { diagnostics } = await openDirectorySource(dir);
    assert.deepEqual(codes(diagnostics).sort(), [
      'PKG_NAME_ENCODING',
      'PKG_UNSAFE_PATH',
      'PKG_UNSAFE_PATH',
    ]);
  });

  it('reports a missing manifest.json and stops walking past the entry limit', async () => {
    const dir = await tree({ 'a.txt': '1', 'b.txt': '2', 'c.txt': '3', 'd.txt': '4' });
    const { diagnostics } = await openDirectorySource(dir, { maxEntries: 2 });
    assert.deepEqual(codes(diagnostics), ['PKG_TOO_MANY_ENTRIES', 'MANIFEST_MISSING']);
  });

  it('reports a single file larger than any part may hold', async () => {
    const dir = await tree({ 'manifest.json': '{}', 'video.mp4': 'x'.repeat(2048) });
    const limits = { maxMainPackageBytes: 1024, maxSubpackageBytes: 1024 };
    const { diagnostics } = await openDirectorySource(dir, limits);
    assert.deepEqual(codes(diagnostics), ['PKG_TOO_LARGE']);
  });

  it('refuses to read a file that changed size after the walk', async () => {
    const dir = await tree({ 'manifest.json': '{}', 'a.txt': 'short' });
    const { source } = await openDirectorySource(dir);
    await writeFile(path.join(dir, 'a.txt'), 'much longer now');
    await assert.rejects(source.read('a.txt'), { code: 'PKG_SIZE_MISMATCH' });
  });

  it('refuses to read a file swapped for a link after the walk', async () => {
    const outside = await tree({ 'secret.txt': 'top' });
    const dir = await tree({ 'manifest.json': '{}', 'a.txt': 'abc' });
    const { source } = await openDirectorySource(dir);
    await rm(path.join(dir, 'a.txt'));
    await symlink(path.join(outside, 'secret.txt'), path.join(dir, 'a.txt'));
    await assert.rejects(source.read('a.txt'), { code: 'PKG_SYMLINK' });
  });

  it('refuses a path that is not a directory', async () => {
    const dir = await tree({ 'manifest.json': '{}' });
    await assert.rejects(openDirectorySource(path.join(dir, 'manifest.json')), { code: 'USAGE' });
    await assert.rejects(openDirectorySource(path.join(dir, 'absent')), { code: 'USAGE' });
  });
});
