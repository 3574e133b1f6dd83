import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { S3BundleStore } from '../../reference-server/src/bundles/s3-bundle-store.ts';
import { startReferenceTarget } from '../integration/reference-target.ts';
import { ensureWeed, startSeaweed, type SeaweedServer } from '../integration/seaweed-server.ts';
import { runLoad } from '../suite/load-run.ts';

/**
 * The S3 bundle store against a real S3-compatible server (SeaweedFS), and the reference server with
 * its bundles there under a short load. SeaweedFS is built from the Go module proxy when it is
 * missing (about 6 minutes the first time; WEED_BIN names another binary).
 */

const weed = await ensureWeed();

async function text(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('bundles in S3-compatible object storage [API-042]', () => {
  let s3: SeaweedServer;
  let scratch: string;
  let store: S3BundleStore;
  before(async () => {
    s3 = await startSeaweed(weed);
    scratch = await mkdtemp(path.join(tmpdir(), 'miniapp-s3-scratch-'));
    store = new S3BundleStore({
      bucket: s3.bucket,
      region: 'us-east-1',
      prefix: 'test/sha256/',
      scratchDir: scratch,
      client: s3.client,
    });
  });
  after(async () => {
    await s3?.stop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  const objects = async () =>
    (await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: 'test/' })))
      .Contents ?? [];

  it('stores bytes under their digest once, and serves them whole and by range', async () => {
    const bytes = createHash('sha512').update('bundle').digest();
    const big = Buffer.concat(Array.from({ length: 4096 }, () => bytes));
    const stored = await store.put(big, 10 * 1024 * 1024, () => new Error('too large'));
    assert.equal(stored.sha256, createHash('sha256').update(big).digest('hex'));
    assert.equal(stored.length, big.length);
    const again = await store.put(Readable.from([big]), 10 * 1024 * 1024, () => new Error('x'));
    assert.deepEqual(again, stored);
    assert.equal((await objects()).length, 1, 'the same bytes are one object');
    assert.deepEqual(await store.stat(stored.sha256), stored);
    assert.deepEqual(Buffer.from(await store.archive(stored.sha256)), big);
    assert.deepEqual(
      await text(store.open(stored.sha256, { start: 100, end: 1123 })),
      big.subarray(100, 1124),
    );
    assert.deepEqual(await store.bytes(stored), big);
    assert.equal(await store.ping(), true);
  });

  it('keeps nothing of a package over the limit, and answers null for an unknown digest', async () => {
    const before = (await objects()).length;
    await assert.rejects(
      store.put(Buffer.alloc(4096, 1), 1024, () => new Error('over the limit')),
      /over the limit/,
    );
    assert.equal((await objects()).length, before);
    assert.equal(await store.stat('0'.repeat(64)), null);
    assert.equal(await store.stat('not-a-digest'), null);
  });

  it('promotes a staged file whole and removes it from scratch', async () => {
    const staged = path.join(scratch, 'staged.ma');
    const bytes = Buffer.from('a staged package');
    await writeFile(staged, bytes);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    await store.promote({ path: staged, sha256, length: bytes.length });
    assert.equal(existsSync(staged), false);
    assert.deepEqual(await store.stat(sha256), { sha256, length: bytes.length });
  });

  it('reports a bucket that does not exist as not ready [API-157]', async () => {
    const missing = new S3BundleStore({
      bucket: 'no-such-bucket',
      region: 'us-east-1',
      prefix: '',
      scratchDir: scratch,
      client: s3.client,
    });
    assert.equal(await missing.ping(), false);
  });

  it('serves a short load from the reference server with BUNDLE_STORE=s3, nothing on local disk', async () => {
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    // The server's S3 client takes the SDK's default credential chain, as in production.
    process.env.AWS_ACCESS_KEY_ID = s3.credentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = s3.credentials.secretAccessKey;
    const dir = await mkdtemp(path.join(tmpdir(), 'miniapp-load-s3-'));
    const target = await startReferenceTarget({ env: s3.env, screenshots: false });
    try {
      const result = await runLoad({
        url: target.url,
        principals: target.principals,
        timing: { profile: 'steady', warmupSeconds: 0.5, durationSeconds: 1, rateScale: 0.1 },
        apps: 3,
        devices: 5,
        only: ['server.load.bundle-*'],
        baseline: false,
        reportDir: dir,
      });
      for (const c of result.report.cases) assert.notEqual(c.status, 'error', c.reason);
      assert.equal(result.figures['bundle.errors'], 0);
      assert.equal(result.figures['bundle-range.errors'], 0);
      const keys = (
        (await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: 'bundles/' })))
          .Contents ?? []
      ).map((o) => o.Key);
      assert.ok(keys.length >= 4, `the server's bundles are in the bucket: ${keys.join(', ')}`);
      assert.equal(existsSync(path.join(target.dataDir, 'bundles')), false);
    } finally {
      await target.close();
      await rm(dir, { recursive: true, force: true });
      if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
      else process.env.AWS_ACCESS_KEY_ID = saved.id;
      if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
      else process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    }
  });
});
