import { defineCase, fromFaults, skip, type ConformanceCase } from '../framework/index.ts';
import { manifestOf } from '../manifest/manifest-inspection.ts';
import { subpackageRoots } from '../manifest/manifest-rules.ts';
import type { PackageSubject } from '../suites/package-subject.ts';
import { showPath } from './entry-path.ts';
import { formatBytes, sizeLimits } from './size-limit.ts';

function limitCase(
  id: string,
  requirement: string,
  description: string,
  why: string,
  faults: (subject: PackageSubject) => string[] | string,
): ConformanceCase<PackageSubject> {
  return defineCase<PackageSubject>({
    id: `package.limits.${id}`,
    description,
    requirements: [requirement],
    level: 'MUST',
    class: 'package',
    lane: 'certify',
    why,
    run({ subject }) {
      if (subject.blocked && requirement !== 'PKG-045') return skip(`blocked: ${subject.blocked}`);
      const result = faults(subject);
      return typeof result === 'string' ? skip(result) : fromFaults(result);
    },
  });
}

/** Uncompressed bytes of regular files, split into the main package and each subpackage root. */
function packageShares(
  subject: PackageSubject,
): { main: number; roots: Map<string, number> } | string {
  const manifest = manifestOf(subject).manifest;
  if (!manifest) return 'blocked: without a readable manifest the subpackage roots are unknown';
  const roots = new Map(subpackageRoots(manifest).map((r) => [r, 0]));
  let main = 0;
  for (const e of subject.entries) {
    if (e.kind !== 'file') continue;
    const root = [...roots.keys()].find((r) => e.path.startsWith(r));
    if (root === undefined) main += e.size;
    else roots.set(root, (roots.get(root) ?? 0) + e.size);
  }
  return { main, roots };
}

export const sizeLimitCases: ConformanceCase<PackageSubject>[] = [
  limitCase(
    'main-package',
    'PKG-040',
    'The files outside every subpackage root add up to at most 2 MiB',
    'The main package is what a host loads before the first page; the limit keeps start-up inside its budget on every device.',
    (subject) => {
      const shares = packageShares(subject);
      if (typeof shares === 'string') return shares;
      return shares.main > sizeLimits.mainPackageBytes
        ? [
            `the main package holds ${formatBytes(shares.main)}, above ${formatBytes(sizeLimits.mainPackageBytes)}`,
          ]
        : [];
    },
  ),
  limitCase(
    'subpackage',
    'PKG-041',
    'The files below each subpackage root add up to at most 2 MiB',
    'A subpackage is loaded on first use; the limit bounds that pause.',
    (subject) => {
      const shares = packageShares(subject);
      if (typeof shares === 'string') return shares;
      return [...shares.roots]
        .filter(([, bytes]) => bytes > sizeLimits.subpackageBytes)
        .map(
          ([root, bytes]) =>
            `the subpackage ${showPath(root)} holds ${formatBytes(bytes)}, above ${formatBytes(sizeLimits.subpackageBytes)}`,
        );
    },
  ),
  limitCase(
    'total',
    'PKG-042',
    'All files together add up to at most 20 MiB uncompressed',
    'The total bounds what any host must store and verify for one app.',
    (subject) => {
      const total = subject.entries
        .filter((e) => e.kind === 'file')
        .reduce((n, e) => n + e.size, 0);
      return total > sizeLimits.totalBytes
        ? [`the files add up to ${formatBytes(total)}, above ${formatBytes(sizeLimits.totalBytes)}`]
        : [];
    },
  ),
  limitCase(
    'entry-count',
    'PKG-043',
    'A package has at most 2000 entries, directory entries included',
    'Each entry costs every reader a header to parse and a file to create.',
    (subject) =>
      subject.entries.length > sizeLimits.entries
        ? [`${subject.entries.length} entries, above ${sizeLimits.entries}`]
        : [],
  ),
  limitCase(
    'compression-ratio',
    'PKG-044',
    'No entry expands to more than 100 times its compressed size',
    'The ratio limit is a second line of defence against decompression bombs, checked before anything is inflated.',
    (subject) => {
      if (!subject.archive) return 'a directory has no compressed sizes';
      return subject.archive.entries
        .filter(
          (e) =>
            e.central.uncompressedSize > e.central.compressedSize * sizeLimits.compressionRatio,
        )
        .map(
          (e) =>
            `${showPath(e.name)} declares ${e.central.uncompressedSize} bytes from ${e.central.compressedSize} compressed (ratio above ${sizeLimits.compressionRatio})`,
        );
    },
  ),
  limitCase(
    'archive-size',
    'PKG-045',
    'The .ma file is at most 25 MiB',
    'Hosts and servers stop downloading at the archive limit; a larger package cannot be delivered.',
    (subject) => {
      if (!subject.archive) return 'a directory is not a package file';
      return subject.archive.size > sizeLimits.archiveBytes
        ? [
            `the package is ${formatBytes(subject.archive.size)}, above ${formatBytes(sizeLimits.archiveBytes)}`,
          ]
        : [];
    },
  ),
];
