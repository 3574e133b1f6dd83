/**
 * The host opens packages in memory through the sdk's hardened reader (readArchive); held here to the
 * sdk's streaming entry point (openArchiveSource): the same files from valid archives, and the same
 * refusal, with the same code, for each hostile construction and every byte change. The host browser
 * tests run the same reader in Chromium, on the shims of src/platform.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isMiniAppError } from '#sdk/diagnostics/index.ts';
import { openArchiveSource } from '#sdk/package/index.ts';
import { writeCanonicalZip } from '#sdk/package/zip-writer.ts';
import { buildZip, manifestEntry, type RawEntry } from '#sdk/package/test/hostile-zip.ts';
import { openArchive } from '../src/package/archive-reader.ts';

type Verdict = { ok: true; files: Record<string, string> } | { ok: false; code: string };

async function viaHost(bytes: Uint8Array): Promise<Verdict> {
  try {
    const archive = openArchive(bytes);
    const files: Record<string, string> = {};
    for (const file of archive.files)
      files[file.path] = Buffer.from(await archive.read(file.path)).toString('hex');
    return { ok: true, files };
  } catch (error) {
    return { ok: false, code: isMiniAppError(error) ? error.code : `thrown ${String(error)}` };
  }
}

async function viaSdk(bytes: Uint8Array): Promise<Verdict> {
  try {
    const source = await openArchiveSource(bytes);
    const files: Record<string, string> = {};
    for (const file of source.files)
      files[file.path] = Buffer.from(await source.read(file.path)).toString('hex');
    return { ok: true, files };
  } catch (error) {
    return { ok: false, code: isMiniAppError(error) ? error.code : `thrown ${String(error)}` };
  }
}

const text = (value: string): Uint8Array => new TextEncoder().encode(value);
const zeros = (n: number): Uint8Array => new Uint8Array(n);

const hostile: Record<string, Uint8Array> = {
  'not a zip': text('hello, this is not an archive'),
  traversal: buildZip([manifestEntry, { name: '../escape.txt', data: text('x') }]),
  'absolute path': buildZip([manifestEntry, { name: '/etc/passwd', data: text('x') }]),
  backslash: buildZip([manifestEntry, { name: 'a\\b.txt', data: text('x') }]),
  symlink: buildZip([
    manifestEntry,
    { name: 'link', data: text('/etc/passwd'), externalAttributes: 0xa1ff0000 },
  ]),
  fifo: buildZip([manifestEntry, { name: 'pipe', data: text(''), externalAttributes: 0x11a40000 }]),
  'case collision': buildZip([
    manifestEntry,
    { name: 'A.txt', data: text('1') },
    { name: 'a.txt', data: text('2') },
  ]),
  'file is also a directory': buildZip([
    manifestEntry,
    { name: 'x', data: text('1') },
    { name: 'x/y', data: text('2') },
  ]),
  encrypted: buildZip([manifestEntry, { name: 'secret', data: text('x'), flags: 0x0801 }]),
  bzip2: buildZip([
    manifestEntry,
    { name: 'b.txt', data: text('x'), method: 12, compressed: text('x') },
  ]),
  'not utf-8 name': buildZip([manifestEntry, { name: Uint8Array.of(0x61, 0xff, 0x62) }]),
  'non-ASCII without the flag': buildZip([
    manifestEntry,
    { name: 'é.txt', data: text('x'), flags: 0 },
  ]),
  'ratio bomb': buildZip([manifestEntry, { name: 'zeros.bin', data: zeros(1_000_000) }]),
  'crc mismatch': buildZip([manifestEntry, { name: 'a.txt', data: text('abc'), crc: 12345 }]),
  'lying size': buildZip([
    manifestEntry,
    { name: 'a.txt', data: text('abcdefghij'.repeat(20)), declaredSize: 50 },
  ]),
  'broken deflate': buildZip([
    manifestEntry,
    { name: 'a.txt', data: text('abc'), compressed: Uint8Array.of(0xff, 0xff, 0xff, 0xff) },
  ]),
  'local name differs': buildZip([
    manifestEntry,
    { name: 'a.txt', localName: 'b.txt', data: text('abc') },
  ]),
  'zip64 locator': buildZip([manifestEntry], { zip64Locator: true }),
  'multi-disk': buildZip([manifestEntry], { diskNumber: 1 }),
  'zip64 extra field': buildZip([
    manifestEntry,
    { name: 'a.txt', data: text('x'), extra: Uint8Array.of(1, 0, 0, 0) },
  ]),
  'no manifest': buildZip([{ name: 'index.html', data: text('<p>') }]),
  'directory with content': buildZip([manifestEntry, { name: 'dir/', data: text('x'), method: 0 }]),
  'control character': buildZip([manifestEntry, { name: 'a\u0001.txt', data: text('x') }]),
  'not NFC': buildZip([manifestEntry, { name: 'cafe\u0301.txt', data: text('x') }]),
};

// Overlapping entries: two central records pointing at one local header.
const overlapping: RawEntry[] = [
  { ...manifestEntry },
  { name: 'a.txt', data: text('shared bytes'), method: 0, centralOffset: 0, omitLocal: true },
  { name: 'b.txt', data: text('shared bytes'), method: 0, centralOffset: 0, omitLocal: true },
];
hostile['overlapping entries'] = buildZip(overlapping);

describe('the host archive reader', () => {
  it('reads what the sdk packer writes, with the same files and bytes as the sdk reader', async () => {
    const path = fc.stringMatching(/^[a-z][a-z0-9]{0,6}(\/[a-z][a-z0-9]{0,6}){0,2}\.(txt|js|css)$/);
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(path, fc.uint8Array({ maxLength: 2000 }), { maxKeys: 8 }),
        async (entries) => {
          const files = [
            { path: 'manifest.json', data: text('{}') },
            ...Object.entries(entries).map(([p, data]) => ({ path: p, data })),
          ];
          // Paths that collide as file and directory are refused by both; keep the rest.
          const bytes = writeCanonicalZip(files.sort((a, b) => (a.path < b.path ? -1 : 1)));
          assert.deepEqual(await viaHost(bytes), await viaSdk(bytes));
        },
      ),
      { numRuns: 60 },
    );
  });

  for (const [name, bytes] of Object.entries(hostile)) {
    it(`refuses ${name} with the sdk reader's code`, async () => {
      const sdk = await viaSdk(bytes);
      const host = await viaHost(bytes);
      assert.equal(host.ok, false);
      assert.deepEqual(host, sdk);
    });
  }

  it('agrees with the sdk reader on every single-byte change and every truncation', async () => {
    const base = writeCanonicalZip([
      { path: 'index.html', data: text('<!doctype html><p>hello</p>'.repeat(20)) },
      { path: 'manifest.json', data: text('{"id":"com.example.app"}') },
      { path: 'script.js', data: text('console.log(1)') },
    ]);
    const variants: [string, Uint8Array][] = [];
    for (let at = 0; at < base.length; at++) {
      for (const flip of [0x01, 0x80, 0xff]) {
        const bytes = Uint8Array.from(base);
        bytes[at] = (bytes[at] ?? 0) ^ flip;
        variants.push([`byte ${at} ^ ${flip}`, bytes]);
      }
      variants.push([`first ${at} bytes`, base.slice(0, at)]);
    }
    for (const [what, bytes] of variants) {
      const host = await viaHost(bytes);
      const sdk = await viaSdk(bytes);
      assert.equal(
        host.ok,
        sdk.ok,
        `${what}: host ${JSON.stringify(host).slice(0, 60)} sdk ${JSON.stringify(sdk).slice(0, 60)}`,
      );
      if (host.ok && sdk.ok) assert.deepEqual(host.files, sdk.files, what);
    }
  });
});
