import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { isMiniAppError, type Diagnostic } from '../../diagnostics/index.ts';
import { openArchiveSource } from '../archive-source.ts';
import { packDirectory } from '../packer.ts';
import { packageDigest } from '../package-digest.ts';
import { scratchDir } from './install-attempt.ts';

type Files = [string, Uint8Array][];

/** Writes files in the given order with the given mtimes and modes, to vary everything the packer must ignore. */
async function writeTree(files: Files, mtimes: number[], modes: number[]): Promise<string> {
  const dir = await scratchDir();
  for (const [i, [name, data]] of files.entries()) {
    const file = path.join(dir, name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, data);
    await chmod(file, modes[i % modes.length] ?? 0o644);
    const time = mtimes[i % mtimes.length] ?? 0;
    await utimes(file, time, time);
  }
  return dir;
}

const segment = fc.stringMatching(/^[a-z0-9_-]{1,8}$/);
const fileTree = fc
  .uniqueArray(
    fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => s.join('/')),
    {
      minLength: 1,
      maxLength: 8,
    },
  )
  // A path may not also be a directory of another path.
  .filter((paths) => !paths.some((a) => paths.some((b) => b.startsWith(`${a}/`))))
  .filter((paths) => !paths.includes('manifest.json'))
  .chain((paths) =>
    fc.tuple(...paths.map((p) => fc.tuple(fc.constant(p), fc.uint8Array({ maxLength: 3000 })))),
  )
  .map((entries): Files => [
    ['manifest.json', new TextEncoder().encode('{"specVersion":"1.0"}')],
    ...entries,
  ]);

function centralHeaders(bytes: Uint8Array): Buffer[] {
  const view = Buffer.from(bytes);
  const end = view.length - 22;
  const count = view.readUInt16LE(end + 10);
  let at = view.readUInt32LE(end + 16);
  const headers: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const length =
      46 + view.readUInt16LE(at + 28) + view.readUInt16LE(at + 30) + view.readUInt16LE(at + 32);
    headers.push(view.subarray(at, at + length));
    at += length;
  }
  return headers;
}

describe('packDirectory', () => {
  it('is deterministic: creation order, mtimes and modes do not change a byte', async () => {
    await fc.assert(
      fc.asyncProperty(
        fileTree,
        fc.array(fc.integer({ min: 400_000_000, max: 2_000_000_000 }), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.array(fc.constantFrom(0o600, 0o644, 0o755, 0o640), { minLength: 1, maxLength: 4 }),
        async (files, mtimes, modes) => {
          const first = await packDirectory(await writeTree(files, [1_000_000_000], [0o644]));
          const shuffled = [...files].reverse();
          const second = await packDirectory(await writeTree(shuffled, mtimes, modes));
          assert.ok(
            Buffer.from(first.bytes).equals(Buffer.from(second.bytes)),
            'two packs of the same tree are byte for byte the same',
          );
          assert.deepEqual(first.digest, second.digest);
          assert.deepEqual(first.digest, packageDigest(first.bytes));
        },
      ),
      { numRuns: 25 },
    );
  });

  it('round-trips: every packed file reads back byte for byte', async () => {
    await fc.assert(
      fc.asyncProperty(fileTree, async (files) => {
        const packed = await packDirectory(await writeTree(files, [1_000_000_000], [0o644]));
        const source = await openArchiveSource(packed.bytes);
        assert.deepEqual(
          source.files.map((f) => f.path),
          packed.files.map((f) => f.path),
        );
        for (const [name, data] of files) {
          assert.ok(Buffer.from(await source.read(name)).equals(Buffer.from(data)), name);
        }
      }),
      { numRuns: 25 },
    );
  });

  it('writes the fixed canonical header fields and no directory entries', async () => {
    const dir = await writeTree(
      [
        ['manifest.json', new TextEncoder().encode('{}')],
        ['pages/index.html', new TextEncoder().encode('<p>'.repeat(100))],
      ],
      [1_500_000_000],
      [0o755],
    );
    const { bytes } = await packDirectory(dir);
    const headers = centralHeaders(bytes);
    assert.equal(headers.length, 2);
    for (const header of headers) {
      assert.equal(header.readUInt16LE(4), 0x0314);
      assert.equal(header.readUInt16LE(8), 0x0800);
      assert.equal(header.readUInt16LE(12), 0x0000);
      assert.equal(header.readUInt16LE(14), 0x0021);
      assert.equal(header.readUInt16LE(30), 0);
      assert.equal(header.readUInt32LE(38), 0x81a40000);
    }
    assert.equal(headers[1]?.readUInt16LE(10), 8);
  });

  it('stores files that deflate would push past the ratio limit, so its own reader accepts them', async () => {
    const zeros = new Uint8Array(1024 * 1024);
    const dir = await writeTree(
      [
        ['manifest.json', new TextEncoder().encode('{}')],
        ['zeros.bin', zeros],
      ],
      [0],
      [0o644],
    );
    const { bytes } = await packDirectory(dir);
    const source = await openArchiveSource(bytes);
    assert.equal((await source.read('zeros.bin')).length, zeros.length);
    assert.equal(centralHeaders(bytes)[1]?.readUInt16LE(10), 0);
  });

  it('refuses a directory with errors and returns every finding', async () => {
    const dir = await writeTree(
      [
        ['A.txt', new Uint8Array([1])],
        ['a.txt', new Uint8Array([2])],
      ],
      [0],
      [0o644],
    );
    await assert.rejects(packDirectory(dir), (error: unknown) => {
      assert.ok(isMiniAppError(error), 'the error is a MiniAppError');
      assert.equal(error.code, 'PKG_DUPLICATE_PATH');
      const found = (error.details?.diagnostics as Diagnostic[]).map((d) => d.code);
      assert.deepEqual(found, ['PKG_DUPLICATE_PATH', 'MANIFEST_MISSING']);
      return true;
    });
  });

  it('enforces the main-package limit, and per-subpackage limits using the roots in manifest.json', async () => {
    const noise = (n: number): Uint8Array =>
      new Uint8Array(n).map((_, i) => (i * 2654435761) >>> 24);
    const manifest = new TextEncoder().encode(
      JSON.stringify({ subpackages: [{ root: 'packages/cart/' }] }),
    );
    const limits = { maxMainPackageBytes: 4096, maxSubpackageBytes: 4096 };
    const fits = await writeTree(
      [
        ['manifest.json', manifest],
        ['packages/cart/a.bin', noise(3000)],
        ['b.bin', noise(3000)],
      ],
      [0],
      [0o644],
    );
    await packDirectory(fits, { limits });
    const subTooBig = await writeTree(
      [
        ['manifest.json', manifest],
        ['packages/cart/a.bin', noise(3000)],
        ['packages/cart/b.bin', noise(3000)],
      ],
      [0],
      [0o644],
    );
    await assert.rejects(packDirectory(subTooBig, { limits }), {
      code: 'PKG_SUBPACKAGE_TOO_LARGE',
    });
    await assert.rejects(packDirectory(fits, { limits, subpackageRoots: [] }), {
      code: 'PKG_MAIN_PACKAGE_TOO_LARGE',
    });
  });
});
