import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { runSuite, verdictOf } from '../../framework/index.ts';
import {
  baseFiles,
  canonicalArchive,
  ordinaryArchive,
  unicodePathExtra,
} from '../../broken/package/package-recipes.ts';
import { packageSuite } from '../../suites/package-suite.ts';
import { inspectArchive } from '../archive/archive-inspection.ts';
import { pathCollisions, pathFaults } from '../entry-path.ts';

const valid = (ordinaryArchive(baseFiles()) as { bytes: Uint8Array }).bytes;
const canonical = (canonicalArchive(baseFiles()) as { bytes: Uint8Array }).bytes;

/** Runs the suite on raw archive bytes without touching the file system. */
async function certifyBytes(bytes: Uint8Array) {
  const archive = inspectArchive(bytes);
  const entries = archive.entries.map((e) => ({
    path: e.name,
    kind: e.kind,
    size: e.central.uncompressedSize,
    read: () => e.data,
  }));
  const files = new Map(entries.filter((e) => e.kind === 'file').map((e) => [e.path, e]));
  return runSuite({
    // The bridge-client cases run Chromium; byte mutations of the container are judged statically.
    suite: {
      ...packageSuite,
      cases: packageSuite.cases.filter((c) => !c.id.startsWith('package.bridge.')),
    },
    subject: {
      kind: 'archive',
      label: 'mutant.ma',
      archive,
      entries,
      files,
      ...(archive.readable
        ? {}
        : { blocked: 'the central directory could not be read (see PKG-001)' }),
      memo: new Map(),
    },
    selection: { lanes: ['certify'], only: [] },
  });
}

describe('archive inspection', () => {
  it('reads every entry of a valid archive with its data, CRC checked', () => {
    const archive = inspectArchive(valid);
    assert.deepEqual(archive.findings, []);
    assert.deepEqual(
      archive.entries.map((e) => [e.name, e.kind, e.data?.length === e.central.uncompressedSize]),
      [
        ['manifest.json', 'file', true],
        ['pages/index.html', 'file', true],
        ['app.js', 'file', true],
        ['icons/icon.png', 'file', true],
      ],
    );
  });

  it('never throws on any bytes, however short or random', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        const archive = inspectArchive(bytes);
        assert.ok(Array.isArray(archive.findings));
      }),
      { numRuns: 300 },
    );
  });

  it('never certifies a package whose entry content changed: any byte of entry data (property)', async () => {
    const original = inspectArchive(valid);
    const ranges = original.entries.map((e) => ({
      start: e.local?.dataOffset ?? 0,
      length: e.central.compressedSize,
    }));
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: ranges.length - 1 }),
        fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
        fc.integer({ min: 1, max: 255 }),
        async (which, where, delta) => {
          const range = ranges[which] as { start: number; length: number };
          const mutant = Uint8Array.from(valid);
          const at = range.start + Math.floor(where * range.length);
          mutant[at] = ((mutant[at] as number) + delta) & 0xff;
          const run = await certifyBytes(mutant);
          if (!verdictOf(run).certified) {
            assert.ok(
              run.cases.some(
                (c) => c.status === 'fail' && c.metadata.requirements.includes('PKG-001'),
              ),
            );
            return;
          }
          // Only unused padding bits at the end of a deflate stream may change without effect.
          const reread = inspectArchive(mutant);
          reread.entries.forEach((e, i) =>
            assert.deepEqual(e.data, original.entries[i]?.data, `byte ${at} changed ${e.name}`),
          );
        },
      ),
      { numRuns: 60 },
    );
  });

  it('lets no case crash on an archive with any one byte changed anywhere (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: valid.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        async (at, delta) => {
          const mutant = Uint8Array.from(valid);
          mutant[at] = ((mutant[at] as number) + delta) & 0xff;
          const run = await certifyBytes(mutant);
          assert.deepEqual(
            run.cases.filter((c) => c.crashed).map((c) => `${c.metadata.id}: ${c.reason ?? ''}`),
            [],
          );
        },
      ),
      { numRuns: 80 },
    );
  });

  it('reads a canonical archive as canonical and an ordinary one as not claiming the form', async () => {
    const canonicalRun = await certifyBytes(canonical);
    const ordinaryRun = await certifyBytes(valid);
    const outcome = (run: Awaited<ReturnType<typeof certifyBytes>>, id: string) =>
      run.cases.find((c) => c.metadata.id === id)?.status;
    assert.equal(outcome(canonicalRun, 'package.canonical.deflate-stream'), 'pass');
    assert.equal(outcome(canonicalRun, 'package.canonical.form'), 'pass');
    assert.equal(outcome(ordinaryRun, 'package.canonical.deflate-stream'), 'skip');
    assert.equal(outcome(ordinaryRun, 'package.canonical.form'), 'fail');
  });
});

/** The entry names and PKG-170 findings of an archive, and whether anything else was found. */
function extraBytesView(bytes: Uint8Array) {
  const archive = inspectArchive(bytes);
  return {
    names: archive.entries.map((e) => [e.name, e.data?.length]),
    others: archive.findings.filter((f) => f.requirement !== 'PKG-170'),
    extra: archive.findings.filter((f) => f.requirement === 'PKG-170').length,
  };
}

describe('bytes that belong to nothing (PKG-170)', () => {
  const reference = extraBytesView(valid);
  const eocdAt = valid.length - 22;

  it('finds bytes glued before the first entry, whether or not the offsets count them (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 300 }), fc.boolean(), (prefix, cat) => {
        const bytes = cat
          ? Buffer.concat([prefix, valid])
          : (
              ordinaryArchive(baseFiles(), (_e, spec) => void (spec.prefix = prefix)) as {
                bytes: Uint8Array;
              }
            ).bytes;
        const view = extraBytesView(bytes);
        assert.equal(view.extra, 1);
        assert.deepEqual(view.others, []);
        assert.deepEqual(view.names, reference.names);
      }),
      { numRuns: 100 },
    );
  });

  it('finds bytes after the end record and still reads the archive before them (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 300 }), (tail) => {
        const view = extraBytesView(Buffer.concat([valid, tail]));
        assert.equal(view.extra, 1);
        assert.deepEqual(view.others, []);
        assert.deepEqual(view.names, reference.names);
      }),
      { numRuns: 100 },
    );
  });

  it('finds bytes between the central directory and the end record', () => {
    const bytes = Buffer.concat([
      valid.subarray(0, eocdAt),
      new Uint8Array(9),
      valid.subarray(eocdAt),
    ]);
    const archive = inspectArchive(bytes);
    assert.deepEqual(
      archive.findings.map((f) => f.requirement),
      ['PKG-170'],
    );
    assert.match(archive.findings[0]?.message ?? '', /^9 bytes between the central directory/);
  });

  it('finds nothing in a valid archive', () => {
    assert.equal(reference.extra, 0);
    assert.deepEqual(reference.others, []);
  });
});

describe('Info-ZIP Unicode Path fields (PKG-171)', () => {
  const withField = (central?: Uint8Array, local?: Uint8Array) =>
    inspectArchive(
      (
        ordinaryArchive(baseFiles(), (entries) => {
          const entry = entries.find((e) => e.name === 'app.js');
          if (!entry) throw new Error('no app.js');
          if (central) entry.extra = central;
          entry.local = { extra: local ?? new Uint8Array(0) };
        }) as { bytes: Uint8Array }
      ).bytes,
    ).findings.map((f) => `${f.requirement} ${f.message}`);

  it('accepts a field of version 1 with the CRC-32 of the name and the name itself', () => {
    const field = unicodePathExtra('app.js', 'app.js');
    assert.deepEqual(withField(field, field), []);
  });

  const faults: [string, Uint8Array, RegExp][] = [
    ['another path', unicodePathExtra('app.js', '../../x.js'), /names "\.\.\/\.\.\/x\.js" instead/],
    ['version 2', unicodePathExtra('app.js', 'app.js', 2), /has version 2, not 1/],
    ['the CRC-32 of another name', unicodePathExtra('evil.js', 'app.js'), /carries CRC-32 0x/],
    ['too few bytes', Uint8Array.from([0x75, 0x70, 0x03, 0x00, 1, 0, 0]), /is 3 bytes, too short/],
  ];
  for (const [what, field, message] of faults) {
    it(`refuses a field with ${what}, in the central or the local header`, () => {
      const central = withField(field);
      assert.equal(central.length, 1, central.join('; '));
      assert.match(central[0] ?? '', /^PKG-171 .*central directory header/);
      assert.match(central[0] ?? '', message);
      const local = withField(undefined, field);
      assert.equal(local.length, 1, local.join('; '));
      assert.match(local[0] ?? '', /^PKG-171 .*local header/);
      assert.match(local[0] ?? '', message);
    });
  }
});

describe('entry paths', () => {
  it('accepts ordinary relative paths and directory entries', () => {
    assert.deepEqual(pathFaults('pages/index.html', false), []);
    assert.deepEqual(pathFaults('pages/', true), []);
    assert.deepEqual(pathFaults('a/b c/ü.txt', false), []);
  });

  for (const [name, ...requirement] of [
    ['../x', 'PKG-021'],
    ['a//b', 'PKG-021'],
    ['a/./b', 'PKG-021'],
    ['C:x', 'PKG-020', 'PKG-024'],
    ['a\\b', 'PKG-020'],
    ['/x', 'PKG-020'],
    ['a\u0085b', 'PKG-022'],
    ['a\u007fb', 'PKG-022'],
    ['e\u0301', 'PKG-023'],
    ['a|b', 'PKG-024'],
    ['a /b', 'PKG-024'],
    [`${'x'.repeat(256)}`, 'PKG-025'],
    [`${'abcd/'.repeat(205)}x`, 'PKG-025'],
  ] as const) {
    it(`refuses ${JSON.stringify(name)} under ${requirement.join(' and ')}`, () => {
      assert.deepEqual(
        pathFaults(name, false).map((f) => f.requirement),
        requirement,
      );
    });
  }

  it('finds collisions under NFC and full case folding, including ß and ss', () => {
    const pairs = (paths: string[]) =>
      pathCollisions(paths.map((path) => ({ path, isDirectory: path.endsWith('/') }))).length;
    assert.equal(pairs(['Straße.txt', 'STRASSE.txt']), 1);
    assert.equal(pairs(['caf\u00e9', 'CAFE\u0301']), 1);
    assert.equal(pairs(['lib', 'LIB/x.js']), 1);
    assert.equal(pairs(['a/', 'a/b.js']), 0);
    assert.equal(pairs(['a.js', 'b.js']), 0);
  });
});
