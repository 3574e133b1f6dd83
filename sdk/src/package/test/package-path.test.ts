import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import fc from 'fast-check';
import { DEFAULT_LIMITS } from '../package-limits.ts';
import { checkEntryPath, collisionKey, compareUtf8, PathRegistry } from '../package-path.ts';

describe('checkEntryPath', () => {
  it('accepts ordinary relative paths, including non-ASCII NFC names', () => {
    for (const ok of [
      'manifest.json',
      'pages/index/index.html',
      'i18n/zh-Hans.json',
      'img/caf\u00e9.png',
      '.well-known/x',
    ]) {
      assert.equal(checkEntryPath(ok, DEFAULT_LIMITS), null, ok);
    }
  });

  it('keeps every accepted path inside the root it is joined to (no zip slip)', () => {
    const root = path.resolve('/srv/apps/app');
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.constantFrom('..', '.', '', '/', '\\', 'C:', 'a', '\u0000', 'e\u0301'),
            fc.string({ maxLength: 6 }),
          ),
          {
            minLength: 1,
            maxLength: 6,
          },
        ),
        (parts) => {
          const candidate = parts.join('/');
          if (checkEntryPath(candidate, DEFAULT_LIMITS) !== null) return;
          const resolved = path.resolve(root, candidate);
          assert.ok(resolved.startsWith(root + path.sep), `${candidate} -> ${resolved}`);
          assert.equal(path.relative(root, resolved).split(path.sep).join('/'), candidate);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('collisionKey and PathRegistry', () => {
  it('folds case and normalisation so aliasing names share a key', () => {
    assert.equal(collisionKey('README.md'), collisionKey('readme.md'));
    assert.equal(collisionKey('\u00c9.txt'), collisionKey('e\u0301.txt'));
    assert.notEqual(collisionKey('a.txt'), collisionKey('b.txt'));
  });

  it('reports the first path a new one collides with, whatever the order of file and directory', () => {
    const registry = new PathRegistry();
    assert.equal(registry.add('lib/a.js', 'file'), null);
    assert.equal(registry.add('LIB', 'file'), 'lib');
    assert.equal(registry.add('lib/A.JS', 'file'), 'lib/a.js');
    assert.equal(registry.add('lib/a.js/x', 'file'), 'lib/a.js');
    assert.equal(registry.add('lib', 'directory'), null);
  });

  it('orders by UTF-8 bytes, not UTF-16 code units', () => {
    assert.ok(compareUtf8('\uff21', '\u{1f600}') < 0, 'UTF-8 order puts U+FF21 before U+1F600');
    assert.ok('\uff21' > '\u{1f600}', 'UTF-16 order puts U+FF21 after U+1F600');
  });
});
