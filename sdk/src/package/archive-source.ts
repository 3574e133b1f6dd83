import { MiniAppError } from '../diagnostics/index.ts';
import { readBoundedFile } from './bounded-file.ts';
import { formatBytes, resolveLimits, type PackageLimits } from './package-limits.ts';
import { compareUtf8 } from './package-path.ts';
import type { PackageFile, PackageSource } from './package-source.ts';
import { inflateZipEntry, readZipEntries, type ZipEntry } from './zip-reader.ts';

function tooLarge(label: string, limit: number, size?: number): MiniAppError {
  return new MiniAppError(
    'PKG_ARCHIVE_TOO_LARGE',
    size === undefined
      ? `The package passed the archive limit of ${formatBytes(limit)} while it was read.`
      : `The package is ${formatBytes(size)}, over the archive limit of ${formatBytes(limit)}.`,
    { location: { file: label } },
  );
}

async function loadBytes(input: string | Uint8Array, limits: PackageLimits): Promise<Buffer> {
  if (typeof input !== 'string') {
    // [PKG-045] refuse before parsing, so a huge upload never reaches the parser.
    if (input.length > limits.maxArchiveBytes)
      throw tooLarge('<bytes>', limits.maxArchiveBytes, input.length);
    // A copy, so that a caller mutating its array cannot change bytes after they were checked.
    return Buffer.from(input);
  }
  return readBoundedFile(input, limits.maxArchiveBytes, {
    tooLarge: () => tooLarge(input, limits.maxArchiveBytes),
    unreadable: (cause) =>
      new MiniAppError('USAGE', `Cannot read the package ${input}.`, {
        cause,
        location: { file: input },
      }),
  });
}

/** An archive whose whole structure has been checked; entries inflate on demand. */
export interface CheckedArchive {
  /** Every regular file, sorted by path (UTF-8 byte order). */
  files: readonly PackageFile[];
  /** Inflates one file, never past its declared size, and checks its CRC-32 [PKG-049] [PKG-050]. */
  read(path: string): Uint8Array;
}

/**
 * Checks a whole archive held in memory: steps 2 to 4 of the processing model of spec/package.md
 * [PKG-100], through the one hardened ZIP reader. Synchronous, so a host's signature check can use
 * it between verifying a digest and trusting the bytes. Throws MiniAppError with a PKG_ code, or
 * MANIFEST_MISSING when the root has no manifest.json [MAN-001].
 */
export function readArchive(
  bytes: Uint8Array,
  limits?: Partial<PackageLimits>,
  label = '<bytes>',
): CheckedArchive {
  const resolved = resolveLimits(limits);
  if (bytes.length > resolved.maxArchiveBytes)
    throw tooLarge(label, resolved.maxArchiveBytes, bytes.length);
  const buffer = Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const entries = readZipEntries(buffer, label, resolved)
    .filter((entry) => !entry.isDirectory)
    .sort((a, b) => compareUtf8(a.path, b.path));
  const byPath = new Map<string, ZipEntry>(entries.map((entry) => [entry.path, entry]));
  // [MAN-001] refused before any entry is used, with the manifest reader's code
  if (!byPath.has('manifest.json')) {
    throw new MiniAppError('MANIFEST_MISSING', 'The archive has no manifest.json at its root.', {
      location: { file: label },
      fix: 'Put manifest.json at the top of the directory you pack.',
    });
  }
  return {
    files: Object.freeze(
      entries.map((entry) => Object.freeze({ path: entry.path, size: entry.uncompressedSize })),
    ),
    read(path: string): Uint8Array {
      const entry = byPath.get(path);
      if (!entry) {
        throw new MiniAppError('USAGE', `The package has no file "${path}".`, {
          location: { file: label },
        });
      }
      return inflateZipEntry(buffer, entry, label);
    },
  };
}

/**
 * Opens a .ma archive (a path or its bytes) and checks its whole structure before any entry is used [PKG-100].
 * Throws MiniAppError with a PKG_ code for anything spec/package.md refuses; `read()` inflates on demand,
 * never past the declared size, and checks the CRC-32.
 */
export async function openArchiveSource(
  input: string | Uint8Array,
  limits?: Partial<PackageLimits>,
): Promise<PackageSource> {
  const resolved = resolveLimits(limits);
  const label = typeof input === 'string' ? input : '<bytes>';
  const archive = readArchive(await loadBytes(input, resolved), resolved, label);
  return {
    kind: 'archive',
    label,
    files: archive.files,
    read(path: string): Promise<Uint8Array> {
      try {
        return Promise.resolve(archive.read(path));
      } catch (error) {
        return Promise.reject(error);
      }
    },
  };
}

/**
 * Inflates every file of a source once and discards the bytes: the size and CRC-32 of each entry are
 * then known to be true [PKG-049] [PKG-050], including files that no later check reads [PKG-172].
 */
export async function checkEveryEntry(source: PackageSource): Promise<void> {
  for (const file of source.files) await source.read(file.path);
}
