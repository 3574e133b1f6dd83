import { MiniAppError } from '#sdk/diagnostics/index.ts';
import { readArchive } from '../package/archive-source.ts';
import { verifyPackageDigest } from '../package/package-digest.ts';
import { sha256Hex } from './digest.ts';
import type { Release } from './release.ts';

function mismatch(message: string, pointer?: string): MiniAppError {
  return new MiniAppError(
    'SIG_MANIFEST_MISMATCH',
    message,
    pointer === undefined ? {} : { location: { file: 'manifest.json', pointer } },
  );
}

/**
 * The manifest bytes, read through the same hardened ZIP reader as review and install, so the host
 * checks the manifest that the server reviewed and not another copy of its name [PKG-100] [PKG-170].
 * A damaged archive keeps its PKG_ code.
 */
function readManifest(bytes: Uint8Array): Uint8Array {
  return readArchive(bytes).read('manifest.json');
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
