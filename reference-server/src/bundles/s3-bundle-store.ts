import { createReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { PassThrough, Readable } from 'node:stream';
import {
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { BundleCache, type BundleCacheOptions } from './bundle-cache.ts';
import { putBundle } from './bundle-staging.ts';
import { scratchFile, sweepScratchArea } from './scratch-area.ts';
import type { BundleStorage, StagedBundle, StoredBundle } from './bundle-storage.ts';

const digestPattern = /^[0-9a-f]{64}$/;

/** Where and how to reach the bucket; credentials come from the SDK's usual chain (AWS_ACCESS_KEY_ID, ...). */
export interface S3BundleStoreOptions extends BundleCacheOptions {
  bucket: string;
  /** An S3-compatible endpoint (SeaweedFS, Ceph, R2, ...); AWS itself when absent. */
  endpoint?: string;
  region: string;
  /** Key prefix of every bundle, e.g. `bundles/sha256/`. */
  prefix: string;
  /** Local scratch folder of this process (staged uploads never leave this machine unreviewed). */
  scratchDir: string;
  /** A client built by the caller (tests); otherwise one is made from the options. */
  client?: S3Client;
}

function notFound(error: unknown): boolean {
  return (
    error instanceof S3ServiceException &&
    (error.$metadata.httpStatusCode === 404 ||
      error.name === 'NotFound' ||
      error.name === 'NoSuchKey')
  );
}

/**
 * Content-addressed, immutable bundles in S3-compatible object storage [API-042], shared by every
 * server process of a deployment: `<prefix><ab>/<digest>.ma`. An object is written with one PUT of a
 * complete, hashed file carrying its SHA-256 checksum, so the bucket never shows a partial bundle, and
 * the same bytes are one object. Lengths and small bundles are cached in memory: a digest's bytes
 * never change, so no cache here can go stale.
 */
export class S3BundleStore implements BundleStorage {
  readonly scratch: string;
  readonly bucket: string;
  readonly prefix: string;
  readonly client: S3Client;
  readonly #cache: BundleCache;

  constructor(options: S3BundleStoreOptions) {
    this.scratch = options.scratchDir;
    this.bucket = options.bucket;
    this.prefix = options.prefix;
    this.#cache = new BundleCache(options);
    this.client =
      options.client ??
      new S3Client({
        region: options.region,
        ...(options.endpoint ? { endpoint: options.endpoint } : {}),
        // Path-style URLs work with every S3-compatible server; virtual hosts need DNS for each bucket.
        forcePathStyle: true,
        // The body's SHA-256 is sent explicitly below; the SDK's default CRC trailers (aws-chunked
        // uploads) are not understood by every S3-compatible server.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      });
  }

  keyOf(sha256: string): string {
    if (!digestPattern.test(sha256)) throw new Error(`not a SHA-256 digest: ${sha256}`);
    return `${this.prefix}${sha256.slice(0, 2)}/${sha256}.ma`;
  }

  async stat(sha256: string): Promise<StoredBundle | null> {
    if (!digestPattern.test(sha256)) return null;
    const known = this.#cache.length(sha256);
    if (known !== undefined) return { sha256, length: known };
    try {
      const head = await this.client.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: this.keyOf(sha256) }),
      );
      const length = head.ContentLength ?? 0;
      this.#cache.stored(sha256, length);
      return { sha256, length };
    } catch (error) {
      if (notFound(error)) return null;
      throw error;
    }
  }

  async bytes(stored: StoredBundle): Promise<Buffer | null> {
    return this.#cache.bytes(stored, (sha256) => this.#download(sha256));
  }

  async #body(sha256: string, range?: { start: number; end: number }): Promise<Readable> {
    const answer = await this.client.send(
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: this.keyOf(sha256),
        ...(range ? { Range: `bytes=${String(range.start)}-${String(range.end)}` } : {}),
      }),
    );
    if (!(answer.Body instanceof Readable)) throw new Error('the S3 answer has no body stream');
    return answer.Body;
  }

  async #download(sha256: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of await this.#body(sha256)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  /**
   * Streams the object, or one range of it, as the route asks; a failure of the object store after
   * the answer's headers went out ends the stream with that error, so the client sees a cut body.
   */
  open(sha256: string, range?: { start: number; end: number }): Readable {
    const out = new PassThrough();
    this.#body(sha256, range).then(
      (body) => {
        body.on('error', (error) => out.destroy(error));
        body.pipe(out);
      },
      (error: unknown) => out.destroy(error instanceof Error ? error : new Error(String(error))),
    );
    return out;
  }

  async archive(sha256: string): Promise<Uint8Array> {
    return this.#download(sha256);
  }

  async scratchPath(suffix = ''): Promise<string> {
    return scratchFile(this.scratch, suffix);
  }

  async sweepScratch(now = Date.now()): Promise<string[]> {
    return sweepScratchArea(this.scratch, now);
  }

  /** Staged on the local scratch disk and hashed first, so the PUT below carries a known checksum. */
  async put(
    input: Readable | Uint8Array,
    maxBytes: number,
    tooLarge: () => Error,
  ): Promise<StoredBundle> {
    return putBundle(this, input, maxBytes, tooLarge);
  }

  /**
   * One PUT of the complete staged file with its SHA-256 checksum: the object store refuses bytes
   * that do not match, and an object exists only whole. Skipped when the digest is already stored.
   */
  async promote(staged: StagedBundle): Promise<void> {
    try {
      if (await this.stat(staged.sha256)) return;
      const { size } = await stat(staged.path);
      if (size !== staged.length) throw new Error('the staged file changed after it was hashed');
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.keyOf(staged.sha256),
          Body: createReadStream(staged.path),
          ContentLength: staged.length,
          ContentType: 'application/miniapp-pkg+zip',
          ChecksumSHA256: Buffer.from(staged.sha256, 'hex').toString('base64'),
        }),
      );
      this.#cache.stored(staged.sha256, staged.length);
    } finally {
      await rm(staged.path, { force: true });
    }
  }

  async ping(): Promise<boolean> {
    return this.client.send(new HeadBucketCommand({ Bucket: this.bucket })).then(
      () => true,
      () => false,
    );
  }
}
