/**
 * Step 6 of a launch: opening verified package bytes as hostile input (spec/package.md), checking
 * the manifest against what was signed [SIG-042] and against every package rule of the manifest
 * document [MAN-032], then reading every file once, with the digest the runtime will anchor.
 */
import { checkManifestAgainstFiles } from '#sdk/manifest/package-consistency.ts';
import { parseManifest } from '#sdk/manifest/manifest-parser.ts';
import type { Manifest } from '#sdk/manifest/manifest.ts';
import { checkPackageLimits } from '#sdk/package/package-limits.ts';
import type { PackageSource } from '#sdk/package/package-source.ts';
import { openArchive } from '../package/archive-reader.ts';
import { sha256Hex, sameDigest } from '../trust/sdk-verifier.ts';
import type { TrustedRelease } from '../trust/verifier.ts';
import { HostFailure } from './host-failure.ts';

export interface ExtractedPackage {
  manifest: Manifest;
  files: Record<string, Uint8Array>;
  /** path -> SHA-256 of each file. */
  digests: Record<string, string>;
}

function mismatch(message: string): HostFailure {
  return new HostFailure('SIG_MANIFEST_MISMATCH', message, 'SIG-042');
}

export async function extractPackage(
  bytes: Uint8Array,
  expected: Pick<TrustedRelease, 'appId' | 'version' | 'versionCode' | 'manifestSha256'>,
): Promise<ExtractedPackage> {
  // Steps 2 to 4 of the processing model for the whole archive first [PKG-100].
  const archive = openArchive(bytes);
  const source: PackageSource = {
    kind: 'archive',
    label: '<download>',
    files: archive.files,
    read: (p) => archive.read(p),
  };
  const manifestBytes = await archive.read('manifest.json');
  if (!sameDigest(await sha256Hex(manifestBytes), expected.manifestSha256)) {
    throw mismatch('manifest.json does not hash to the signed manifestSha256.');
  }
  const parsed = parseManifest(manifestBytes);
  const manifestError = parsed.diagnostics.find((d) => d.severity === 'error');
  if (!parsed.manifest || manifestError) {
    throw new HostFailure(
      manifestError?.code ?? 'MANIFEST_INVALID_JSON',
      manifestError?.message ?? 'The manifest is invalid.',
      'MAN-032',
    );
  }
  const manifest = parsed.manifest;
  if (manifest.id !== expected.appId)
    throw mismatch(`The manifest names ${manifest.id}, not ${expected.appId}.`);
  if (manifest.version !== expected.version || manifest.versionCode !== expected.versionCode) {
    throw mismatch('The manifest version differs from the signed release.');
  }
  const problems = [
    ...checkPackageLimits(
      source,
      (manifest.subpackages ?? []).map((s) => s.root),
    ),
    ...(await checkManifestAgainstFiles(manifest, source)),
  ].filter((d) => d.severity === 'error');
  const first = problems[0];
  if (first) throw new HostFailure(first.code, first.message, 'MAN-032');
  const files: Record<string, Uint8Array> = {};
  const hashing: Promise<string>[] = [];
  // All files in one buffer: storing and moving one buffer costs far less than one per file.
  const memory = new Uint8Array(archive.files.reduce((sum, file) => sum + file.size, 0));
  let at = 0;
  // Entries are read one by one, each inflated at most to its declared size [PKG-049]; WebCrypto
  // hashes each one off the main thread while the next is read and its CRC-32 checked [PKG-050].
  for (const file of archive.files) {
    const bytes = await archive.read(file.path);
    const view = memory.subarray(at, at + bytes.length);
    view.set(bytes);
    at += bytes.length;
    files[file.path] = view;
    hashing.push(sha256Hex(view));
  }
  const hashed = await Promise.all(hashing);
  const digests: Record<string, string> = {};
  archive.files.forEach((file, i) => (digests[file.path] = hashed[i] as string));
  return { manifest, files, digests };
}
