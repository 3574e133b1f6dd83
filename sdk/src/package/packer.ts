import { MiniAppError } from '../diagnostics/index.ts';
import { openDirectorySource } from './directory-source.ts';
import {
  checkPackageLimits,
  formatBytes,
  resolveLimits,
  type PackageLimits,
} from './package-limits.ts';
import { packageDigest, type PackageDigest } from './package-digest.ts';
import type { PackageFile, PackageSource } from './package-source.ts';
import { writeCanonicalZip, type ZipInput } from './zip-writer.ts';

export interface PackOptions {
  limits?: Partial<PackageLimits>;
  /** Subpackage roots for the size split; by default read from `subpackages[].root` of manifest.json. */
  subpackageRoots?: readonly string[];
}

export interface PackResult {
  bytes: Uint8Array;
  digest: PackageDigest;
  files: PackageFile[];
}

/**
 * Reads subpackage roots leniently: the manifest validator (spec/manifest.md) reports a malformed manifest,
 * the packer only needs the roots to split sizes.
 */
async function subpackageRootsOf(source: PackageSource): Promise<string[]> {
  let manifest: unknown;
  try {
    manifest = JSON.parse(new TextDecoder().decode(await source.read('manifest.json')));
  } catch {
    return [];
  }
  const subpackages = (manifest as { subpackages?: unknown } | null)?.subpackages;
  if (!Array.isArray(subpackages)) return [];
  return subpackages
    .map((s: unknown) => (s as { root?: unknown } | null)?.root)
    .filter((root): root is string => typeof root === 'string' && root.length > 0);
}

/**
 * Packs a directory into a .ma package in the canonical form of spec/package.md [PKG-080]:
 * the same files always give the same bytes and digest, whatever their timestamps, modes or listing order.
 * Throws MiniAppError (with every finding in `details.diagnostics`) when the directory cannot give a valid package [PKG-073].
 */
export async function packDirectory(dir: string, options: PackOptions = {}): Promise<PackResult> {
  const limits = resolveLimits(options.limits);
  const { source, diagnostics } = await openDirectorySource(dir, limits);
  if (diagnostics.every((d) => d.severity !== 'error')) {
    const roots = options.subpackageRoots ?? (await subpackageRootsOf(source));
    diagnostics.push(...checkPackageLimits(source, roots, limits));
  }
  const firstError = diagnostics.find((d) => d.severity === 'error');
  if (firstError) {
    const more = diagnostics.length > 1 ? ` (and ${diagnostics.length - 1} more)` : '';
    throw new MiniAppError(firstError.code, `${firstError.message}${more}`, {
      requirement: firstError.requirement,
      ...(firstError.location ? { location: firstError.location } : {}),
      ...(firstError.fix ? { fix: firstError.fix } : {}),
      details: { diagnostics },
    });
  }
  const inputs: ZipInput[] = [];
  for (const file of source.files)
    inputs.push({ path: file.path, data: await source.read(file.path) });
  const bytes = writeCanonicalZip(inputs);
  // [PKG-045] headers of many long paths can push a package that fits the file limits past the archive limit.
  if (bytes.length > limits.maxArchiveBytes) {
    throw new MiniAppError(
      'PKG_ARCHIVE_TOO_LARGE',
      `The package would be ${formatBytes(bytes.length)}, over the archive limit of ${formatBytes(limits.maxArchiveBytes)}.`,
      { location: { file: dir } },
    );
  }
  return { bytes, digest: packageDigest(bytes), files: source.files.map((f) => ({ ...f })) };
}
