import { rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ErrorCode } from '#schemas';
import { MiniAppError } from '../diagnostics/index.ts';
import { DEFAULT_LIMITS, readBoundedFile } from '../package/index.ts';
import { maxMetadataBytes } from '../signing/index.ts';
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

/** How much of an input the CLI reads, and the code it refuses a larger one with. */
export interface InputBound {
  maxBytes: number;
  code: ErrorCode;
  /** The requirement that sets the bound, when it is not the code's own. */
  requirement?: string;
  /** What the file is, for the message ("the statement"). */
  what: string;
}

const KiB = 1024;

/** The bounds of every kind of input file the CLI reads [PKG-045] [SIG-017]. */
export const inputBounds = {
  package: {
    maxBytes: DEFAULT_LIMITS.maxArchiveBytes,
    code: 'PKG_ARCHIVE_TOO_LARGE',
    what: 'the package',
  },
  metadata: {
    maxBytes: maxMetadataBytes,
    code: 'SIG_MALFORMED',
    requirement: 'SIG-017',
    what: 'the signed document',
  },
  publicKey: { maxBytes: 64 * KiB, code: 'SIG_KEY_INVALID', what: 'the public key' },
  privateKey: { maxBytes: 64 * KiB, code: 'SIG_KEY_FILE_INVALID', what: 'the private key' },
} as const satisfies Record<string, InputBound>;

/**
 * Reads a file the user named on the command line, at most `bound.maxBytes` of it: the limit counts
 * bytes actually read, so /dev/zero, /dev/urandom, a FIFO or /dev/stdin is refused with the bound's
 * code instead of growing without end [SIG-017] [PKG-091]. A missing or unreadable file is a usage
 * error (exit 2).
 */
export async function readInputFile(file: string, bound: InputBound): Promise<Uint8Array> {
  const bytes = await readBoundedFile(file, bound.maxBytes, {
    tooLarge: () =>
      new MiniAppError(bound.code, `${bound.what} ${file} is larger than ${bound.maxBytes} bytes`, {
        location: { file },
        ...(bound.requirement ? { requirement: bound.requirement } : {}),
        fix: `pass the file itself, not a device or a stream; ${bound.what} is never that large`,
      }),
    unreadable: (cause) => usageErrorFor(cause, file, 'read'),
  });
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
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
