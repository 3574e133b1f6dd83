import { createHash, createPublicKey, sign, verify } from 'node:crypto';
import { cp, mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'acorn';
import { unzipSync, zipSync } from 'fflate';
import type { BenchmarkModule, Comparison } from '../../scripts/bench-harness.ts';
import { openArchiveSource, packDirectory } from '../src/package/index.ts';
import {
  allBinPrefixes,
  binPrefixOf,
  createBin,
  createDelegation,
  createIndex,
  createRelease,
  createRoot,
  createStatement,
  generateKeyPair,
  loadPrivateKey,
  TrustStore,
  verifyStatement,
  packageDigestOf,
} from '../src/signing/index.ts';
import { validateTarget } from '../src/validation/index.ts';

const repo = path.resolve(import.meta.dirname, '../..');
let workDir = '';

/** A deterministic pseudo-random mini-app of about 1.6 MiB in 160 files: code, styles and binary assets. */
async function writeLargeApp(dir: string): Promise<void> {
  await cp(path.join(repo, 'examples/shop'), dir, { recursive: true });
  let seed = 42;
  const next = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  const words = [
    'cart',
    'item',
    'price',
    'render',
    'total',
    'order',
    'const',
    'return',
    'value',
    'list',
  ];
  for (let i = 0; i < 120; i++) {
    const lines = Array.from(
      { length: 200 },
      (_, n) =>
        `export function ${words[next() % 10]}${i}_${n}(a) { return a + ${next() % 1000}; }`,
    );
    await mkdir(path.join(dir, 'lib'), { recursive: true });
    await writeFile(path.join(dir, 'lib', `module-${i}.js`), `${lines.join('\n')}\n`);
  }
  for (let i = 0; i < 40; i++) {
    const bytes = new Uint8Array(12 * 1024).map(() => next() & 0xff);
    await mkdir(path.join(dir, 'assets'), { recursive: true });
    await writeFile(path.join(dir, 'assets', `image-${i}.bin`), bytes);
  }
}

async function filesOf(dir: string, names: string[]): Promise<Record<string, Uint8Array>> {
  const out: Record<string, Uint8Array> = {};
  for (const name of names) out[name] = new Uint8Array(await readFile(path.join(dir, name)));
  return out;
}

export const benchmarks: BenchmarkModule = {
  async comparisons(): Promise<Comparison[]> {
    workDir = await mkdtemp(path.join(tmpdir(), 'miniapp-bench-'));
    const appDir = path.join(workDir, 'app');
    await writeLargeApp(appDir);
    const packed = await packDirectory(appDir);
    const names = packed.files.map((f) => f.path);
    const rawFiles = await filesOf(appDir, names);
    const archivePath = path.join(workDir, 'app.ma');
    await writeFile(archivePath, packed.bytes);
    const jsFiles = names.filter((n) => n.endsWith('.js'));
    const totalBytes = packed.files.reduce((sum, f) => sum + f.size, 0);

    // A full platform world: root, index, bin, delegation, countersigned release, partner statement.
    const [rootKey, delegationKey, releaseKey, indexKey, partnerKey] = await Promise.all(
      ['Ed25519', 'Ed25519', 'Ed25519', 'Ed25519', 'ECDSA-P256'].map(async (alg) =>
        loadPrivateKey((await generateKeyPair(alg as 'Ed25519')).privateKeyPem),
      ),
    );
    if (!rootKey || !delegationKey || !releaseKey || !indexKey || !partnerKey)
      throw new Error('key generation failed');
    const appId = 'dev.openminiapp.examples.shop';
    const now = new Date();
    const hours = (h: number): Date => new Date(now.getTime() + h * 3600_000);
    const root = createRoot(
      {
        version: 1,
        expires: hours(24 * 365),
        roles: {
          root: { keys: [rootKey.publicJwk], threshold: 1 },
          delegation: { keys: [delegationKey.publicJwk], threshold: 1 },
          release: { keys: [releaseKey.publicJwk], threshold: 1 },
          index: { keys: [indexKey.publicJwk], threshold: 1 },
        },
      },
      [rootKey],
    );
    const manifestBytes = rawFiles['manifest.json'] ?? new Uint8Array();
    // The statement and release name the version the example's manifest declares (SIG-022 binds them).
    const { version, versionCode } = JSON.parse(Buffer.from(manifestBytes).toString('utf8')) as {
      version: string;
      versionCode: number;
    };
    const statement = createStatement(
      {
        appId: 'dev.openminiapp.examples.shop',
        version,
        versionCode,
        packageBytes: packed.bytes,
        manifestBytes,
        createdAt: hours(-1),
      },
      partnerKey,
    );
    const verified = verifyStatement(
      statement.bytes,
      { [partnerKey.keyid]: partnerKey.publicJwk },
      { appId: 'dev.openminiapp.examples.shop', package: packageDigestOf(packed.bytes) },
    );
    const release = createRelease(
      {
        statement: verified,
        minHostVersion: '1.0.0',
        permissions: ['payment'],
        issuedAt: hours(-1),
      },
      [releaseKey],
    );
    const delegation = createDelegation(
      { appId, version: 1, issuedAt: hours(-1), keys: [partnerKey.publicJwk] },
      [delegationKey],
    );
    const binPrefixLength = 1;
    const bins = allBinPrefixes(binPrefixLength).map((prefix) =>
      createBin(
        {
          prefix,
          version: 1,
          issuedAt: hours(-1),
          apps:
            prefix === binPrefixOf(appId, binPrefixLength)
              ? {
                  [appId]: {
                    delegation: { version: 1, sha256: delegation.sha256 },
                    releases: [
                      {
                        channel: 'stable',
                        versionCode,
                        sha256: release.sha256,
                        minHostVersion: '1.0.0',
                        rolloutPercent: 100,
                        mandatory: false,
                        paused: false,
                      },
                    ],
                    revokedReleases: [],
                    revokedKeys: [],
                  },
                }
              : {},
        },
        [indexKey],
      ),
    );
    const index = createIndex(
      {
        version: 1,
        issuedAt: hours(-1),
        binPrefixLength,
        bins: bins.map((b) => ({ prefix: b.payload.prefix, version: 1, sha256: b.sha256 })),
      },
      [indexKey],
    );
    const appBin = bins.find((b) => b.payload.prefix === binPrefixOf(appId, binPrefixLength));
    if (!appBin) throw new Error('no bin for the app');
    const rawSignature = sign(null, release.bytes, releaseKey.keyObject);
    const releasePublic = createPublicKey(releaseKey.keyObject);

    return [
      {
        name: `pack ${names.length} files / ${(totalBytes / 1048576).toFixed(1)} MiB`,
        unitsPerOp: { amount: totalBytes, unit: 'bytes' },
        subject: {
          name: 'miniapp pack (validated, canonical, deterministic)',
          run: () => packDirectory(appDir),
        },
        baseline: {
          name: 'fflate zipSync level 9 of the same files, no checks',
          run: () => zipSync(rawFiles, { level: 9 }),
        },
        samples: 9,
      },
      {
        name: 'open and read every entry of a .ma',
        unitsPerOp: { amount: totalBytes, unit: 'bytes' },
        subject: {
          name: 'openArchiveSource (hostile-safe: limits, paths, CRC, sizes) + read all',
          run: async () => {
            const source = await openArchiveSource(archivePath);
            for (const file of source.files) await source.read(file.path);
          },
        },
        baseline: {
          name: 'fflate unzipSync of the same bytes, no checks',
          run: () => unzipSync(packed.bytes),
        },
        samples: 9,
      },
      {
        name: 'host update session: verify root, index, bin, delegation, release, statement and package',
        unitsPerOp: { amount: packed.bytes.length, unit: 'bytes' },
        subject: {
          name: 'TrustStore (6 envelopes, schemas, digests)',
          run: () => {
            const trust = TrustStore.fromBakedRoot(root.bytes);
            trust.verifyIndex(index.bytes, now);
            trust.verifyBin(appBin.bytes, appBin.payload.prefix, now);
            trust.verifyDelegation(delegation.bytes, { appId, now });
            const { release: verifiedRelease } = trust.verifyRelease(release.bytes, {
              appId,
              channel: 'stable',
              now,
            });
            trust.verifyStatement(statement.bytes, verifiedRelease);
            trust.verifyPackage(packed.bytes, verifiedRelease);
          },
        },
        baseline: {
          name: 'one raw Ed25519 verify + SHA-256 of the package',
          run: () => {
            verify(null, release.bytes, releasePublic, rawSignature);
            createHash('sha256').update(packed.bytes).digest('hex');
          },
        },
        opsPerSample: 5,
      },
      {
        name: `validate a mini-app (${jsFiles.length} scripts)`,
        unitsPerOp: { amount: totalBytes, unit: 'bytes' },
        subject: {
          name: 'miniapp validate (manifest, package, code review)',
          run: () => validateTarget(appDir),
        },
        baseline: {
          name: 'acorn parse of the same scripts only',
          run: () => {
            for (const name of jsFiles)
              parse(new TextDecoder().decode(rawFiles[name]), {
                ecmaVersion: 'latest',
                sourceType: 'module',
                locations: true,
              });
          },
        },
        samples: 7,
      },
    ];
  },
  async teardown() {
    if (workDir) await rm(workDir, { recursive: true, force: true });
  },
};

export const { comparisons, teardown } = benchmarks;
