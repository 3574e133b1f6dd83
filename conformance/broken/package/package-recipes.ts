import { crc32, deflateRawSync } from 'node:zlib';
import {
  assembleZip,
  canonicalCompression,
  canonicalHeader,
  localRecord,
  zip64Extra,
  type ZipArchiveSpec,
  type ZipEntrySpec,
} from './zip-assembler.ts';

/**
 * The broken-package corpus: a valid base package and recipes that each break one MUST of the
 * package class the way a real packer, build script or partner might. The suite must fail each
 * one and name the requirement it breaks.
 */

export type Files = Map<string, Uint8Array>;

/** What a recipe produces: an archive, or a source directory (with optional symbolic links). */
export type Built =
  | { kind: 'archive'; bytes: Uint8Array }
  | { kind: 'directory'; files: Files; links?: { path: string; target: string }[] };

export interface PackageRecipe {
  /** File or folder name in the corpus. */
  name: string;
  /** The MUST the package breaks. */
  violates: string;
  /** Requirements that necessarily fail with it, and why (the suite may also name these). */
  alsoFails?: Record<string, string>;
  note: string;
  /** The fault shows only when the package runs (bridge-client cases, in Chromium). */
  runtime?: boolean;
  build(): Built;
}

const encoder = new TextEncoder();
const text = (s: string) => encoder.encode(s);

/** A 1x1 PNG. */
const png = Uint8Array.from(
  Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
    'base64',
  ),
);

export const baseManifest = {
  specVersion: '1.0',
  id: 'dev.example.corpus',
  name: 'Corpus',
  version: '1.0.0',
  versionCode: 1,
  minHostVersion: '1.0.0',
  entryPage: 'pages/index.html',
  pages: ['pages/index.html'],
  icons: [{ src: 'icons/icon.png', sizes: '192x192', type: 'image/png' }],
  category: 'utilities',
  defaultLocale: 'en',
};

type Manifest = Record<string, unknown>;

const page = (script = '../app.js') =>
  text(
    `<!doctype html>\n<html lang="en">\n  <head>\n    <meta charset="utf-8" />\n    <title>Corpus</title>\n  </head>\n  <body>\n    <p id="status">loading</p>\n    <script src="${script}"></script>\n  </body>\n</html>\n`,
  );

const appJs = `// The corpus app: shows a toast through the bridge.\ndocument.getElementById('status').textContent = 'ready';\nMiniAppBridge.call('ui.showToast', { message: 'hello' });\n`;

/** The files of the valid base package. */
export function baseFiles(manifest: Manifest = baseManifest): Files {
  return new Map([
    ['manifest.json', text(`${JSON.stringify(manifest, null, 2)}\n`)],
    ['pages/index.html', page()],
    ['app.js', text(appJs)],
    ['icons/icon.png', png],
  ]);
}

/** An archive of the files as a desktop zip tool would write it (not the canonical form). */
export function ordinaryArchive(
  files: Files,
  edit?: (entries: ZipEntrySpec[], spec: ZipArchiveSpec) => void,
): Built {
  const entries: ZipEntrySpec[] = [...files].map(([name, data]) => ({ name, data }));
  const spec: ZipArchiveSpec = { entries };
  edit?.(entries, spec);
  return { kind: 'archive', bytes: assembleZip(spec).bytes };
}

/** An archive in the canonical form of PKG-080 to PKG-084. */
export function canonicalArchive(
  files: Files,
  edit?: (entries: ZipEntrySpec[], spec: ZipArchiveSpec) => void,
): Built {
  const sorted = [...files].sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const entries: ZipEntrySpec[] = sorted.map(([name, data]) => {
    const { method, compressed } = canonicalCompression(data);
    return { name, data, method, compressed, ...canonicalHeader };
  });
  const spec: ZipArchiveSpec = { entries };
  edit?.(entries, spec);
  return { kind: 'archive', bytes: assembleZip(spec).bytes };
}

const withManifest = (patch: (m: Manifest) => void): Files => {
  const m = structuredClone(baseManifest) as Manifest;
  patch(m);
  return baseFiles(m);
};

const withFile = (name: string, data: Uint8Array | string, files = baseFiles()): Files => {
  files.set(name, typeof data === 'string' ? text(data) : data);
  return files;
};

const entryNamed = (entries: ZipEntrySpec[], name: string): ZipEntrySpec => {
  const entry = entries.find((e) => e.name === name);
  if (!entry) throw new Error(`recipe error: no entry ${name}`);
  return entry;
};

/** An app.js replaced by `code`. */
const withCode = (code: string, patch?: (m: Manifest) => void): Files =>
  withFile('app.js', code, withManifest(patch ?? (() => undefined)));

/** Deterministic bytes that do not compress (so stored and deflated sizes stay close). */
function noise(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i += 1) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** `count` empty, non-final stored deflate blocks before `data`: valid deflate that is larger than its output. */
function paddedDeflate(data: Uint8Array, count: number): Uint8Array {
  const empty = Uint8Array.from([0x00, 0x00, 0x00, 0xff, 0xff]);
  const tail = deflateRawSync(data);
  const out = new Uint8Array(count * empty.length + tail.length);
  for (let i = 0; i < count; i += 1) out.set(empty, i * empty.length);
  out.set(tail, count * empty.length);
  return out;
}

/** An Info-ZIP Unicode Path extra field (0x7075): version 1, the CRC-32 of `name`, then `path`. */
export function unicodePathExtra(name: string, path: string, version = 1): Uint8Array {
  const target = text(path);
  const field = new Uint8Array(9 + target.length);
  const view = new DataView(field.buffer);
  view.setUint16(0, 0x7075, true);
  view.setUint16(2, 5 + target.length, true);
  field[4] = version;
  view.setUint32(5, crc32(text(name)) >>> 0, true);
  field.set(target, 9);
  return field;
}

const bytesOf = (built: Built): Uint8Array => (built as { bytes: Uint8Array }).bytes;

/** Faults a hand-written bridge client can have (spec/bridge.md, client behaviour). */
interface ClientFaults {
  anySource?: boolean;
  everyInit?: boolean;
  constantIds?: boolean;
  throwsOnStrayResponse?: boolean;
  throwsOnUnknownEvent?: boolean;
}

/** A bridge client written without the SDK; with no faults it follows bridge.md. */
export function rawClient(faults: ClientFaults = {}): string {
  return `// A bridge client written without the SDK.
(function (global) {
  let port = null;
  let next = 0;
  const pending = new Map();
  const handlers = new Map([['app.show', () => undefined]]);
  global.addEventListener('message', (event) => {
    ${faults.everyInit ? '' : 'if (port) return;'}
    ${faults.anySource ? '' : 'if (event.source !== global.parent) return;'}
    const data = event.data;
    if (!data || data.bridge !== 'openminiapp' || data.kind !== 'init' || event.ports.length !== 1) return;
    port = event.ports[0];
    port.onmessage = (e) => {
      let m;
      try {
        m = typeof e.data === 'string' ? JSON.parse(e.data) : e.data;
      } catch {
        return;
      }
      if (!m || m.bridge !== 'openminiapp') return;
      if (m.kind === 'response') {
        const settle = pending.get(m.id);
        ${faults.throwsOnStrayResponse ? '' : 'if (!settle) return;'}
        pending.delete(m.id);
        settle(m);
      } else if (m.kind === 'event') {
        ${faults.throwsOnUnknownEvent ? 'handlers.get(m.name)(m.data);' : 'const handler = handlers.get(m.name);\n        if (handler) handler(m.data);'}
      }
    };
    start();
  });
  function request(method, params) {
    const id = ${faults.constantIds ? "'r-1'" : '`r-${++next}`'};
    return new Promise((resolve) => {
      pending.set(id, resolve);
      port.postMessage(JSON.stringify({ bridge: 'openminiapp', v: 1, kind: 'request', id, method, params }));
    });
  }
  function start() {
    request('storage.get', { key: 'draft' });
    request('storage.get', { key: 'settings' });
  }
})(window);
`;
}

const MiB = 1024 * 1024;

export const packageRecipes: PackageRecipe[] = [
  // Container (PKG-001 to PKG-010)
  {
    name: 'not-a-zip',
    violates: 'PKG-001',
    note: 'a text file renamed to .ma',
    build: () => ({
      kind: 'archive',
      bytes: text('This is not a ZIP archive, just a text file with the wrong extension.\n'),
    }),
  },
  {
    name: 'truncated',
    violates: 'PKG-001',
    note: 'the download stopped half way: no end record',
    build: () => {
      const built = ordinaryArchive(baseFiles());
      return { kind: 'archive', bytes: (built as { bytes: Uint8Array }).bytes.subarray(0, 400) };
    },
  },
  {
    name: 'two-end-records',
    violates: 'PKG-001',
    note: 'the archive comment holds a second end-of-central-directory record that also ends the file',
    build: () => {
      const fake = new Uint8Array(22);
      new DataView(fake.buffer).setUint32(0, 0x06054b50, true);
      return ordinaryArchive(baseFiles(), (_e, spec) => void (spec.comment = fake));
    },
  },
  {
    name: 'entry-count-lies',
    violates: 'PKG-001',
    note: 'the end record counts one entry more than the central directory holds',
    build: () =>
      ordinaryArchive(
        baseFiles(),
        (_e, spec) => void (spec.end = { entriesOnDisk: 5, totalEntries: 5 }),
      ),
  },
  {
    name: 'local-size-lies',
    violates: 'PKG-001',
    note: 'the local header of app.js declares a different size than the central directory',
    build: () =>
      ordinaryArchive(
        baseFiles(),
        (e) => void (entryNamed(e, 'app.js').local = { uncompressedSize: 7 }),
      ),
  },
  {
    name: 'data-descriptor-lies',
    violates: 'PKG-001',
    note: 'app.js uses a data descriptor whose CRC-32 and size disagree with the central directory',
    build: () =>
      ordinaryArchive(
        baseFiles(),
        (e) => void (entryNamed(e, 'app.js').descriptor = { crc: 0x12345678, uncompressedSize: 3 }),
      ),
  },
  {
    name: 'unlisted-entry',
    violates: 'PKG-001',
    alsoFails: {
      'PKG-170': 'the bytes of the unlisted entry belong to no entry the archive lists',
    },
    note: 'a local entry (evil.js) that the central directory does not list',
    build: () =>
      ordinaryArchive(
        baseFiles(),
        (e) => void e.splice(1, 0, { name: 'evil.js', data: text('alert(1);\n'), unlisted: true }),
      ),
  },
  {
    name: 'bad-crc',
    violates: 'PKG-001',
    note: 'the CRC-32 of app.js is wrong in both headers',
    build: () =>
      ordinaryArchive(baseFiles(), (e) => void (entryNamed(e, 'app.js').crc = 0xdeadbeef)),
  },
  {
    name: 'size-understated',
    violates: 'PKG-001',
    note: 'app.js inflates to more bytes than both headers declare',
    build: () =>
      ordinaryArchive(baseFiles(), (e) => {
        const entry = entryNamed(e, 'app.js');
        entry.uncompressedSize = 10;
        entry.local = { uncompressedSize: 10 };
      }),
  },
  {
    name: 'compression-method-bzip2',
    violates: 'PKG-002',
    note: 'app.js uses compression method 12 (bzip2)',
    build: () => ordinaryArchive(baseFiles(), (e) => void (entryNamed(e, 'app.js').method = 12)),
  },
  {
    name: 'encrypted-entry',
    violates: 'PKG-003',
    note: 'app.js has the encryption bit set',
    build: () => ordinaryArchive(baseFiles(), (e) => void (entryNamed(e, 'app.js').flags = 0x0801)),
  },
  {
    name: 'strong-encryption-flag',
    violates: 'PKG-003',
    note: 'app.js sets bit 6 (strong encryption) only',
    build: () => ordinaryArchive(baseFiles(), (e) => void (entryNamed(e, 'app.js').flags = 0x0840)),
  },
  {
    name: 'zip64-extra-field',
    violates: 'PKG-004',
    note: 'app.js carries a ZIP64 extended information extra field',
    build: () =>
      ordinaryArchive(baseFiles(), (e) => {
        const entry = entryNamed(e, 'app.js');
        entry.extra = zip64Extra(entry.data.length, entry.data.length);
      }),
  },
  {
    name: 'zip64-end-records',
    violates: 'PKG-004',
    note: 'a ZIP64 end record and locator precede the end record',
    build: () => ordinaryArchive(baseFiles(), (_e, spec) => void (spec.zip64Records = true)),
  },
  {
    name: 'second-disk',
    violates: 'PKG-004',
    note: 'the end record says this is disk 1 of a spanned archive',
    build: () =>
      ordinaryArchive(
        baseFiles(),
        (_e, spec) => void (spec.end = { disk: 1, centralDirectoryDisk: 1 }),
      ),
  },
  {
    name: 'name-not-utf8',
    violates: 'PKG-007',
    note: 'an entry name in CP437 (0x82 for é) with the UTF-8 flag set',
    build: () =>
      ordinaryArchive(
        baseFiles(),
        (e) =>
          void e.push({
            name: Uint8Array.from([0x63, 0x61, 0x66, 0x82, 0x2e, 0x6a, 0x73]),
            data: text('// café\n'),
          }),
      ),
  },
  {
    name: 'utf8-name-without-flag',
    violates: 'PKG-007',
    note: 'an entry name café.js in UTF-8 without the language-encoding flag',
    build: () =>
      ordinaryArchive(
        baseFiles(),
        (e) => void e.push({ name: 'café.js', data: text('// café\n'), flags: 0 }),
      ),
  },
  {
    name: 'local-name-differs',
    violates: 'PKG-009',
    note: 'the local header of app.js names it evil.js',
    build: () =>
      ordinaryArchive(
        baseFiles(),
        (e) => void (entryNamed(e, 'app.js').local = { name: 'evil.js' }),
      ),
  },
  {
    name: 'local-method-differs',
    violates: 'PKG-009',
    note: 'the local header of app.js says stored while the central directory says deflate',
    build: () =>
      ordinaryArchive(baseFiles(), (e) => void (entryNamed(e, 'app.js').local = { method: 0 })),
  },
  {
    name: 'nested-overlapping-entry',
    violates: 'PKG-010',
    note: "a stored entry whose data is another listed entry's local record",
    build: () => {
      const inner = text('// inner file\n');
      const record = localRecord('inner.js', inner);
      const files = baseFiles();
      const entries: ZipEntrySpec[] = [...files].map(([name, data]) => ({ name, data }));
      entries.unshift({ name: 'outer.bin', data: record, method: 0 });
      entries.push({
        name: 'inner.js',
        data: inner,
        method: 0,
        centralOnlyAt: 30 + 'outer.bin'.length,
      });
      return { kind: 'archive', bytes: assembleZip({ entries }).bytes };
    },
  },
  {
    name: 'overlapping-entries-bomb',
    violates: 'PKG-010',
    alsoFails: {
      'PKG-009': 'the extra central headers name other files than the one local header they share',
    },
    note: 'ten central directory entries point at the same local header (the overlapping-entry bomb)',
    build: () => {
      const entries: ZipEntrySpec[] = [...baseFiles()].map(([name, data]) => ({ name, data }));
      const payload = noise(64 * 1024, 5);
      entries.push({ name: 'bomb/0.bin', data: payload, method: 0 });
      const at = assembleZip({ entries }).offsets.at(-1) ?? 0;
      for (let i = 1; i < 10; i += 1)
        entries.push({ name: `bomb/${i}.bin`, data: payload, method: 0, centralOnlyAt: at });
      return { kind: 'archive', bytes: assembleZip({ entries }).bytes };
    },
  },
  // Paths (PKG-020 to PKG-027)
  {
    name: 'gif-polyglot',
    violates: 'PKG-170',
    note: 'a GIF image before the first entry, offsets adjusted (zip -A), so the file opens as an image and as a ZIP',
    build: () =>
      ordinaryArchive(
        baseFiles(),
        (_e, spec) =>
          void (spec.prefix = Uint8Array.from(
            Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64'),
          )),
      ),
  },
  {
    name: 'html-polyglot',
    violates: 'PKG-170',
    note: 'an HTML page glued in front of the archive with cat, so the offsets do not count it',
    build: () => ({
      kind: 'archive',
      bytes: Buffer.concat([
        text('<!doctype html><title>x</title><script>alert(document.domain)</script><!--'),
        bytesOf(ordinaryArchive(baseFiles())),
      ]),
    }),
  },
  {
    name: 'bytes-after-end-record',
    violates: 'PKG-170',
    note: 'a build script appended its signature block after the end-of-central-directory record',
    build: () => ({
      kind: 'archive',
      bytes: Buffer.concat([
        bytesOf(ordinaryArchive(baseFiles())),
        text('-----BEGIN BUILD SIGNATURE-----\nMEUCIQDx0kq7\n-----END BUILD SIGNATURE-----\n'),
      ]),
    }),
  },
  {
    name: 'bytes-between-entries',
    violates: 'PKG-170',
    note: 'padding between the data of app.js and the next local header',
    build: () =>
      ordinaryArchive(baseFiles(), (e) => {
        const entry = entryNamed(e, 'app.js');
        const data = deflateRawSync(entry.data);
        // The padding sits after the deflate stream's end, outside the declared compressed size.
        entry.compressed = Buffer.concat([data, new Uint8Array(64)]);
        entry.compressedSize = data.length;
        entry.local = { compressedSize: data.length };
      }),
  },
  {
    name: 'unicode-path-elsewhere',
    violates: 'PKG-171',
    note: 'app.js carries an Info-ZIP Unicode Path field (valid CRC of its name) that names ../../evil.js',
    build: () =>
      ordinaryArchive(
        baseFiles(),
        (e) => void (entryNamed(e, 'app.js').extra = unicodePathExtra('app.js', '../../evil.js')),
      ),
  },
  {
    name: 'zip-slip',
    violates: 'PKG-021',
    note: 'an entry named ../../evil.js',
    build: () => ordinaryArchive(withFile('../../evil.js', 'alert(1);\n')),
  },
  {
    name: 'absolute-path',
    violates: 'PKG-020',
    note: 'an entry named /etc/cron.d/evil',
    build: () => ordinaryArchive(withFile('/etc/cron.d/evil', '* * * * * root true\n')),
  },
  {
    name: 'backslash-path',
    violates: 'PKG-020',
    note: 'an entry named assets\\evil.js with a Windows separator',
    build: () => ordinaryArchive(withFile('assets\\evil.js', '// evil\n')),
  },
  {
    name: 'control-character',
    violates: 'PKG-022',
    note: 'an entry name with a carriage return',
    build: () => ordinaryArchive(withFile('notes\r.txt', 'text\n')),
  },
  {
    name: 'not-nfc',
    violates: 'PKG-023',
    note: 'an entry name in NFD (e + combining acute accent)',
    build: () => ordinaryArchive(withFile('cafe\u0301.txt', 'text\n')),
  },
  {
    name: 'reserved-character',
    violates: 'PKG-024',
    note: 'an entry name with a colon',
    build: () => ordinaryArchive(withFile('notes:2025.txt', 'text\n')),
  },
  {
    name: 'trailing-dot',
    violates: 'PKG-024',
    note: 'a segment that ends in a dot',
    build: () => ordinaryArchive(withFile('docs./readme.txt', 'text\n')),
  },
  {
    name: 'long-segment',
    violates: 'PKG-025',
    note: 'a 256-byte file name',
    build: () => ordinaryArchive(withFile(`${'a'.repeat(252)}.txt`, 'text\n')),
  },
  {
    name: 'case-fold-duplicate',
    violates: 'PKG-026',
    note: 'App.js beside app.js',
    build: () => ordinaryArchive(withFile('App.js', '// shadow copy\n')),
  },
  {
    name: 'duplicate-name',
    violates: 'PKG-026',
    note: 'app.js listed twice with different contents',
    build: () =>
      ordinaryArchive(
        baseFiles(),
        (e) => void e.push({ name: 'app.js', data: text('alert("second");\n') }),
      ),
  },
  {
    name: 'file-shadows-folder',
    violates: 'PKG-026',
    note: 'a file named PAGES beside the folder pages/',
    build: () => ordinaryArchive(withFile('PAGES', 'text\n')),
  },
  {
    name: 'symlink-entry',
    violates: 'PKG-027',
    note: 'an entry whose Unix mode is a symbolic link to /etc/passwd',
    build: () =>
      ordinaryArchive(
        baseFiles(),
        (e) =>
          void e.push({
            name: 'passwd',
            data: text('/etc/passwd'),
            method: 0,
            externalAttributes: 0xa1ff0000,
          }),
      ),
  },
  // Size limits (PKG-040 to PKG-045)
  {
    name: 'main-package-too-large',
    violates: 'PKG-040',
    note: '2.1 MiB of media in the main package',
    build: () =>
      ordinaryArchive(
        withFile('media/video.bin', noise(Math.floor(2.1 * MiB), 7)),
        (e) => void (entryNamed(e, 'media/video.bin').method = 0),
      ),
  },
  {
    name: 'subpackage-too-large',
    violates: 'PKG-041',
    note: 'a subpackage with 2.1 MiB of files',
    build: () => {
      const files = withManifest(
        (m) => (m['subpackages'] = [{ root: 'extra/', name: 'extra', pages: ['index.html'] }]),
      );
      files.set('extra/index.html', page('../app.js'));
      files.set('extra/data.bin', noise(Math.floor(2.1 * MiB), 11));
      return ordinaryArchive(files, (e) => void (entryNamed(e, 'extra/data.bin').method = 0));
    },
  },
  {
    name: 'total-too-large',
    violates: 'PKG-042',
    note: 'eleven subpackages of 1.9 MiB each: every share fits, the total does not',
    build: () => {
      const roots = Array.from({ length: 11 }, (_, i) => `part${i}/`);
      const files = withManifest(
        (m) =>
          (m['subpackages'] = roots.map((root, i) => ({
            root,
            name: `part${i}`,
            pages: ['index.html'],
          }))),
      );
      roots.forEach((root, i) => {
        files.set(`${root}index.html`, page('../app.js'));
        files.set(`${root}data.bin`, noise(Math.floor(1.9 * MiB), 100 + i));
      });
      return ordinaryArchive(files, (e) =>
        e.filter((x) => String(x.name).endsWith('.bin')).forEach((x) => (x.method = 0)),
      );
    },
  },
  {
    name: 'too-many-entries',
    violates: 'PKG-043',
    note: '2001 entries',
    build: () => {
      const files = baseFiles();
      for (let i = 0; files.size < 2001; i += 1) files.set(`strings/s${i}.txt`, text(`${i}\n`));
      return ordinaryArchive(files);
    },
  },
  {
    name: 'ratio-bomb',
    violates: 'PKG-044',
    note: 'one MiB of zeros deflated to about a kilobyte (ratio above 100)',
    build: () => ordinaryArchive(withFile('data/zeros.bin', new Uint8Array(MiB))),
  },
  {
    name: 'archive-too-large',
    violates: 'PKG-045',
    note: 'a 26 MiB .ma file whose few kilobytes of content are padded with empty deflate blocks',
    build: () =>
      ordinaryArchive(withFile('data/padded.txt', 'padded\n'), (e) => {
        const entry = entryNamed(e, 'data/padded.txt');
        entry.compressed = paddedDeflate(entry.data, Math.ceil((26 * MiB) / 5));
      }),
  },
  // Canonical form (PKG-081 to PKG-084)
  {
    name: 'canonical-unsorted',
    violates: 'PKG-081',
    note: 'canonical headers, but the entries are not sorted',
    build: () => canonicalArchive(baseFiles(), (e) => void e.reverse()),
  },
  {
    name: 'canonical-extra-field',
    violates: 'PKG-082',
    note: 'canonical headers, but app.js carries an extended-timestamp extra field',
    build: () =>
      canonicalArchive(
        baseFiles(),
        (e) =>
          void (entryNamed(e, 'app.js').extra = Uint8Array.from([
            0x55, 0x54, 0x05, 0x00, 0x01, 0, 0, 0, 0,
          ])),
      ),
  },
  {
    name: 'canonical-other-deflater',
    violates: 'PKG-083',
    note: "canonical headers, but manifest.json is deflated by zlib at level 1 instead of fflate's level 9",
    build: () =>
      canonicalArchive(baseFiles(), (e) => {
        const entry = entryNamed(e, 'manifest.json');
        entry.method = 8;
        entry.compressed = deflateRawSync(entry.data, { level: 1 });
      }),
  },
  {
    name: 'canonical-with-comment',
    violates: 'PKG-084',
    note: 'canonical headers, but the end record carries a comment',
    build: () =>
      canonicalArchive(baseFiles(), (_e, spec) => void (spec.comment = text('built by make'))),
  },
  // Manifest (MAN-001 to MAN-030)
  {
    name: 'manifest-missing',
    violates: 'MAN-001',
    note: 'no manifest.json',
    build: () => {
      const files = baseFiles();
      files.delete('manifest.json');
      return ordinaryArchive(files);
    },
  },
  {
    name: 'manifest-in-subfolder',
    violates: 'MAN-001',
    note: 'the manifest is at app/manifest.json, not at the root',
    build: () => {
      const files = baseFiles();
      files.set('app/manifest.json', files.get('manifest.json') as Uint8Array);
      files.delete('manifest.json');
      return ordinaryArchive(files);
    },
  },
  {
    name: 'manifest-duplicate-member',
    violates: 'MAN-002',
    note: 'the manifest names "id" twice with different values',
    build: () => {
      const files = baseFiles();
      const json = new TextDecoder()
        .decode(files.get('manifest.json'))
        .replace(
          '"id": "dev.example.corpus",',
          '"id": "dev.example.corpus",\n  "id": "dev.example.other",',
        );
      return ordinaryArchive(withFile('manifest.json', json, files));
    },
  },
  {
    name: 'manifest-bom',
    violates: 'MAN-002',
    note: 'the manifest starts with a UTF-8 byte order mark',
    build: () =>
      ordinaryArchive(withFile('manifest.json', `\ufeff${JSON.stringify(baseManifest)}`)),
  },
  {
    name: 'manifest-trailing-comma',
    violates: 'MAN-002',
    note: 'the manifest has a trailing comma',
    build: () =>
      ordinaryArchive(withFile('manifest.json', JSON.stringify(baseManifest).replace(/}$/, ',}'))),
  },
  {
    name: 'manifest-too-large',
    violates: 'MAN-003',
    note: 'a 300 KB vendor extension makes the manifest larger than 256 KiB',
    build: () =>
      ordinaryArchive(
        withManifest(
          (m) => (m['x-acme-notes'] = Buffer.from(noise(225_000, 9)).toString('base64')),
        ),
      ),
  },
  {
    name: 'manifest-too-deep',
    violates: 'MAN-003',
    note: 'a vendor extension nests 40 arrays',
    build: () =>
      ordinaryArchive(
        withManifest((m) => (m['x-acme-deep'] = JSON.parse(`${'['.repeat(40)}${']'.repeat(40)}`))),
      ),
  },
  {
    name: 'manifest-missing-member',
    violates: 'MAN-004',
    note: 'no category',
    build: () => ordinaryArchive(withManifest((m) => delete m['category'])),
  },
  {
    name: 'manifest-unknown-member',
    violates: 'MAN-005',
    note: 'a misspelt member "premissions"',
    build: () => ordinaryArchive(withManifest((m) => (m['premissions'] = {}))),
  },
  {
    name: 'manifest-spec-version',
    violates: 'MAN-007',
    note: 'specVersion "2.0"',
    build: () => ordinaryArchive(withManifest((m) => (m['specVersion'] = '2.0'))),
  },
  {
    name: 'manifest-uppercase-id',
    violates: 'MAN-008',
    note: 'id com.Example.corpus',
    build: () => ordinaryArchive(withManifest((m) => (m['id'] = 'com.Example.corpus'))),
  },
  {
    name: 'manifest-blank-name',
    violates: 'MAN-009',
    note: 'a name of three spaces',
    build: () => ordinaryArchive(withManifest((m) => (m['name'] = '   '))),
  },
  {
    name: 'manifest-short-version',
    violates: 'MAN-010',
    note: 'version "1.0"',
    build: () => ordinaryArchive(withManifest((m) => (m['version'] = '1.0'))),
  },
  {
    name: 'manifest-version-code-zero',
    violates: 'MAN-011',
    note: 'versionCode 0',
    build: () => ordinaryArchive(withManifest((m) => (m['versionCode'] = 0))),
  },
  {
    name: 'manifest-min-host-prerelease',
    violates: 'MAN-012',
    note: 'minHostVersion "1.0.0-beta"',
    build: () => ordinaryArchive(withManifest((m) => (m['minHostVersion'] = '1.0.0-beta'))),
  },
  {
    name: 'manifest-min-host-too-large',
    violates: 'VER-170',
    alsoFails: {
      'MAN-012':
        'minHostVersion must be a host API version, which the manifest schema bounds by VER-170',
    },
    note: 'minHostVersion "1.0.4294967296" (a PATCH that wraps to 0 in 32 bits)',
    build: () => ordinaryArchive(withManifest((m) => (m['minHostVersion'] = '1.0.4294967296'))),
  },
  {
    name: 'manifest-nul-character',
    violates: 'MAN-170',
    note: 'a vendor member whose string value holds U+0000',
    build: () => ordinaryArchive(withManifest((m) => (m['x-acme-build'] = 'release\u0000debug'))),
  },
  {
    name: 'manifest-page-not-html',
    violates: 'MAN-013',
    note: 'a listed page pages/help.htm (not .html), present in the package',
    build: () =>
      ordinaryArchive(
        withFile(
          'pages/help.htm',
          page(),
          withManifest((m) => (m['pages'] = ['pages/index.html', 'pages/help.htm'])),
        ),
      ),
  },
  {
    name: 'manifest-entry-not-listed',
    violates: 'MAN-014',
    note: 'entryPage pages/start.html exists but is not listed in pages',
    build: () =>
      ordinaryArchive(
        withFile(
          'pages/start.html',
          page(),
          withManifest((m) => (m['entryPage'] = 'pages/start.html')),
        ),
      ),
  },
  {
    name: 'manifest-page-twice',
    violates: 'MAN-015',
    note: 'pages/index.html listed twice',
    build: () =>
      ordinaryArchive(withManifest((m) => (m['pages'] = ['pages/index.html', 'pages/index.html']))),
  },
  {
    name: 'page-missing',
    violates: 'MAN-016',
    note: 'pages lists pages/about.html, which the package does not hold',
    build: () =>
      ordinaryArchive(withManifest((m) => (m['pages'] = ['pages/index.html', 'pages/about.html']))),
  },
  {
    name: 'icon-wrong-case',
    violates: 'MAN-016',
    note: 'the icon is listed as icons/Icon.png but packed as icons/icon.png',
    build: () =>
      ordinaryArchive(
        withManifest(
          (m) => (m['icons'] = [{ src: 'icons/Icon.png', sizes: '192x192', type: 'image/png' }]),
        ),
      ),
  },
  {
    name: 'subpackage-bad-name',
    violates: 'MAN-017',
    note: 'a subpackage named "Cart Page"',
    build: () => {
      const files = withManifest(
        (m) => (m['subpackages'] = [{ root: 'cart/', name: 'Cart Page', pages: ['index.html'] }]),
      );
      return ordinaryArchive(withFile('cart/index.html', page('../app.js'), files));
    },
  },
  {
    name: 'subpackage-nesting',
    violates: 'MAN-018',
    note: 'subpackage roots shop/ and shop/cart/ nest',
    build: () => {
      const files = withManifest(
        (m) =>
          (m['subpackages'] = [
            { root: 'shop/', name: 'shop', pages: ['index.html'] },
            { root: 'shop/cart/', name: 'cart', pages: ['index.html'] },
          ]),
      );
      files.set('shop/index.html', page('../app.js'));
      files.set('shop/cart/index.html', page('../../app.js'));
      return ordinaryArchive(files);
    },
  },
  {
    name: 'main-page-in-subpackage',
    violates: 'MAN-019',
    note: 'a main-package page lies under the subpackage root extra/',
    build: () => {
      const files = withManifest((m) => {
        m['pages'] = ['pages/index.html', 'extra/main.html'];
        m['subpackages'] = [{ root: 'extra/', name: 'extra', pages: ['index.html'] }];
      });
      files.set('extra/index.html', page('../app.js'));
      files.set('extra/main.html', page('../app.js'));
      return ordinaryArchive(files);
    },
  },
  {
    name: 'unknown-permission',
    violates: 'MAN-021',
    alsoFails: { 'PRM-001': 'the same rule, stated in permissions.md' },
    note: 'a permission "telepathy" that the registry does not define',
    build: () =>
      ordinaryArchive(
        withManifest((m) => (m['permissions'] = { telepathy: { reason: 'Reads your mind.' } })),
      ),
  },
  {
    name: 'permission-blank-reason',
    violates: 'MAN-022',
    note: 'the location permission with a reason of white space',
    build: () =>
      ordinaryArchive(withManifest((m) => (m['permissions'] = { location: { reason: ' ' } }))),
  },
  {
    name: 'http-domain',
    violates: 'MAN-023',
    note: 'allowedDomains lists http://api.example.com',
    build: () =>
      ordinaryArchive(withManifest((m) => (m['allowedDomains'] = ['http://api.example.com']))),
  },
  {
    name: 'wildcard-domain',
    violates: 'MAN-023',
    note: 'allowedDomains lists https://*.example.com',
    build: () =>
      ordinaryArchive(withManifest((m) => (m['allowedDomains'] = ['https://*.example.com']))),
  },
  {
    name: 'icon-too-large',
    violates: 'MAN-025',
    note: 'an icon declared 8192x8192',
    build: () =>
      ordinaryArchive(
        withManifest(
          (m) => (m['icons'] = [{ src: 'icons/icon.png', sizes: '8192x8192', type: 'image/png' }]),
        ),
      ),
  },
  {
    name: 'unknown-category',
    violates: 'MAN-027',
    note: 'category "cooking"',
    build: () => ordinaryArchive(withManifest((m) => (m['category'] = 'cooking'))),
  },
  {
    name: 'locale-wrong-case',
    violates: 'MAN-028',
    note: 'defaultLocale "en-us"',
    build: () => ordinaryArchive(withManifest((m) => (m['defaultLocale'] = 'en-us'))),
  },
  {
    name: 'translation-not-strings',
    violates: 'MAN-029',
    note: 'i18n/en.json holds a number',
    build: () => ordinaryArchive(withFile('i18n/en.json', '{ "name": "Corpus", "count": 3 }\n')),
  },
  {
    name: 'translation-badly-named',
    violates: 'MAN-029',
    note: 'a translation named i18n/english.json',
    build: () =>
      ordinaryArchive(
        withFile(
          'i18n/english.json',
          '{ "name": "Corpus" }\n',
          withFile('i18n/en.json', '{ "name": "Corpus" }\n'),
        ),
      ),
  },
  {
    name: 'default-translation-missing',
    violates: 'MAN-030',
    note: 'i18n/ holds de.json but not en.json for defaultLocale en',
    build: () => ordinaryArchive(withFile('i18n/de.json', '{ "name": "Korpus" }\n')),
  },
  // Code (REV-101 to REV-119, VER-010)
  {
    name: 'syntax-error',
    violates: 'REV-101',
    note: 'app.js does not parse',
    build: () => ordinaryArchive(withCode('function broken( {\n')),
  },
  {
    name: 'script-latin1',
    violates: 'REV-102',
    note: 'app.js is encoded in ISO-8859-1',
    build: () =>
      ordinaryArchive(
        withFile('app.js', Uint8Array.from(Buffer.from("const label = 'caf\xe9';\n", 'latin1'))),
      ),
  },
  {
    name: 'eval',
    violates: 'REV-104',
    note: 'app.js calls eval on a string from the URL',
    build: () => ordinaryArchive(withCode('eval(location.hash.slice(1));\n')),
  },
  {
    name: 'eval-hidden',
    violates: 'REV-104',
    note: "app.js reaches eval as window['ev' + 'al'] through an alias",
    build: () =>
      ordinaryArchive(
        withCode("const w = window;\nconst run = w['ev' + 'al'];\nrun(location.hash.slice(1));\n"),
      ),
  },
  {
    name: 'function-constructor',
    violates: 'REV-105',
    note: 'app.js builds a function with new Function',
    build: () => ordinaryArchive(withCode("const f = new Function('a', 'return a * 2');\nf(2);\n")),
  },
  {
    name: 'constructor-escape',
    violates: 'REV-105',
    note: "app.js reaches Function as ''.constructor.constructor",
    build: () => ordinaryArchive(withCode("''.constructor.constructor('return this')();\n")),
  },
  {
    name: 'string-timer',
    violates: 'REV-106',
    note: 'app.js passes a string to setTimeout',
    build: () => ordinaryArchive(withCode("setTimeout('refresh()', 1000);\n")),
  },
  {
    name: 'remote-import',
    violates: 'REV-107',
    note: 'app.js imports a module from a CDN',
    build: () =>
      ordinaryArchive(
        withCode("import('https://cdn.example.com/lib.js').then((m) => m.start());\n"),
      ),
  },
  {
    name: 'injected-script',
    violates: 'REV-107',
    note: 'app.js injects a script element with a remote source',
    build: () =>
      ordinaryArchive(
        withCode(
          "const s = document.createElement('script');\ns.src = 'https://cdn.example.com/tracker.js';\ndocument.head.append(s);\n",
        ),
      ),
  },
  {
    name: 'computed-import',
    violates: 'REV-108',
    note: 'app.js imports a module whose name it computes',
    build: () =>
      ordinaryArchive(
        withCode("const lang = navigator.language;\nimport('./locales/' + lang + '.js');\n"),
      ),
  },
  {
    name: 'remote-script-tag',
    violates: 'REV-109',
    note: 'the page loads a script from a CDN',
    build: () =>
      ordinaryArchive(withFile('pages/index.html', page('https://cdn.example.com/app.js'))),
  },
  {
    name: 'remote-base',
    violates: 'REV-109',
    note: 'the page sets <base href> to another origin',
    build: () =>
      ordinaryArchive(
        withFile(
          'pages/index.html',
          new TextDecoder()
            .decode(page())
            .replace(
              '<meta charset="utf-8" />',
              '<meta charset="utf-8" />\n    <base href="https://evil.example/" />',
            ),
        ),
      ),
  },
  {
    name: 'parent-access',
    violates: 'REV-110',
    note: 'app.js reads window.parent to talk to the host directly',
    build: () => ordinaryArchive(withCode("window.parent.postMessage({ hello: 'host' }, '*');\n")),
  },
  {
    name: 'top-destructured',
    violates: 'REV-110',
    note: 'app.js takes top from self by destructuring',
    build: () => ordinaryArchive(withCode('const { top: host } = self;\nhost.location.href;\n')),
  },
  {
    name: 'document-domain',
    violates: 'REV-111',
    note: 'app.js relaxes document.domain',
    build: () => ordinaryArchive(withCode("document.domain = 'example.com';\n")),
  },
  {
    name: 'unknown-bridge-method',
    violates: 'REV-114',
    note: "app.js calls 'storage.gte' (a typo)",
    build: () => ordinaryArchive(withCode("MiniAppBridge.call('storage.gte', { key: 'cart' });\n")),
  },
  {
    name: 'undeclared-permission',
    violates: 'REV-116',
    note: 'app.js calls location.getCurrent without declaring location',
    build: () =>
      ordinaryArchive(
        withCode("MiniAppBridge.call('location.getCurrent', { accuracy: 'coarse' });\n"),
      ),
  },
  {
    name: 'method-newer-than-min-host',
    violates: 'VER-010',
    alsoFails: { 'REV-118': 'the same rule, stated as a review rule' },
    note: 'app.js calls media.chooseImage (host API 1.2.0) with minHostVersion 1.0.0 and no canIUse guard',
    build: () =>
      ordinaryArchive(
        withCode(
          "MiniAppBridge.call('media.chooseImage', { count: 1 });\n",
          (m) => (m['permissions'] = { photos: { reason: 'Attaches a photo to your note.' } }),
        ),
      ),
  },
  {
    name: 'domain-not-allowed',
    violates: 'REV-119',
    note: 'app.js fetches from an origin that allowedDomains does not list',
    build: () =>
      ordinaryArchive(
        withCode(
          "fetch('https://tracker.example.net/collect?id=1');\n",
          (m) => (m['allowedDomains'] = ['https://api.example.com']),
        ),
      ),
  },
  {
    name: 'plain-http-websocket',
    violates: 'REV-119',
    note: 'app.js opens a ws:// socket',
    build: () =>
      ordinaryArchive(
        withCode(
          "const socket = new WebSocket('ws://api.example.com/live');\n",
          (m) => (m['allowedDomains'] = ['wss://api.example.com']),
        ),
      ),
  },
  // Bridge client behaviour (BRG-010 to BRG-034), observed by running the package
  {
    name: 'client-accepts-any-init',
    violates: 'BRG-034',
    runtime: true,
    note: 'a hand-written client that takes an init message from any window',
    build: () => ordinaryArchive(withCode(rawClient({ anySource: true }))),
  },
  {
    name: 'client-accepts-second-init',
    violates: 'BRG-034',
    runtime: true,
    note: 'a hand-written client that takes every init message from its parent, not only the first',
    build: () => ordinaryArchive(withCode(rawClient({ everyInit: true }))),
  },
  {
    name: 'client-reuses-ids',
    violates: 'BRG-010',
    runtime: true,
    note: 'a hand-written client that gives every request the id r-1',
    build: () => ordinaryArchive(withCode(rawClient({ constantIds: true }))),
  },
  {
    name: 'client-throws-on-stray-response',
    violates: 'BRG-012',
    runtime: true,
    note: 'a hand-written client that looks up the pending call of a response without checking it exists',
    build: () => ordinaryArchive(withCode(rawClient({ throwsOnStrayResponse: true }))),
  },
  {
    name: 'client-throws-on-unknown-event',
    violates: 'BRG-013',
    runtime: true,
    note: 'a hand-written client that calls the handler of every event name it receives',
    build: () => ordinaryArchive(withCode(rawClient({ throwsOnUnknownEvent: true }))),
  },
];

/** The corpus's valid controls: the base package in both forms; each must be certified. */
export const validControls: { name: string; runtime?: boolean; build(): Built }[] = [
  { name: 'valid-raw-client', runtime: true, build: () => ordinaryArchive(withCode(rawClient())) },
  { name: 'valid-ordinary', build: () => ordinaryArchive(baseFiles()) },
  { name: 'valid-canonical', build: () => canonicalArchive(baseFiles()) },
  { name: 'valid-directory', build: () => ({ kind: 'directory', files: baseFiles() }) },
  {
    name: 'valid-unicode-path-field',
    build: () =>
      ordinaryArchive(
        withFile('café.js', '// café\n'),
        (e) => void (entryNamed(e, 'café.js').extra = unicodePathExtra('café.js', 'café.js')),
      ),
  },
  {
    name: 'valid-guarded-newer-method',
    build: () =>
      ordinaryArchive(
        withCode(
          "async function attach() {\n  if (!(await MiniAppBridge.canIUse('media.chooseImage'))) return;\n  await MiniAppBridge.call('media.chooseImage', { count: 1 });\n}\nattach();\n",
          (m) => (m['permissions'] = { photos: { reason: 'Attaches a photo to your note.' } }),
        ),
      ),
  },
];
