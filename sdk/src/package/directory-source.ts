import { constants } from 'node:fs';
import { lstat, open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { diagnostic, MiniAppError, type Diagnostic } from '../diagnostics/index.ts';
import { MAX_MANIFEST_BYTES } from '../manifest/json-text.ts';
import { formatBytes, maxFileBytes, resolveLimits, type PackageLimits } from './package-limits.ts';
import { checkEntryPath, compareUtf8, PathRegistry } from './package-path.ts';
import type { PackageFile, PackageSource } from './package-source.ts';

/** Directories a packer skips at any depth [PKG-070]. */
export const IGNORED_DIRECTORIES: readonly string[] = Object.freeze(['.git', '.hg', '.svn']);
/** Files a packer skips at any depth [PKG-070]. */
export const IGNORED_FILES: readonly string[] = Object.freeze([
  '.DS_Store',
  'Thumbs.db',
  'desktop.ini',
]);

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

interface Walk {
  root: string;
  limits: PackageLimits;
  registry: PathRegistry;
  files: Map<string, { fsPath: Buffer; size: number }>;
  diagnostics: Diagnostic[];
  entries: number;
  stopped: boolean;
  /** manifest.json exists but was refused, so it is reported as what it is, not as missing. */
  manifestRefused: boolean;
}

function join(parent: Buffer, name: Buffer): Buffer {
  return Buffer.concat([parent, Buffer.from(path.sep), name]);
}

async function walk(state: Walk, fsDir: Buffer, segments: readonly string[]): Promise<void> {
  const names = (await readdir(fsDir, { encoding: 'buffer' })).sort(Buffer.compare);
  for (const rawName of names) {
    if (state.stopped) return;
    const fsPath = join(fsDir, rawName);
    let name: string;
    try {
      // [PKG-072] paths are written in NFC whatever form the file system returned.
      name = strictUtf8.decode(rawName).normalize('NFC');
    } catch {
      const shown = [...segments, rawName.toString('latin1')].join('/');
      state.diagnostics.push(
        diagnostic('PKG_NAME_ENCODING', `The name of "${shown}" is not valid UTF-8.`, {
          location: { file: shown },
          fix: 'Rename the file with a UTF-8 name.',
        }),
      );
      continue;
    }
    const relative = [...segments, name].join('/');
    const info = await lstat(fsPath);
    // [PKG-071] links are refused, never followed: a link could pull in files from outside the directory.
    if (info.isSymbolicLink()) {
      state.diagnostics.push(
        diagnostic('PKG_SYMLINK', `"${relative}" is a symbolic link.`, {
          location: { file: relative },
          fix: 'Replace the link by a copy of the file it points to.',
        }),
      );
      continue;
    }
    if (info.isDirectory()) {
      if (IGNORED_DIRECTORIES.includes(name)) continue;
      await walk(state, fsPath, [...segments, name]);
      continue;
    }
    if (!info.isFile()) {
      state.diagnostics.push(
        diagnostic('PKG_SPECIAL_FILE', `"${relative}" is not a regular file.`, {
          location: { file: relative },
          fix: 'Remove it from the directory.',
        }),
      );
      continue;
    }
    if (IGNORED_FILES.includes(name)) continue;
    state.entries += 1;
    if (state.entries > state.limits.maxEntries) {
      // Stop walking: a directory this large (often node_modules/) would only produce noise.
      state.stopped = true;
      state.diagnostics.push(
        diagnostic(
          'PKG_TOO_MANY_ENTRIES',
          `The directory has more than ${state.limits.maxEntries} files.`,
          {
            location: { file: state.root },
            fix: 'Pack the build output only, not the project directory.',
          },
        ),
      );
      return;
    }
    addFile(state, relative, fsPath, info.size);
  }
}

function addFile(state: Walk, relative: string, fsPath: Buffer, size: number): void {
  const problem = checkEntryPath(relative, state.limits);
  if (problem) {
    state.diagnostics.push(
      diagnostic(problem.code, `"${relative}" cannot be packed: ${problem.reason}.`, {
        location: { file: relative },
        fix: 'Rename the file.',
      }),
    );
    return;
  }
  const clash = state.registry.add(relative, 'file');
  if (clash !== null) {
    state.diagnostics.push(
      diagnostic(
        'PKG_DUPLICATE_PATH',
        `"${relative}" and "${clash}" would be one file on a case-insensitive file system.`,
        {
          location: { file: relative },
          fix: 'Rename one of the two.',
        },
      ),
    );
    return;
  }
  // [MAN-003] a manifest over its own limit is reported once, with the manifest's code.
  if (relative === 'manifest.json' && size > MAX_MANIFEST_BYTES) {
    state.manifestRefused = true;
    state.diagnostics.push(
      diagnostic(
        'MANIFEST_TOO_LARGE',
        `manifest.json is ${formatBytes(size)}; the limit is ${formatBytes(MAX_MANIFEST_BYTES)}.`,
        {
          location: { file: relative },
          fix: 'Move data out of the manifest into the package files.',
        },
      ),
    );
    return;
  }
  if (size > maxFileBytes(state.limits)) {
    state.diagnostics.push(
      diagnostic(
        'PKG_TOO_LARGE',
        `"${relative}" is ${formatBytes(size)}, more than any part of a package may hold.`,
        {
          location: { file: relative },
          fix: 'Compress the file or load it from the network.',
        },
      ),
    );
    return;
  }
  state.files.set(relative, { fsPath, size });
}

async function readListedFile(
  label: string,
  relative: string,
  fsPath: Buffer,
  size: number,
): Promise<Uint8Array> {
  let handle;
  try {
    // O_NOFOLLOW: a file swapped for a link after the walk is refused, not followed.
    handle = await open(fsPath, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (cause) {
    const code = (cause as { code?: unknown }).code;
    if (code === 'ELOOP' || code === 'EMLINK') {
      throw new MiniAppError('PKG_SYMLINK', `"${relative}" became a symbolic link.`, {
        cause,
        location: { file: relative },
      });
    }
    throw new MiniAppError('USAGE', `Cannot read "${relative}" in ${label}.`, {
      cause,
      location: { file: relative },
    });
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) {
      throw new MiniAppError('PKG_SPECIAL_FILE', `"${relative}" is no longer a regular file.`, {
        location: { file: relative },
      });
    }
    if (info.size !== size) {
      throw new MiniAppError(
        'PKG_SIZE_MISMATCH',
        `"${relative}" changed size while the directory was read.`,
        {
          location: { file: relative },
          fix: 'Wait for the build to finish, then pack again.',
        },
      );
    }
    const bytes = await handle.readFile();
    if (bytes.length !== size) {
      throw new MiniAppError('PKG_SIZE_MISMATCH', `"${relative}" changed while it was read.`, {
        location: { file: relative },
      });
    }
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  } finally {
    await handle.close();
  }
}

/**
 * Reads a mini-app source directory: every regular file except the ignore list [PKG-070], with paths in NFC.
 * Links, special files, unsafe names, collisions and a missing manifest.json come back as diagnostics;
 * `source.files` holds only the files that passed.
 */
export async function openDirectorySource(
  dir: string,
  limits?: Partial<PackageLimits>,
): Promise<{ source: PackageSource; diagnostics: Diagnostic[] }> {
  const resolved = resolveLimits(limits);
  const info = await stat(dir).catch((cause: unknown) => {
    throw new MiniAppError('USAGE', `Cannot read the directory ${dir}.`, {
      cause,
      location: { file: dir },
    });
  });
  if (!info.isDirectory())
    throw new MiniAppError('USAGE', `${dir} is not a directory.`, { location: { file: dir } });
  const state: Walk = {
    root: dir,
    limits: resolved,
    registry: new PathRegistry(),
    files: new Map(),
    diagnostics: [],
    entries: 0,
    stopped: false,
    manifestRefused: false,
  };
  await walk(state, Buffer.from(path.resolve(dir)), []);
  // [MAN-001] reported here with the manifest reader's code, so both paths agree
  if (!state.files.has('manifest.json') && !state.manifestRefused) {
    state.diagnostics.push(
      diagnostic('MANIFEST_MISSING', `${dir} has no manifest.json at its top level.`, {
        location: { file: 'manifest.json' },
        fix: 'Create manifest.json at the root of the mini-app (see spec/manifest.md).',
      }),
    );
  }
  const files: PackageFile[] = [...state.files.entries()]
    .map(([filePath, { size }]) => Object.freeze({ path: filePath, size }))
    .sort((a, b) => compareUtf8(a.path, b.path));
  const source: PackageSource = {
    kind: 'directory',
    label: dir,
    files: Object.freeze(files),
    read(filePath: string): Promise<Uint8Array> {
      const listed = state.files.get(filePath);
      if (!listed) {
        return Promise.reject(
          new MiniAppError('USAGE', `The directory ${dir} has no packable file "${filePath}".`, {
            location: { file: filePath },
          }),
        );
      }
      return readListedFile(dir, filePath, listed.fsPath, listed.size);
    },
  };
  return { source, diagnostics: state.diagnostics };
}
