import { constants } from 'node:fs';
import { lstat, mkdir, open, readdir, realpath, rm } from 'node:fs/promises';
import path from 'node:path';
import { MiniAppError } from '../diagnostics/index.ts';
import { DEFAULT_LIMITS } from './package-limits.ts';
import { checkEntryPath, PathRegistry } from './package-path.ts';
import type { PackageSource } from './package-source.ts';

/** Creates the destination, or accepts it when it is an empty plain directory [PKG-101]; returns whether it was created. */
async function prepareDestination(destDir: string): Promise<boolean> {
  try {
    await mkdir(destDir, { mode: 0o755 });
    return true;
  } catch (cause) {
    if ((cause as { code?: unknown }).code !== 'EEXIST') {
      throw new MiniAppError('USAGE', `Cannot create the directory ${destDir}.`, {
        cause,
        location: { file: destDir },
      });
    }
  }
  const info = await lstat(destDir);
  if (!info.isDirectory() || (await readdir(destDir)).length > 0) {
    throw new MiniAppError(
      'PKG_EXTRACT_TARGET_NOT_EMPTY',
      `${destDir} exists and is not an empty directory.`,
      {
        location: { file: destDir },
        fix: 'Extract into a new directory.',
      },
    );
  }
  return false;
}

/** Creates `segments` below root one by one, refusing any that exists as something other than a plain directory [PKG-102]. */
async function makeDirectories(root: string, segments: readonly string[]): Promise<string> {
  let current = root;
  for (const segment of segments) {
    current = path.join(current, segment);
    try {
      await mkdir(current, { mode: 0o755 });
    } catch (cause) {
      if ((cause as { code?: unknown }).code !== 'EEXIST') throw cause;
      const info = await lstat(current);
      if (!info.isDirectory()) {
        throw new MiniAppError(
          'PKG_EXTRACT_ESCAPE',
          `${current} exists and is not a plain directory.`,
          { location: { file: current } },
        );
      }
    }
  }
  // [PKG-103] defence in depth: after resolving every link, the directory is still inside the root.
  const resolved = await realpath(current);
  if (resolved !== root && !resolved.startsWith(root + path.sep)) {
    throw new MiniAppError('PKG_EXTRACT_ESCAPE', `${current} resolves outside the destination.`, {
      location: { file: current },
    });
  }
  return current;
}

async function writeExclusive(file: string, data: Uint8Array, relative: string): Promise<void> {
  let handle;
  try {
    // [PKG-103] exclusive create; O_NOFOLLOW so that a planted link is never written through.
    handle = await open(
      file,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      0o644,
    );
  } catch (cause) {
    const code = (cause as { code?: unknown }).code;
    if (code === 'EEXIST') {
      throw new MiniAppError(
        'PKG_DUPLICATE_PATH',
        `"${relative}" was already written: the file system aliases two paths.`,
        { cause, location: { file: relative } },
      );
    }
    throw new MiniAppError('PKG_EXTRACT_ESCAPE', `Cannot create "${relative}" safely.`, {
      cause,
      location: { file: relative },
    });
  }
  try {
    await handle.writeFile(data);
  } finally {
    await handle.close();
  }
}

async function removeCreated(destDir: string, created: boolean): Promise<void> {
  // rm does not follow links, so cleaning up cannot delete anything outside the destination.
  if (created) {
    await rm(destDir, { recursive: true, force: true });
    return;
  }
  for (const name of await readdir(destDir))
    await rm(path.join(destDir, name), { recursive: true, force: true });
}

/**
 * Writes every file of a source into a new or empty directory [PKG-101], never creating or following links [PKG-102]
 * and never writing outside it [PKG-103]. On failure, what was written is removed [PKG-104].
 */
export async function extractPackage(source: PackageSource, destDir: string): Promise<void> {
  const created = await prepareDestination(destDir);
  try {
    const root = await realpath(destDir);
    const registry = new PathRegistry();
    for (const file of source.files) {
      // Checked again here because a PackageSource may come from anywhere, not only from our readers.
      const problem = checkEntryPath(file.path, DEFAULT_LIMITS);
      if (problem)
        throw new MiniAppError(
          problem.code,
          `"${file.path}" cannot be extracted: ${problem.reason}.`,
          { location: { file: file.path } },
        );
      const clash = registry.add(file.path, 'file');
      if (clash !== null) {
        throw new MiniAppError('PKG_DUPLICATE_PATH', `"${file.path}" collides with "${clash}".`, {
          location: { file: file.path },
        });
      }
      const segments = file.path.split('/');
      const name = segments.pop() ?? '';
      const parent = await makeDirectories(root, segments);
      await writeExclusive(path.join(parent, name), await source.read(file.path), file.path);
    }
  } catch (error) {
    await removeCreated(destDir, created);
    throw error;
  }
}
