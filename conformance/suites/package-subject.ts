import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../framework/index.ts';
import {
  inspectArchive,
  type ArchiveInspection,
  type EntryKind,
} from '../package/archive/archive-inspection.ts';
import {
  readSourceDirectory,
  readSourceFile,
  type SourceDirectory,
} from '../package/source-directory.ts';
import { sizeLimits } from '../package/size-limit.ts';

/** One entry of the package (for a directory: one file a conforming packer would write). */
export interface PackageEntry {
  /** The path the package gives it: the central directory name, or the NFC relative path. */
  path: string;
  kind: EntryKind;
  /** Uncompressed size: declared by the central directory, or the file's size. */
  size: number;
  /** The verified bytes (inflated, CRC checked), when they could be read. */
  read(): Uint8Array | undefined;
}

/** A package under test: a `.ma` archive or the directory it would be packed from. */
export interface PackageSubject {
  kind: 'archive' | 'directory';
  label: string;
  archive?: ArchiveInspection;
  directory?: SourceDirectory;
  /** Every entry, directory entries included, in archive order. */
  entries: PackageEntry[];
  /** Regular files by exact path; the first of duplicates wins. */
  files: ReadonlyMap<string, PackageEntry>;
  /** Why nothing about the entries is known (a damaged archive, a file too large to read). */
  blocked?: string;
  /** Analyses computed once, on first use, by the cases that need them. */
  memo: Map<string, unknown>;
  /** The Chromium the client-behaviour cases run the package in. */
  chromiumPath?: string;
}

/** Reads at most this much: far above the archive limit, so a too-large package is still reported. */
const readCap = 256 * 1024 * 1024;

function fromArchive(file: string, label: string): PackageSubject {
  const size = statSync(file).size;
  if (size > readCap) {
    return {
      kind: 'archive',
      label,
      entries: [],
      files: new Map(),
      blocked: `the file is ${size} bytes, more than ten times the archive limit; it was not read`,
      archive: { size, readable: false, entries: [], findings: [] },
      memo: new Map(),
    };
  }
  const archive = inspectArchive(readFileSync(file));
  const entries: PackageEntry[] = archive.entries.map((e) => ({
    path: e.name,
    kind: e.kind,
    size: e.central.uncompressedSize,
    read: () => e.data,
  }));
  return {
    kind: 'archive',
    label,
    archive,
    entries,
    files: filesOf(entries),
    ...(archive.readable
      ? {}
      : { blocked: 'the central directory could not be read (see PKG-001)' }),
    memo: new Map(),
  };
}

function fromDirectory(dir: string, label: string): PackageSubject {
  const directory = readSourceDirectory(dir);
  const entries: PackageEntry[] = directory.files.map((f) => {
    let cached: Uint8Array | undefined | null = null;
    return {
      // [PKG-072] a packer writes every path in NFC.
      path: f.path.normalize('NFC'),
      kind: 'file' as const,
      size: f.size,
      read: () => {
        if (cached === null)
          cached = f.size > sizeLimits.totalBytes ? undefined : readSourceFile(f);
        return cached;
      },
    };
  });
  return { kind: 'directory', label, directory, entries, files: filesOf(entries), memo: new Map() };
}

function filesOf(entries: readonly PackageEntry[]): Map<string, PackageEntry> {
  const files = new Map<string, PackageEntry>();
  for (const e of entries) if (e.kind === 'file' && !files.has(e.path)) files.set(e.path, e);
  return files;
}

/** Opens a `.ma` file or a source directory; an unreadable path is a usage error. */
export function openPackage(target: string): PackageSubject {
  let stats;
  try {
    stats = statSync(target);
  } catch (error) {
    throw new UsageError(
      `cannot read ${target}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  const relative = path.relative(process.cwd(), path.resolve(target)) || '.';
  const label = relative.startsWith('..') ? path.resolve(target) : relative;
  try {
    if (stats.isDirectory()) return fromDirectory(target, label);
    if (stats.isFile()) return fromArchive(target, label);
  } catch (error) {
    throw new UsageError(
      `cannot read ${target}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  throw new UsageError(`${target} is neither a file nor a directory`);
}

/** Computes an analysis once per subject. */
export function memoised<T>(subject: PackageSubject, key: string, compute: () => T): T {
  if (!subject.memo.has(key)) subject.memo.set(key, compute());
  return subject.memo.get(key) as T;
}
