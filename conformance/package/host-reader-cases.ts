import { crc32 } from 'node:zlib';
import {
  assembleZip,
  canonicalCompression,
  canonicalHeader,
  type ZipEntrySpec,
} from '../broken/package/zip-assembler.ts';
import { CaseFailure } from '../framework/index.ts';
import {
  buildProbe,
  verificationFile,
  type BuiltPackage,
  type Files,
} from '../host/probe/probe-package.ts';
import { describe } from '../host/host-session.ts';
import { scenarioCase, specOf, type Scenario } from '../signing/host-trust-scenarios.ts';

/**
 * The package reader of a host (spec/package.md, classes server and host): correctly signed bundles
 * whose archive breaks one reading rule. The signatures are valid, so only the host's own reader
 * can refuse them; it must refuse the whole package with the rule's code and install nothing.
 */

const encoder = new TextEncoder();

function entriesOf(files: Files): ZipEntrySpec[] {
  return [...files.keys()]
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    .map((name) => {
      const data = files.get(name) as Uint8Array;
      const { method, compressed } = canonicalCompression(data);
      return { name, data, method, compressed, ...canonicalHeader };
    });
}

/** Publishes the probe with its archive rewritten; the statement and release sign the new bytes. */
function publishArchive(
  s: Parameters<Scenario['arrange']>[0],
  pkg: BuiltPackage,
  change: (entries: ZipEntrySpec[]) => ZipEntrySpec[],
): void {
  const bytes = assembleZip({ entries: change(entriesOf(pkg.files)) }).bytes;
  s.world.addRelease(pkg.appId, specOf(pkg, { bundle: bytes }));
  s.world.publish();
}

/** Publishes the probe with one more entry, stored, of the given name and text (and header fields). */
function publishWithEntry(
  s: Parameters<Scenario['arrange']>[0],
  pkg: BuiltPackage,
  name: string,
  text: string,
  header: Partial<ZipEntrySpec> = {},
): void {
  publishArchive(s, pkg, (entries) => [
    ...entries,
    { name, data: encoder.encode(text), method: 0, ...canonicalHeader, ...header },
  ]);
}

/** The Info-ZIP Unicode Path extra field (0x7075) naming `name` for the entry whose raw name is `raw`. */
function unicodePathExtra(raw: string, name: string): Uint8Array {
  const nameBytes = encoder.encode(name);
  const out = Buffer.alloc(4 + 5 + nameBytes.length);
  out.writeUInt16LE(0x7075, 0);
  out.writeUInt16LE(5 + nameBytes.length, 2);
  out[4] = 1;
  out.writeUInt32LE(crc32(encoder.encode(raw)) >>> 0, 5);
  Buffer.from(nameBytes).copy(out, 9);
  return out;
}

const packageCodes = (...codes: string[]) => codes;

const scenarios: Scenario[] = [
  {
    name: 'not-a-zip',
    description:
      'A host refuses correctly signed bundle bytes that are not a ZIP archive, with a package code',
    requirements: ['PKG-005'],
    why: 'The signature proves who sent the bytes, not that they are a package; the reader still refuses what it cannot read.',
    codes: packageCodes('PKG_NOT_ZIP', 'PKG_CORRUPT'),
    arrange(s, pkg) {
      s.world.addRelease(
        pkg.appId,
        specOf(pkg, { bundle: encoder.encode('not a zip archive\n'.repeat(64)) }),
      );
      s.world.publish();
    },
  },
  {
    name: 'crc-mismatch',
    description:
      'A host refuses a package with an entry whose CRC-32 does not match its data, with PKG_CRC_MISMATCH',
    requirements: ['PKG-050', 'PKG-029'],
    why: 'CRC-32 catches a damaged entry; one bad entry refuses the whole package, never just that file.',
    codes: packageCodes('PKG_CRC_MISMATCH', 'PKG_CORRUPT'),
    arrange: (s, pkg) =>
      publishArchive(s, pkg, (entries) =>
        entries.map((e) =>
          e.name === 'pages/second.html'
            ? { ...e, crc: 0x12345678, local: { crc: 0x12345678 } }
            : e,
        ),
      ),
  },
  {
    name: 'entry-longer-than-declared',
    description:
      'A host refuses an entry that inflates to more than its declared size, with PKG_SIZE_MISMATCH',
    requirements: ['PKG-049'],
    why: 'Inflation stops at the declared size; a lying size is how a small archive fills a disk.',
    codes: packageCodes('PKG_SIZE_MISMATCH'),
    arrange: (s, pkg) =>
      publishArchive(s, pkg, (entries) =>
        entries.map((e) =>
          e.name === 'pages/second.html'
            ? {
                ...e,
                uncompressedSize: e.data.length - 10,
                local: { uncompressedSize: e.data.length - 10 },
              }
            : e,
        ),
      ),
  },
  {
    name: 'directory-entry-with-data',
    description: 'A host refuses a package whose directory entry has a non-zero size',
    requirements: ['PKG-028'],
    why: 'Directory entries carry no data; one that does hides bytes no file accounts for.',
    arrange: (s, pkg) =>
      publishArchive(s, pkg, (entries) => [
        {
          name: 'static/',
          data: encoder.encode('hidden'),
          method: 0,
          ...canonicalHeader,
          externalAttributes: 0x41ed0010,
        },
        ...entries,
      ]),
  },
  {
    name: 'unicode-path-extra-ignored',
    description:
      'A host reads entry paths from the central directory name and installs a package whose entries carry an Info-ZIP Unicode Path extra field that agrees with them',
    requirements: ['PKG-008'],
    why: 'Two names for one entry is a parser differential; the central directory name is the only one that counts, and a field that agrees with it (PKG-171) is no reason to refuse.',
    expect: 'installed',
    arrange: (s, pkg) =>
      publishArchive(s, pkg, (entries) =>
        entries.map((e) =>
          e.name === 'manifest.json'
            ? { ...e, extra: unicodePathExtra('manifest.json', 'manifest.json') }
            : e,
        ),
      ),
  },
  {
    name: 'unicode-path-mismatch',
    description:
      'A host refuses a package whose Info-ZIP Unicode Path extra field names another path than its entry, with PKG_UNICODE_PATH_MISMATCH',
    requirements: ['PKG-171'],
    why: 'Readers that honour the field would open another file than readers that ignore it; a field that disagrees is refused everywhere.',
    codes: packageCodes('PKG_UNICODE_PATH_MISMATCH'),
    arrange: (s, pkg) =>
      publishArchive(s, pkg, (entries) =>
        entries.map((e) =>
          e.name === 'manifest.json'
            ? { ...e, extra: unicodePathExtra('manifest.json', 'other/manifest.json') }
            : e,
        ),
      ),
  },
  {
    name: 'bytes-before-first-entry',
    description:
      'A host refuses a package with bytes before its first local header, with PKG_EXTRA_BYTES',
    requirements: ['PKG-170'],
    why: 'Bytes that belong to no entry can hide a second archive that another reader would find.',
    codes: packageCodes('PKG_EXTRA_BYTES'),
    arrange(s, pkg) {
      const bytes = assembleZip({
        entries: entriesOf(pkg.files),
        prefix: encoder.encode('#!/bin/sh\nexit 0\n'),
      }).bytes;
      s.world.addRelease(pkg.appId, specOf(pkg, { bundle: bytes }));
      s.world.publish();
    },
  },
  {
    name: 'too-many-entries',
    description:
      'A host refuses an archive of more than 2,000 entries with PKG_TOO_MANY_ENTRIES even when their data is corrupt',
    requirements: ['PKG-048', 'PKG-047'],
    why: 'Limits are checked on the central directory before inflating, so the limit, not a later symptom, names the fault.',
    codes: packageCodes('PKG_TOO_MANY_ENTRIES'),
    arrange: (s, pkg) =>
      publishArchive(s, pkg, (entries) => [
        ...entries,
        ...Array.from({ length: 2001 }, (_, i): ZipEntrySpec => ({
          name: `filler/${String(i).padStart(4, '0')}.txt`,
          data: encoder.encode(`filler ${i}\n`),
          method: 8,
          compressed: new Uint8Array([0xff, 0xff, 0xff]),
          ...canonicalHeader,
        })),
      ]),
  },
  {
    name: 'compression-ratio',
    description:
      'A host refuses an entry whose declared sizes give a compression ratio above 100, with PKG_COMPRESSION_RATIO',
    requirements: ['PKG-048'],
    why: 'A ratio bomb is caught from the central directory before a byte is inflated.',
    codes: packageCodes('PKG_COMPRESSION_RATIO'),
    arrange: (s, pkg) =>
      publishArchive(s, pkg, (entries) => [
        ...entries,
        {
          name: 'data/bomb.bin',
          data: new Uint8Array(600 * 1024),
          method: 8,
          compressed: new Uint8Array(1024).fill(0x03),
          ...canonicalHeader,
        },
      ]),
  },
  {
    name: 'main-package-over-limit',
    description:
      'A host refuses a main package of more than 2 MiB, with PKG_MAIN_PACKAGE_TOO_LARGE',
    requirements: ['PKG-047'],
    why: 'A platform never raises a limit, so a package one host accepts fits every host.',
    codes: packageCodes('PKG_MAIN_PACKAGE_TOO_LARGE', 'PKG_TOO_LARGE'),
    timeoutMs: 120_000,
    probe: {
      extraFiles: { 'data/large.bin': verificationFile('data/large.bin', 2 * 1024 * 1024 + 4096) },
    },
    arrange(s, pkg) {
      s.world.addRelease(pkg.appId, specOf(pkg));
      s.world.publish();
    },
  },
  {
    name: 'zip-slip-entry',
    description:
      'A host refuses a whole package one of whose entries is named ../escape.html, with PKG_UNSAFE_PATH',
    requirements: ['PKG-029'],
    why: 'Path traversal writes outside the package; the reader refuses the package rather than skipping the entry.',
    codes: packageCodes('PKG_UNSAFE_PATH'),
    arrange: (s, pkg) => publishWithEntry(s, pkg, '../escape.html', '<p>escape</p>'),
  },
  {
    name: 'absolute-entry-path',
    description:
      'A host refuses a whole package one of whose entries is named /escape.html, with PKG_UNSAFE_PATH',
    requirements: ['PKG-029'],
    why: 'A reader that only looks for ".." segments still writes /escape.html at the root of whatever it extracts into (PKG-020).',
    codes: packageCodes('PKG_UNSAFE_PATH'),
    arrange: (s, pkg) => publishWithEntry(s, pkg, '/escape.html', '<p>escape</p>'),
  },
  {
    name: 'backslash-entry-path',
    description:
      'A host refuses a whole package one of whose entries is named pages\\..\\..\\escape.html, with PKG_UNSAFE_PATH',
    requirements: ['PKG-029'],
    why: 'A backslash is one character on Unix and a separator on Windows: a reader that splits on "/" sees no ".." where Windows climbs out twice (PKG-020).',
    codes: packageCodes('PKG_UNSAFE_PATH'),
    arrange: (s, pkg) => publishWithEntry(s, pkg, 'pages\\..\\..\\escape.html', '<p>escape</p>'),
  },
  {
    name: 'case-colliding-entries',
    description:
      'A host refuses a whole package with entries pages/second.html and pages/Second.html, with PKG_DUPLICATE_PATH',
    requirements: ['PKG-029'],
    why: 'On a case-insensitive file system the two are one file, and which content wins depends on the order of writes; a reviewer may have seen the other one (PKG-026).',
    codes: packageCodes('PKG_DUPLICATE_PATH'),
    arrange: (s, pkg) =>
      publishWithEntry(s, pkg, 'pages/Second.html', '<p>the other second page</p>'),
  },
  {
    name: 'symlink-entry',
    description:
      'A host refuses a whole package with a Unix symbolic-link entry, with PKG_SYMLINK or PKG_SPECIAL_FILE',
    requirements: ['PKG-029'],
    why: 'A link extracted on a device points anywhere on its disk; a reader that looks only at the MS-DOS attribute bits never sees the Unix file type (PKG-027).',
    codes: packageCodes('PKG_SYMLINK', 'PKG_SPECIAL_FILE'),
    arrange: (s, pkg) =>
      publishWithEntry(s, pkg, 'static/link.css', '/etc/passwd', {
        // S_IFLNK | 0777 in the Unix half of the external attributes, made on Unix (0x03).
        externalAttributes: 0xa1ff0000,
      }),
  },
  {
    name: 'refused-update-keeps-version',
    description:
      'A host that refuses an update at any reading step keeps the version it had, which still launches',
    requirements: ['PKG-100'],
    why: 'Steps 2 to 4 complete for the whole archive before anything is used; a refused update leaves nothing behind.',
    async arrange(s, pkg) {
      s.world.addRelease(pkg.appId, specOf(pkg));
      s.world.publish();
      const first = await s.install(pkg.appId);
      if (first.kind !== 'installed')
        throw new CaseFailure(`the first install failed: ${describe(first)}`);
      const next = buildProbe({ versionCode: 2 });
      const bytes = assembleZip({
        entries: [
          ...entriesOf(next.files),
          {
            name: 'pages/../../escape.html',
            data: encoder.encode('x'),
            method: 0,
            ...canonicalHeader,
          },
        ],
      }).bytes;
      s.world.addRelease(pkg.appId, specOf(next, { bundle: bytes }));
      s.world.publish();
      return 1;
    },
    async check(s) {
      const launched = await s.launch(`miniapp://${[...s.world.apps.keys()][0] ?? ''}/`);
      if (launched.kind !== 'launched' || launched.versionCode !== 1) {
        throw new CaseFailure(
          `after the refused update the app launched as ${describe(launched)}, expected versionCode 1`,
        );
      }
    },
  },
  {
    name: 'manifest-breaks-rule',
    description:
      'A host refuses to install a package whose manifest names an entry page that is not among its pages',
    requirements: ['MAN-032'],
    why: 'A host checks every package rule of the manifest itself; a signed package is not necessarily a valid one.',
    probe: { manifest: { entryPage: 'pages/missing.html' } },
    arrange(s, pkg) {
      s.world.addRelease(pkg.appId, specOf(pkg));
      s.world.publish();
    },
  },
  {
    name: 'vendor-extension-ignored',
    description:
      'A host installs and launches a package whose manifest carries a vendor extension member it does not implement',
    requirements: ['MAN-006'],
    why: 'Vendor extensions (x-<vendor>-<name>) must not make a portable package fail on other hosts.',
    expect: 'installed',
    probe: { manifest: { 'x-acme-theme': { accent: '#ff6600' } } },
    arrange(s, pkg) {
      s.world.addRelease(pkg.appId, specOf(pkg));
      s.world.publish();
    },
    async check(s) {
      const launched = await s.launch(`miniapp://${[...s.world.apps.keys()][0] ?? ''}/`);
      if (launched.kind !== 'launched')
        throw new CaseFailure(`the app did not launch: ${describe(launched)}`);
    },
  },
];

export const hostReaderCases = scenarios.map((scenario) => scenarioCase('package', scenario));
