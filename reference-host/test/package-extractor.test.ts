/**
 * Step 6 gives the same answer on whichever thread it runs: where no worker can be started (here,
 * Node has no Worker global), the web build's extractor checks on the calling thread, with the same
 * files, digests and refusals as extractPackage, and leaves downloading and storing to the host.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { writeCanonicalZip } from '#sdk/package/zip-writer.ts';
import { HostFailure } from '../src/launch/host-failure.ts';
import { inThreadExtractor, workerExtractor } from '../src/launch/package-extractor.ts';

const pixelPng = Uint8Array.from(
  Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNk+A8AAQUBAScY42YAAAAASUVORK5CYII=',
    'base64',
  ),
);
const manifestText = JSON.stringify({
  specVersion: '1.0',
  id: 'dev.test.extract',
  name: 'Extract',
  version: '1.0.1',
  versionCode: 1,
  minHostVersion: '1.0.0',
  entryPage: 'index.html',
  pages: ['index.html'],
  icons: [{ src: 'icon.png', sizes: '192x192', type: 'image/png' }],
  category: 'utilities',
  defaultLocale: 'en',
});
const files: Record<string, Uint8Array> = {
  'manifest.json': new TextEncoder().encode(manifestText),
  'icon.png': pixelPng,
  'index.html': new TextEncoder().encode('<!doctype html><title>x</title>'),
  'data/a.bin': new Uint8Array(40_000).map((_, i) => (i * 7) & 0xff),
};
const archive = writeCanonicalZip(Object.entries(files).map(([path, data]) => ({ path, data })));
const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const expected = {
  appId: 'dev.test.extract',
  version: '1.0.1',
  versionCode: 1,
  manifestSha256: sha(files['manifest.json'] as Uint8Array),
};

describe('the package extractor', () => {
  it('extracts on the calling thread when no worker can start, with the same files and digests', async () => {
    const viaWorkerPort = await workerExtractor('/extraction-worker.js').extract(
      archive.slice(),
      sha(archive),
      expected,
    );
    const direct = await inThreadExtractor.extract(archive.slice(), sha(archive), expected);
    assert.deepEqual(Object.keys(viaWorkerPort.files).sort(), Object.keys(files).sort());
    for (const [path, bytes] of Object.entries(files)) {
      assert.deepEqual([...(viaWorkerPort.files[path] ?? [])], [...bytes]);
      assert.equal(viaWorkerPort.digests[path], sha(bytes));
    }
    assert.deepEqual(viaWorkerPort.digests, direct.digests);
    assert.equal(viaWorkerPort.manifest.id, 'dev.test.extract');
  });

  it('refuses a manifest that is not the signed one with the same code on either path', async () => {
    const other = { ...expected, manifestSha256: '0'.repeat(64) };
    for (const extractor of [workerExtractor('/extraction-worker.js'), inThreadExtractor]) {
      await assert.rejects(
        extractor.extract(archive.slice(), sha(archive), other),
        (error: unknown) => error instanceof HostFailure && error.code === 'SIG_MANIFEST_MISMATCH',
      );
    }
  });

  it('leaves the download to the host when no worker can start, and never downloads without a forwarding route', async () => {
    const request = {
      url: 'http://127.0.0.1:9/v1/bundles/sha256/x.ma',
      signed: { sha256: sha(archive), length: archive.length },
      expected,
      onProgress: () => assert.fail('nothing was downloaded'),
      onStage: () => assert.fail('nothing was downloaded'),
    };
    const web = workerExtractor('/extraction-worker.js', { forwardOrigin: 'http://127.0.0.1:9' });
    assert.equal(await web.download?.(request), null);
    assert.equal(workerExtractor('/extraction-worker.js').download, undefined);
    assert.equal(inThreadExtractor.download, undefined);
  });

  it('leaves storing to the host when it holds no files', async () => {
    assert.equal(await workerExtractor('/extraction-worker.js').persist?.(sha(archive), []), false);
  });
});
