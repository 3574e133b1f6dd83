import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { isMiniAppError, type MiniAppError } from '../../diagnostics/index.ts';
import { openArchiveSource } from '../archive-source.ts';
import { packageDigest } from '../package-digest.ts';
import { writeCanonicalZip } from '../zip-writer.ts';
import {
  buildZip,
  localRecord,
  manifestEntry,
  unicodePathField,
  type RawEntry,
} from './hostile-zip.ts';
import { attemptInstall, scratchDir } from './install-attempt.ts';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

function withManifest(...entries: RawEntry[]): Uint8Array {
  return buildZip([manifestEntry, ...entries]);
}

async function refusal(
  bytes: Uint8Array,
  limits?: Parameters<typeof openArchiveSource>[1],
): Promise<string> {
  const { code, before, after } = await attemptInstall(bytes, limits);
  // Whatever happened, nothing appeared next to the destination.
  assert.deepEqual(after, before);
  return code;
}

async function readAll(bytes: Uint8Array): Promise<Map<string, Uint8Array>> {
  const source = await openArchiveSource(bytes);
  const out = new Map<string, Uint8Array>();
  for (const file of source.files) out.set(file.path, await source.read(file.path));
  return out;
}

/** [start, end) of each local header's name and data in a canonical archive (no extra fields). */
function localNameAndDataRanges(bytes: Uint8Array): [number, number][] {
  const view = Buffer.from(bytes);
  const ranges: [number, number][] = [];
  let at = 0;
  while (view.readUInt32LE(at) === 0x04034b50) {
    const end = at + 30 + view.readUInt16LE(at + 26) + view.readUInt32LE(at + 18);
    ranges.push([at + 30, end]);
    at = end;
  }
  return ranges;
}

function sameFiles(a: Map<string, Uint8Array>, b: Map<string, Uint8Array>): boolean {
  if (a.size !== b.size) return false;
  for (const [name, data] of a) {
    const other = b.get(name);
    if (!other || !Buffer.from(other).equals(Buffer.from(data))) return false;
  }
  return true;
}

describe('openArchiveSource', () => {
  it('lists and reads the files of a well-formed archive, sorted by UTF-8 bytes', async () => {
    const bytes = withManifest(
      { name: 'pages/index.html', data: text('<p>hi</p>') },
      { name: 'img/\u{1F600}.txt', data: text('emoji'), method: 0 },
      { name: 'img/\uFF21.txt', data: text('fullwidth A') },
      { name: 'pages/', data: new Uint8Array(), method: 0, externalAttributes: 0x41ed0000 },
    );
    const source = await openArchiveSource(bytes);
    assert.equal(source.kind, 'archive');
    // U+FF21 (EF BC A1) sorts before U+1F600 (F0 9F 98 80) in UTF-8, though not in UTF-16.
    assert.deepEqual(
      source.files.map((f) => f.path),
      ['img/\uFF21.txt', 'img/\u{1F600}.txt', 'manifest.json', 'pages/index.html'],
    );
    assert.deepEqual(await source.read('pages/index.html'), text('<p>hi</p>'));
    await assert.rejects(source.read('nope.txt'), { code: 'USAGE' });
  });

  it('opens an archive given by its path', async () => {
    const dir = await scratchDir();
    const file = path.join(dir, 'app.ma');
    await writeFile(file, withManifest({ name: 'a.txt', data: text('a') }));
    const source = await openArchiveSource(file);
    assert.equal(source.label, file);
    assert.deepEqual(await source.read('a.txt'), text('a'));
  });

  it('refuses input that is not a ZIP: empty, random or truncated before the end record', async () => {
    assert.equal(await refusal(new Uint8Array()), 'PKG_NOT_ZIP');
    assert.equal(
      await refusal(new Uint8Array(4096).map((_, i) => (i * 7919) % 251)),
      'PKG_NOT_ZIP',
    );
    const whole = withManifest({ name: 'a.txt', data: text('x'.repeat(500)) });
    assert.equal(await refusal(whole.subarray(0, whole.length - 30)), 'PKG_NOT_ZIP');
  });

  it('refuses an archive truncated at the front as damaged', async () => {
    const whole = withManifest({ name: 'a.txt', data: text('x'.repeat(500)) });
    assert.equal(await refusal(whole.subarray(40)), 'PKG_CORRUPT');
  });

  const unsafeNames: [string, string][] = [
    ['../evil.txt', 'zip slip with ..'],
    ['pages/../../evil.txt', '.. in the middle'],
    ['/etc/passwd', 'absolute path'],
    ['C:/Windows/evil.dll', 'drive letter'],
    ['..\\evil.txt', 'backslash'],
    ['./a.txt', '. segment'],
    ['a//b.txt', 'empty segment'],
    ['a\u0000.txt', 'NUL'],
    ['a\u0085b.txt', 'C1 control'],
    ['e\u0301.txt', 'NFD (not NFC)'],
    ['a:b.txt', 'colon'],
    ['dir./a.txt', 'segment ending in a dot'],
    ['a.txt ', 'segment ending in a space'],
  ];
  for (const [name, why] of unsafeNames) {
    it(`refuses an entry with an unsafe path (${why}) and writes nothing`, async () => {
      assert.equal(await refusal(withManifest({ name, data: text('pwned') })), 'PKG_UNSAFE_PATH');
    });
  }

  it('refuses paths over 1024 bytes or with a segment over 255 bytes', async () => {
    const longPath = Array.from({ length: 8 }, () => 'd'.repeat(200)).join('/');
    assert.equal(
      await refusal(withManifest({ name: longPath, data: text('x') })),
      'PKG_PATH_TOO_LONG',
    );
    assert.equal(
      await refusal(withManifest({ name: 'é'.repeat(128), data: text('x') })),
      'PKG_PATH_TOO_LONG',
    );
  });

  it('refuses symbolic links and special files by their Unix mode', async () => {
    const link: RawEntry = {
      name: 'link',
      data: text('/etc/passwd'),
      method: 0,
      externalAttributes: 0xa1ff0000,
    };
    assert.equal(await refusal(withManifest(link)), 'PKG_SYMLINK');
    const fifo: RawEntry = {
      name: 'fifo',
      data: new Uint8Array(),
      method: 0,
      externalAttributes: 0x11a40000,
    };
    assert.equal(await refusal(withManifest(fifo)), 'PKG_SPECIAL_FILE');
    const dosDirectory: RawEntry = {
      name: 'notadir',
      method: 0,
      versionMadeBy: 20,
      externalAttributes: 0x10,
    };
    assert.equal(await refusal(withManifest(dosDirectory)), 'PKG_SPECIAL_FILE');
  });

  it('refuses duplicates, case and NFC collisions, and a file that is also a directory', async () => {
    const pairs: [string, string][] = [
      ['a.txt', 'a.txt'],
      ['README.md', 'readme.md'],
      ['\u00E9.txt', '\u00C9.txt'],
      ['straße.txt', 'STRASSE.txt'],
      ['lib', 'lib/x.js'],
      ['Lib/x.js', 'lib'],
    ];
    for (const [first, second] of pairs) {
      const bytes = withManifest(
        { name: first, data: text('1') },
        { name: second, data: text('2') },
      );
      assert.equal(await refusal(bytes), 'PKG_DUPLICATE_PATH', `${first} / ${second}`);
    }
  });

  it('refuses encrypted entries, traditional or strong', async () => {
    assert.equal(
      await refusal(withManifest({ name: 'a.txt', data: text('x'), flags: 0x0801 })),
      'PKG_ENCRYPTED',
    );
    assert.equal(
      await refusal(withManifest({ name: 'a.txt', data: text('x'), flags: 0x0841 })),
      'PKG_ENCRYPTED',
    );
  });

  it('refuses compression methods other than stored and deflate', async () => {
    const bytes = withManifest({
      name: 'a.txt',
      data: text('x'),
      method: 99,
      compressed: text('??'),
    });
    assert.equal(await refusal(bytes), 'PKG_UNSUPPORTED_COMPRESSION');
  });

  it('refuses names that are not UTF-8, or non-ASCII without the UTF-8 flag', async () => {
    const latin1 = withManifest({
      name: new Uint8Array([0x61, 0xe9, 0x2e, 0x74]),
      data: text('x'),
    });
    assert.equal(await refusal(latin1), 'PKG_NAME_ENCODING');
    const unflagged = withManifest({ name: 'é.txt', data: text('x'), flags: 0 });
    assert.equal(await refusal(unflagged), 'PKG_NAME_ENCODING');
  });

  it('refuses 3000 entries from the end record, before reading them', async () => {
    const entries: RawEntry[] = Array.from({ length: 3000 }, (_, i) => ({
      name: `f${i}`,
      method: 0,
    }));
    assert.equal(await refusal(withManifest(...entries)), 'PKG_TOO_MANY_ENTRIES');
  });

  it('refuses a 10 MB-of-zeros bomb on its declared ratio, without inflating it', async () => {
    const bomb = new Uint8Array(10 * 1024 * 1024);
    assert.equal(
      await refusal(withManifest({ name: 'bomb.bin', data: bomb })),
      'PKG_COMPRESSION_RATIO',
    );
  });

  it('refuses a file larger than any part may hold, and totals over the limit', async () => {
    const big = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 2654435761) >>> 24);
    assert.equal(
      await refusal(withManifest({ name: 'big.bin', data: big, method: 0 })),
      'PKG_TOO_LARGE',
    );
    const files: RawEntry[] = Array.from({ length: 3 }, (_, i) => ({
      name: `p${i}.bin`,
      data: big.subarray(0, 1024 * 1024),
      method: 0,
    }));
    assert.equal(
      await refusal(withManifest(...files), { maxTotalBytes: 2 * 1024 * 1024 }),
      'PKG_TOO_LARGE',
    );
  });

  it('stops inflating at the declared size when a header lies about it', async () => {
    const actual = new Uint8Array(1024 * 1024).fill(7);
    const compressed = deflateRawSync(actual);
    const lying = withManifest({
      name: 'liar.bin',
      data: actual,
      compressed,
      declaredSize: 100 * compressed.length,
    });
    const source = await openArchiveSource(lying);
    await assert.rejects(source.read('liar.bin'), { code: 'PKG_SIZE_MISMATCH' });
    assert.equal(await refusal(lying), 'PKG_SIZE_MISMATCH');
    const short = withManifest({ name: 'short.bin', data: text('abc'), declaredSize: 4 });
    assert.equal(await refusal(short), 'PKG_SIZE_MISMATCH');
  });

  it('refuses an entry whose bytes do not match its CRC-32', async () => {
    assert.equal(
      await refusal(withManifest({ name: 'a.txt', data: text('hello'), crc: 12345 })),
      'PKG_CRC_MISMATCH',
    );
  });

  it('refuses an entry whose deflate stream is broken', async () => {
    const bytes = withManifest({
      name: 'a.txt',
      data: text('hello'),
      compressed: new Uint8Array([0xff, 0xff, 0xff]),
    });
    assert.equal(await refusal(bytes), 'PKG_CORRUPT');
  });

  it('refuses a local header whose name differs from the central directory', async () => {
    const bytes = withManifest({ name: 'safe.txt', localName: '../x.txt', data: text('x') });
    assert.equal(await refusal(bytes), 'PKG_HEADER_MISMATCH');
  });

  it('refuses entries that share bytes (overlapping-entry bomb)', async () => {
    const inner = localRecord('inner.txt', text('payload'));
    const manifestRecord = localRecord('manifest.json', text('{}'));
    const outerOffset = manifestRecord.length;
    const bytes = buildZip([
      { name: 'manifest.json', data: text('{}'), method: 0 },
      { name: 'outer.bin', data: inner, method: 0 },
      {
        name: 'inner.txt',
        data: text('payload'),
        method: 0,
        omitLocal: true,
        centralOffset: outerOffset + 30 + 'outer.bin'.length,
      },
    ]);
    assert.equal(await refusal(bytes), 'PKG_OVERLAPPING_ENTRIES');
  });

  it('refuses ZIP64 and multi-disk archives', async () => {
    assert.equal(
      await refusal(buildZip([manifestEntry], { zip64Locator: true })),
      'PKG_UNSUPPORTED_ZIP_FEATURE',
    );
    assert.equal(
      await refusal(buildZip([manifestEntry], { diskNumber: 1 })),
      'PKG_UNSUPPORTED_ZIP_FEATURE',
    );
  });

  it('refuses an archive without manifest.json at the root', async () => {
    assert.equal(
      await refusal(buildZip([{ name: 'app/manifest.json', data: text('{}') }])),
      'MANIFEST_MISSING',
    );
    assert.equal(await refusal(buildZip([])), 'MANIFEST_MISSING');
  });

  it('ignores empty directory entries but refuses one with content', async () => {
    const dirEntry: RawEntry = { name: 'pages/', method: 0, externalAttributes: 0x41ed0000 };
    assert.equal(await refusal(withManifest(dirEntry)), 'ok');
    assert.equal(await refusal(withManifest({ ...dirEntry, data: text('hidden') })), 'PKG_CORRUPT');
  });

  it('refuses an archive over the archive limit before parsing it', async () => {
    const bytes = withManifest({
      name: 'a.bin',
      data: new Uint8Array(4096).map((_, i) => i),
      method: 0,
    });
    assert.equal(await refusal(bytes, { maxArchiveBytes: 1024 }), 'PKG_ARCHIVE_TOO_LARGE');
  });

  it('refuses limits above the defaults (a platform may only lower them)', async () => {
    await assert.rejects(openArchiveSource(withManifest(), { maxEntries: 5000 }), {
      code: 'USAGE',
    });
  });

  describe('bytes outside the entries [PKG-170]', () => {
    const gif = text('GIF89a\x01\x00\x01\x00');
    const html = text('<!doctype html><script>alert(document.domain)</script>');

    it('refuses a GIF or HTML polyglot whose offsets were shifted to match (zip -A)', async () => {
      for (const prefix of [gif, html]) {
        const bytes = buildZip([manifestEntry, { name: 'a.txt', data: text('a') }], { prefix });
        assert.equal(await refusal(bytes), 'PKG_EXTRA_BYTES');
      }
    });

    it('refuses bytes glued in front without shifting the offsets', async () => {
      const bytes = Buffer.concat([html, withManifest({ name: 'a.txt', data: text('a') })]);
      assert.equal(await refusal(bytes), 'PKG_EXTRA_BYTES');
    });

    it('refuses bytes between two entries and bytes after the end record', async () => {
      assert.equal(
        await refusal(
          withManifest({ name: 'a.txt', data: text('a'), trailer: html }, { name: 'b.txt' }),
        ),
        'PKG_EXTRA_BYTES',
      );
      assert.equal(await refusal(buildZip([manifestEntry], { suffix: html })), 'PKG_EXTRA_BYTES');
    });

    it('accepts data descriptors, with or without their signature, that agree with the central directory', async () => {
      for (const descriptor of ['signed', 'unsigned'] as const) {
        const bytes = withManifest({ name: 'a.txt', data: text('described'), descriptor });
        assert.equal(await refusal(bytes), 'ok', descriptor);
        assert.deepEqual((await readAll(bytes)).get('a.txt'), text('described'));
      }
    });

    it('refuses a local header whose sizes differ from the central directory', async () => {
      const bytes = withManifest({ name: 'a.txt', data: text('hello'), localSize: 3 });
      assert.equal(await refusal(bytes), 'PKG_HEADER_MISMATCH');
    });
  });

  describe('Info-ZIP Unicode Path extra field [PKG-171]', () => {
    it('refuses a field naming ../../x for an entry named a.txt, central or local', async () => {
      const field = unicodePathField('a.txt', '../../x');
      assert.equal(
        await refusal(withManifest({ name: 'a.txt', data: text('x'), extra: field })),
        'PKG_UNICODE_PATH_MISMATCH',
      );
      assert.equal(
        await refusal(
          withManifest({
            name: 'a.txt',
            data: text('x'),
            extra: new Uint8Array(),
            localExtra: field,
          }),
        ),
        'PKG_UNICODE_PATH_MISMATCH',
      );
    });

    it('accepts a field that names the entry itself', async () => {
      const bytes = withManifest({
        name: 'caf\u00e9.txt',
        data: text('x'),
        extra: unicodePathField('caf\u00e9.txt', 'caf\u00e9.txt'),
      });
      assert.equal(await refusal(bytes), 'ok');
    });
  });

  it('never crashes on a flipped byte, and never accepts a flip in a name or in file data unchanged', async () => {
    const original = writeCanonicalZip([
      { path: 'manifest.json', data: text('{"specVersion":"1.0","id":"com.example.shop"}') },
      { path: 'pages/index.html', data: text('<h1>Shop</h1>'.repeat(20)) },
      { path: 'a.bin', data: new Uint8Array(64).map((_, i) => i * 3) },
    ]);
    const originalFiles = await readAll(original);
    const protectedRanges = localNameAndDataRanges(original);
    await fc.assert(
      fc.asyncProperty(
        fc.nat(original.length - 1),
        fc.integer({ min: 1, max: 255 }),
        async (at, xor) => {
          const flipped = Uint8Array.from(original);
          flipped[at] = (flipped[at] ?? 0) ^ xor;
          let files: Map<string, Uint8Array>;
          try {
            files = await readAll(flipped);
          } catch (error) {
            assert.ok(isMiniAppError(error), `non-coded failure: ${String(error)}`);
            assert.match((error as MiniAppError).code, /^PKG_/);
            return;
          }
          assert.notEqual(packageDigest(flipped).sha256, packageDigest(original).sha256);
          if (protectedRanges.some(([start, end]) => at >= start && at < end)) {
            assert.ok(!sameFiles(files, originalFiles), `flip at ${at} went unnoticed`);
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
