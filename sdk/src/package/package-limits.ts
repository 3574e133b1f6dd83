import { diagnostic, MiniAppError, type Diagnostic } from '../diagnostics/index.ts';
import type { PackageSource } from './package-source.ts';

const MiB = 1024 * 1024;

/** The numeric limits of spec/package.md; a platform may lower each one but never raise it [PKG-046] [PKG-047]. */
export interface PackageLimits {
  /** [PKG-040] Files outside every subpackage root, uncompressed bytes. */
  maxMainPackageBytes: number;
  /** [PKG-041] Files below one subpackage root, uncompressed bytes. */
  maxSubpackageBytes: number;
  /** [PKG-042] All files together, uncompressed bytes. */
  maxTotalBytes: number;
  /** [PKG-043] Entries, directory entries included. */
  maxEntries: number;
  /** [PKG-044] Uncompressed size divided by compressed size, per entry. */
  maxCompressionRatio: number;
  /** [PKG-045] The .ma file itself. */
  maxArchiveBytes: number;
  /** [PKG-025] A whole path, UTF-8 bytes. */
  maxPathBytes: number;
  /** [PKG-025] One path segment, UTF-8 bytes. */
  maxSegmentBytes: number;
}

/** The default (and maximum) limits of spec/package.md. */
export const DEFAULT_LIMITS: Readonly<PackageLimits> = Object.freeze({
  maxMainPackageBytes: 2 * MiB,
  maxSubpackageBytes: 2 * MiB,
  maxTotalBytes: 20 * MiB,
  maxEntries: 2000,
  maxCompressionRatio: 100,
  maxArchiveBytes: 25 * MiB,
  maxPathBytes: 1024,
  maxSegmentBytes: 255,
});

/**
 * Completes partial limits with the defaults.
 * Throws USAGE when a value is not a positive number or is above its default [PKG-047].
 */
export function resolveLimits(limits: Partial<PackageLimits> = {}): PackageLimits {
  const resolved: PackageLimits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof PackageLimits)[]) {
    const value = limits[key];
    if (value === undefined) continue;
    if (!Number.isFinite(value) || value <= 0 || value > DEFAULT_LIMITS[key]) {
      throw new MiniAppError(
        'USAGE',
        `Package limit ${key} must be a positive number no greater than ${DEFAULT_LIMITS[key]}; got ${value}.`,
        {
          requirement: 'PKG-047',
          fix: `Lower ${key} or leave it out to use the default.`,
        },
      );
    }
    resolved[key] = value;
  }
  return resolved;
}

/** The largest single file any part of a package can hold; bigger files can never be valid (spec/package.md, Size limits). */
export function maxFileBytes(limits: PackageLimits): number {
  return Math.min(
    limits.maxTotalBytes,
    Math.max(limits.maxMainPackageBytes, limits.maxSubpackageBytes),
  );
}

/** Formats a byte count for messages. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < MiB) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / MiB).toFixed(2)} MiB`;
}

interface Part {
  root: string;
  bytes: number;
  files: { path: string; size: number }[];
}

function largestFiles(part: Part): string {
  return [...part.files]
    .sort((a, b) => b.size - a.size)
    .slice(0, 3)
    .map((f) => `${f.path} (${formatBytes(f.size)})`)
    .join(', ');
}

/**
 * Checks the main-package, per-subpackage, total and entry-count limits of a source [PKG-040] [PKG-041] [PKG-042] [PKG-043].
 * `subpackageRoots` are the manifest's `subpackages[].root` values ("packages/cart/"); a file belongs to the longest root that prefixes it.
 */
export function checkPackageLimits(
  source: PackageSource,
  subpackageRoots: readonly string[],
  limits?: Partial<PackageLimits>,
): Diagnostic[] {
  const resolved = resolveLimits(limits);
  const roots = [...new Set(subpackageRoots.map((r) => (r.endsWith('/') ? r : `${r}/`)))].sort(
    (a, b) => b.length - a.length,
  );
  const main: Part = { root: '.', bytes: 0, files: [] };
  const parts = new Map<string, Part>(roots.map((root) => [root, { root, bytes: 0, files: [] }]));
  let total = 0;
  for (const file of source.files) {
    const root = roots.find((r) => file.path.startsWith(r));
    const part = (root === undefined ? undefined : parts.get(root)) ?? main;
    part.bytes += file.size;
    part.files.push(file);
    total += file.size;
  }
  const found: Diagnostic[] = [];
  if (main.bytes > resolved.maxMainPackageBytes) {
    found.push(
      diagnostic(
        'PKG_MAIN_PACKAGE_TOO_LARGE',
        `The main package holds ${formatBytes(main.bytes)}, over the limit of ${formatBytes(resolved.maxMainPackageBytes)}; largest files: ${largestFiles(main)}.`,
        {
          location: { file: main.root },
          fix: 'Move pages and their assets into subpackages, or shrink the largest files.',
        },
      ),
    );
  }
  for (const part of parts.values()) {
    if (part.bytes <= resolved.maxSubpackageBytes) continue;
    found.push(
      diagnostic(
        'PKG_SUBPACKAGE_TOO_LARGE',
        `Subpackage ${part.root} holds ${formatBytes(part.bytes)}, over the limit of ${formatBytes(resolved.maxSubpackageBytes)}; largest files: ${largestFiles(part)}.`,
        {
          location: { file: part.root },
          fix: 'Split the subpackage in two, or shrink its largest files.',
        },
      ),
    );
  }
  if (total > resolved.maxTotalBytes) {
    found.push(
      diagnostic(
        'PKG_TOO_LARGE',
        `The package holds ${formatBytes(total)} in all, over the limit of ${formatBytes(resolved.maxTotalBytes)}.`,
        {
          location: { file: '.' },
          fix: 'Remove unused assets or load large media from the network.',
        },
      ),
    );
  }
  if (source.files.length > resolved.maxEntries) {
    found.push(
      diagnostic(
        'PKG_TOO_MANY_ENTRIES',
        `The package has ${source.files.length} files, over the limit of ${resolved.maxEntries}.`,
        {
          location: { file: '.' },
          fix: 'Bundle scripts and styles, or combine small images into sprites.',
        },
      ),
    );
  }
  return found;
}
