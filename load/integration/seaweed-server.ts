import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';

/**
 * A real S3-compatible server for the tests and the scale-out proof: SeaweedFS (Apache-2.0), built
 * from the Go module proxy by `scripts/go-tools.sh weed` (about 6 minutes and 3 GB of memory the
 * first time, seconds to a few minutes with Go's build cache; the tests build it when it is missing).
 * One `weed server` process runs its master, volume server, filer and S3 gateway on loopback ports,
 * with its data in a temporary folder.
 */

const repositoryRoot = path.resolve(import.meta.dirname, '../..');

export interface SeaweedServer {
  endpoint: string;
  bucket: string;
  /** Credentials the gateway accepts (it runs without an identity file, so any are accepted). */
  credentials: { accessKeyId: string; secretAccessKey: string };
  client: S3Client;
  /** Environment of a reference server process that keeps its bundles in this bucket. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** The built `weed` binary, when `scripts/go-tools.sh weed` has run (WEED_BIN wins); never builds. */
export function builtWeed(): string | undefined {
  if (process.env.WEED_BIN) return process.env.WEED_BIN;
  const dir = spawnSync('bash', [path.join(repositoryRoot, 'scripts/go-tools.sh'), 'dir'], {
    encoding: 'utf8',
  }).stdout.trim();
  const bin = path.join(dir, 'bin');
  if (!existsSync(bin)) return undefined;
  const found = readdirSync(bin).find((f) => f.startsWith('weed-') && !f.endsWith('.partial'));
  return found ? path.join(bin, found) : undefined;
}

/**
 * The `weed` binary, built by `scripts/go-tools.sh weed` when it is missing (its progress goes to
 * stderr); fails, never skips, when Go or the module proxy is not there.
 */
export async function ensureWeed(): Promise<string> {
  const built = builtWeed();
  if (built) return built;
  const child = spawn('bash', [path.join(repositoryRoot, 'scripts/go-tools.sh'), 'weed'], {
    cwd: repositoryRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  if (code !== 0 || !out.trim()) {
    throw new Error(
      `scripts/go-tools.sh weed exited with ${String(code)}: SeaweedFS was not built`,
    );
  }
  return out.trim();
}

/**
 * A port p with p + 10000 free too: SeaweedFS puts each service's gRPC port 10000 above it. Both lie
 * below Linux's ephemeral range (32768 and up), where the outgoing connections of other tests take
 * ports between this probe and SeaweedFS's bind, and neither is a port already given out.
 */
async function portPair(taken: Set<number>): Promise<number> {
  const free = (port: number) =>
    new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen({ port, host: '127.0.0.1', exclusive: true }, () =>
        probe.close(() => resolve(true)),
      );
    });
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 12_000 + Math.floor(Math.random() * 10_000);
    if (taken.has(port) || taken.has(port + 10_000)) continue;
    if ((await free(port)) && (await free(port + 10_000))) {
      taken.add(port).add(port + 10_000);
      return port;
    }
  }
  throw new Error('no free pair of ports for SeaweedFS');
}

async function waitForBucket(client: S3Client, bucket: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  let last: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`weed exited with ${String(child.exitCode)}`);
    try {
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
    } catch (error) {
      last = error;
      if (!(
        error instanceof Error && /BucketAlreadyExists|BucketAlreadyOwnedByYou/.test(error.name)
      )) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        continue;
      }
    }
    // A bucket exists before the volume servers take writes: ready once an object round-trips.
    try {
      await client.send(
        new PutObjectCommand({ Bucket: bucket, Key: 'readiness-probe', Body: 'ok' }),
      );
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'readiness-probe' }));
      return;
    } catch (error) {
      last = error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw new Error(
    `SeaweedFS's S3 gateway did not take a bucket and an object within 60 s: ${last instanceof Error ? last.message : String(last)}`,
  );
}

export async function startSeaweed(
  weed: string,
  bucket = 'miniapp-bundles',
): Promise<SeaweedServer> {
  const dir = await mkdtemp(path.join(tmpdir(), 'miniapp-seaweed-'));
  const taken = new Set<number>();
  const [master, volume, filer, s3] = [
    await portPair(taken),
    await portPair(taken),
    await portPair(taken),
    await portPair(taken),
  ];
  const child = spawn(
    weed,
    [
      'server',
      `-dir=${dir}`,
      '-ip=127.0.0.1',
      '-ip.bind=127.0.0.1',
      `-master.port=${String(master)}`,
      `-volume.port=${String(volume)}`,
      '-volume.max=8',
      '-master.volumeSizeLimitMB=64',
      '-filer',
      `-filer.port=${String(filer)}`,
      '-s3',
      `-s3.port=${String(s3)}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-64_000);
  });
  const endpoint = `http://127.0.0.1:${String(s3)}`;
  const credentials = { accessKeyId: 'miniapp-test', secretAccessKey: 'miniapp-test-secret' };
  const client = new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const stop = async () => {
    client.destroy();
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitForBucket(client, bucket, child);
  } catch (error) {
    await stop();
    throw new Error(
      // SeaweedFS's fatal line (F<date>) comes before the goroutine dump that ends its stderr.
      `${error instanceof Error ? error.message : String(error)}\n${stderr
        .split('\n')
        .filter((line, i, all) => /^F\d{4} /.test(line) || i >= all.length - 8)
        .join('\n')}`,
      { cause: error },
    );
  }
  return {
    endpoint,
    bucket,
    credentials,
    client,
    env: {
      BUNDLE_STORE: 's3',
      S3_BUCKET: bucket,
      S3_ENDPOINT: endpoint,
      S3_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    },
    stop,
  };
}
