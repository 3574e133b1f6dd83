import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { unzipSync } from 'fflate';
import { crc32, writeZip } from '../inputs/zip-writer.ts';
import { buildPackage } from '../inputs/test-package.ts';

/** fflate's reader, an implementation that shares nothing with the suite's writer. */
function entriesOf(bytes: Uint8Array): Map<string, Uint8Array> {
  return new Map(Object.entries(unzipSync(bytes)));
}

describe("the suite's own ZIP writer", () => {
  test('writes archives another reader reads back entry for entry, stored or deflated', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(
          fc.record({
            name: fc.stringMatching(/^[a-z]{1,8}(\/[a-z]{1,8}){0,2}\.txt$/),
            data: fc.uint8Array({ maxLength: 300 }),
            deflate: fc.boolean(),
          }),
          { selector: (e) => e.name, minLength: 1, maxLength: 8 },
        ),
        async (files) => {
          const bytes = writeZip(
            files.map((f) => ({ path: f.name, data: f.data, method: f.deflate ? 8 : 0 })),
          );
          const read = entriesOf(bytes);
          for (const f of files) assert.deepEqual(new Uint8Array(read.get(f.name) ?? []), f.data);
        },
      ),
      { numRuns: 40 },
    );
  });
  test('computes the standard CRC-32', () => {
    assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
  });
  test('builds the same package bytes from the same spec', () => {
    assert.deepEqual(
      buildPackage({ appId: 'com.example.a', versionCode: 3 }).bytes,
      buildPackage({ appId: 'com.example.a', versionCode: 3 }).bytes,
    );
  });
  test('keeps every offset right around leading bytes, gaps between entries and extra fields', () => {
    const text = new TextEncoder();
    const files = [
      {
        path: 'a.txt',
        data: text.encode('first'),
        gapAfter: text.encode('HIDDEN'),
        localExtra: new Uint8Array([0x99, 0x99, 0, 0]),
      },
      { path: 'b/c.txt', data: text.encode('second'), method: 8 },
    ];
    const bytes = writeZip(files, { leading: text.encode('GIF89a<html>') });
    const read = entriesOf(bytes);
    for (const f of files) assert.deepEqual(new Uint8Array(read.get(f.path) ?? []), f.data);
  });
});
