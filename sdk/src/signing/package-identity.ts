import { unzipSync } from 'fflate';
import { MiniAppError } from '#sdk/diagnostics/index.ts';
import { verifyPackageDigest } from '../package/package-digest.ts';
import { sha256Hex } from './digest.ts';
import type { Release } from './release.ts';

/** manifest.json is small; a larger declared size is refused before inflating. */
const maxManifestBytes = 1024 * 1024;

function mismatch(message: string, pointer?: string): MiniAppError {
  return new MiniAppError(
    'SIG_MANIFEST_MISMATCH',
    message,
    pointer === undefined ? {} : { location: { file: 'manifest.json', pointer } },
  );
}

function readManifest(bytes: Uint8Array): Uint8Array {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (file) => file.name === 'manifest.json' && file.originalSize <= maxManifestBytes,
    });
  } catch (cause) {
    throw new MiniAppError('SIG_MANIFEST_MISMATCH', 'The package is not a readable ZIP archive.', {
      cause,
    });
  }
  const manifest = files['manifest.json'];
  if (!manifest) throw mismatch('The package has no readable manifest.json at its root.');
  return manifest;
}

/**
 * Checks downloaded package bytes against signed release metadata: length and digest before the
 * archive is opened [SIG-041], then the manifest's digest and identity [SIG-042].
 */
export function verifyPackageBytes(bytes: Uint8Array, release: Release): void {
  // [SIG-041] length, then digest (compared in constant time), before any parser sees the bytes.
  verifyPackageDigest(bytes, release.package);
  const manifestBytes = readManifest(bytes);
  if (sha256Hex(manifestBytes) !== release.manifestSha256) {
    throw mismatch('manifest.json does not hash to the signed manifestSha256.');
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(manifestBytes));
  } catch (cause) {
    throw new MiniAppError('SIG_MANIFEST_MISMATCH', 'manifest.json is not valid UTF-8 JSON.', {
      cause,
    });
  }
  const fields = (typeof manifest === 'object' && manifest !== null ? manifest : {}) as Record<
    string,
    unknown
  >;
  if (fields.id !== release.appId)
    throw mismatch(`Manifest id ${String(fields.id)} is not ${release.appId}.`, '/id');
  if (fields.version !== release.version) {
    throw mismatch(
      `Manifest version ${String(fields.version)} is not ${release.version}.`,
      '/version',
    );
  }
  if (fields.versionCode !== release.versionCode) {
    throw mismatch(
      `Manifest versionCode ${String(fields.versionCode)} is not ${release.versionCode}.`,
      '/versionCode',
    );
  }
}
