import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkPackageLimits, DEFAULT_LIMITS, resolveLimits } from '../package-limits.ts';
import type { PackageSource } from '../package-source.ts';

function sized(files: Record<string, number>): PackageSource {
  return {
    kind: 'directory',
    label: 'memory',
    files: Object.entries(files).map(([path, size]) => ({ path, size })),
    read: () => Promise.reject(new Error('sizes only')),
  };
}

const KiB = 1024;
const MiB = 1024 * KiB;

describe('checkPackageLimits', () => {
  it('accepts a package at exactly the default limits', () => {
    const source = sized({
      'main.bin': 2 * MiB,
      'packages/a/x.bin': 2 * MiB,
      'packages/b/x.bin': 2 * MiB,
    });
    assert.deepEqual(checkPackageLimits(source, ['packages/a/', 'packages/b/']), []);
  });

  it('reports the main package, each oversized subpackage and the total, located at their roots', () => {
    const source = sized({
      'main.bin': 2 * MiB + 1,
      'packages/a/x.bin': 2 * MiB + 1,
      'packages/b/x.bin': 1,
    });
    const found = checkPackageLimits(source, ['packages/a/', 'packages/b'], {
      maxTotalBytes: 4 * MiB,
    });
    assert.deepEqual(
      found.map((d) => [d.code, d.location?.file]),
      [
        ['PKG_MAIN_PACKAGE_TOO_LARGE', '.'],
        ['PKG_SUBPACKAGE_TOO_LARGE', 'packages/a/'],
        ['PKG_TOO_LARGE', '.'],
      ],
    );
  });

  it('counts a file toward the longest root that contains it', () => {
    const source = sized({ 'packages/a/b/x.bin': 3 * KiB, 'packages/a/y.bin': 1 * KiB });
    const found = checkPackageLimits(source, ['packages/a/', 'packages/a/b/'], {
      maxSubpackageBytes: 2 * KiB,
    });
    assert.deepEqual(
      found.map((d) => [d.code, d.location?.file]),
      [['PKG_SUBPACKAGE_TOO_LARGE', 'packages/a/b/']],
    );
  });

  it('reports too many files', () => {
    const files = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`f${i}`, 1]));
    assert.deepEqual(
      checkPackageLimits(sized(files), [], { maxEntries: 10 }).map((d) => d.code),
      ['PKG_TOO_MANY_ENTRIES'],
    );
  });
});

describe('resolveLimits', () => {
  it('fills in defaults and accepts lower values', () => {
    assert.deepEqual(resolveLimits({ maxEntries: 10 }), { ...DEFAULT_LIMITS, maxEntries: 10 });
  });

  it('refuses raised, zero, negative or non-finite limits', () => {
    for (const bad of [
      DEFAULT_LIMITS.maxTotalBytes + 1,
      0,
      -1,
      Number.NaN,
      Number.POSITIVE_INFINITY,
    ]) {
      assert.throws(() => resolveLimits({ maxTotalBytes: bad }), { code: 'USAGE' });
    }
  });
});
