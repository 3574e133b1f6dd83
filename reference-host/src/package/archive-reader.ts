/**
 * The host's view of a downloaded package, read through the sdk's one hardened ZIP reader: the same
 * code that review and upload use, so a host never sees other files in an archive than the server
 * reviewed (parser differentials are a known attack class) [PKG-100] [PKG-170] [PKG-171] [PKG-172].
 * In the browser build, node:zlib and Buffer are the shims of src/platform.
 */
import { readArchive } from '#sdk/package/archive-source.ts';
import type { PackageLimits } from '#sdk/package/package-limits.ts';

/** One file of an opened archive. */
export interface ArchiveFile {
  path: string;
  size: number;
}

/** An archive whose whole structure was checked [PKG-100]; entries are inflated on demand. */
export interface CheckedArchive {
  readonly files: readonly ArchiveFile[];
  has(path: string): boolean;
  /** Inflates one entry, never past its declared size [PKG-049], and checks its CRC-32 [PKG-050]. */
  read(path: string): Promise<Uint8Array>;
}

/**
 * Opens archive bytes that already matched their signed digest, checking the whole structure before
 * any entry is used [PKG-100]; refuses with the PKG_ codes of spec/package.md, and MANIFEST_MISSING
 * when the root has no manifest.json [MAN-001].
 */
export function openArchive(input: Uint8Array, limits?: Partial<PackageLimits>): CheckedArchive {
  // A private copy, so that nobody can change bytes after they were checked.
  const archive = readArchive(input.slice(), limits, 'package');
  const files = Object.freeze(
    archive.files.map((file) => Object.freeze({ path: file.path, size: file.size })),
  );
  const paths = new Set(files.map((file) => file.path));
  return {
    files,
    has: (path) => paths.has(path),
    read: async (path) => archive.read(path),
  };
}
