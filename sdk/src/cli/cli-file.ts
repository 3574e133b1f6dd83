import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from './command.ts';

function errnoOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** Turns a file-system refusal about a path the user named into a usage error instead of an internal one. */
function usageErrorFor(error: unknown, file: string, action: 'read' | 'write'): UsageError {
  switch (errnoOf(error)) {
    case 'ENOENT':
      return new UsageError(
        action === 'read'
          ? `${file} does not exist`
          : `cannot write ${file}: its folder does not exist`,
      );
    case 'ENOTDIR':
      return new UsageError(`cannot ${action} ${file}: a part of its path is not a folder`);
    case 'EISDIR':
      return new UsageError(`${file} is a folder, not a file`);
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new UsageError(`permission denied to ${action} ${file}`);
    default:
      return new UsageError(`cannot ${action} ${file} (${errnoOf(error) ?? 'unknown error'})`);
  }
}

/** Reads a file the user named on the command line; a missing or unreadable file is a usage error (exit 2). */
export async function readInputFile(file: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(file));
  } catch (error) {
    throw usageErrorFor(error, file, 'read');
  }
}

export interface OutputOptions {
  /** Replace an existing file (never a folder); otherwise refuse with a usage error. */
  overwrite: boolean;
  mode?: number;
}

/**
 * Writes an output the user asked for, all or nothing: the bytes go to a hidden file beside the target
 * and are renamed into place, so a refusal or crash never leaves a partial file under the final name.
 */
export async function writeOutputFile(
  file: string,
  content: Uint8Array | string,
  options: OutputOptions,
): Promise<void> {
  const existing = await stat(file).catch(() => undefined);
  if (existing?.isDirectory()) throw new UsageError(`${file} is a folder, not a file`);
  if (existing && !options.overwrite) {
    throw new UsageError(`${file} already exists; refusing to overwrite it (choose another --out)`);
  }
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.partial`);
  try {
    await writeFile(temporary, content, { flag: 'wx', mode: options.mode ?? 0o644 });
    if (!options.overwrite) {
      // Re-check at the last moment: another process may have created the file meanwhile.
      if (await stat(file).catch(() => undefined)) {
        throw new UsageError(`${file} already exists; refusing to overwrite it`);
      }
    }
    await rename(temporary, file);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw usageErrorFor(error, file, 'write');
  } finally {
    await rm(temporary, { force: true });
  }
}
