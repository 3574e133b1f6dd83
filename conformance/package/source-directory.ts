import { lstatSync, readdirSync, readFileSync, type Stats } from 'node:fs';
import path from 'node:path';
import { sizeLimits } from './size-limit.ts';

/** Names a packer skips at any depth (spec/package.md, "Source directories"). */
export const ignoredDirectoryNames: readonly string[] = ['.git', '.hg', '.svn'];
export const ignoredFileNames: readonly string[] = ['.DS_Store', 'Thumbs.db', 'desktop.ini'];

export interface SourceFile {
  /** Relative path with `/`, as the file system spells it (not normalised). */
  path: string;
  size: number;
  absolute: string;
}

export interface SourceDirectory {
  root: string;
  files: SourceFile[];
  /** Symbolic links and special files (PKG-071), with what they are. */
  refused: { path: string; what: string }[];
  /** Paths skipped by the ignore list (PKG-070). */
  ignored: string[];
}

function describe(stats: Stats): string {
  if (stats.isSymbolicLink()) return 'symbolic link';
  if (stats.isFIFO()) return 'FIFO';
  if (stats.isSocket()) return 'socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'device';
  return 'special file';
}

/** Lists a source directory without following links, as a conforming packer sees it. */
export function readSourceDirectory(root: string): SourceDirectory {
  const result: SourceDirectory = { root, files: [], refused: [], ignored: [] };
  const walk = (dir: string, relative: string[]) => {
    const names = readdirSync(dir).sort();
    for (const name of names) {
      const absolute = path.join(dir, name);
      const rel = [...relative, name].join('/');
      const stats = lstatSync(absolute);
      if (stats.isDirectory()) {
        if (ignoredDirectoryNames.includes(name)) result.ignored.push(`${rel}/`);
        else walk(absolute, [...relative, name]);
      } else if (stats.isFile()) {
        if (ignoredFileNames.includes(name)) result.ignored.push(rel);
        else result.files.push({ path: rel, size: stats.size, absolute });
      } else {
        result.refused.push({ path: rel, what: describe(stats) });
      }
    }
  };
  walk(root, []);
  return result;
}

/** Reads a source file unless it is larger than the total limit (then it cannot be packed anyway). */
export function readSourceFile(file: SourceFile): Uint8Array | undefined {
  if (file.size > sizeLimits.totalBytes) return undefined;
  try {
    return readFileSync(file.absolute);
  } catch {
    return undefined;
  }
}
