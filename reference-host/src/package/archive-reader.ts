/**
 * A hostile-input ZIP reader for the host's web layer (spec/package.md, "Processing model"). The sdk's
 * reader is built on yauzl and node:zlib; this one applies the same rules with the same codes to bytes
 * in memory, inflating with the platform's DecompressionStream. The differential tests in
 * reference-host/test/archive-reader.test.ts hold it to the sdk's reader on valid and damaged archives.
 *
 * Deep imports: the sdk's package index also exports its Node-only readers.
 */
import type { ErrorCode } from '#schemas';
import { MiniAppError } from '#sdk/diagnostics/index.ts';
import {
  formatBytes,
  maxFileBytes,
  resolveLimits,
  type PackageLimits,
} from '#sdk/package/package-limits.ts';
import { checkEntryPath, compareUtf8, PathRegistry } from '#sdk/package/package-path.ts';
import { inflateSync } from 'fflate';
import { crc32 } from './crc32.ts';

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const EOCD_SIZE = 22;
const CENTRAL_SIZE = 46;
const LOCAL_SIZE = 30;
const MAX_COMMENT = 0xffff;
const ZIP64_EXTRA_ID = 0x0001;
const FLAG_ENCRYPTED = 0x0001;
const FLAG_STRONG_ENCRYPTION = 0x0040;
const FLAG_UTF8 = 0x0800;
const HOST_UNIX = 3;
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const DOS_DIRECTORY = 0x10;

/** One file of an opened archive. */
export interface ArchiveFile {
  path: string;
  size: number;
}

interface ArchiveEntry {
  file: ArchiveFile;
  method: number;
  crc: number;
  dataStart: number;
  compressedSize: number;
}

/** An archive whose whole structure was checked [PKG-100]; entries are inflated on demand. */
export interface CheckedArchive {
  readonly files: readonly ArchiveFile[];
  has(path: string): boolean;
  /** Inflates one entry, never past its declared size [PKG-049], and checks its CRC-32 [PKG-050]. */
  read(path: string): Promise<Uint8Array>;
}

function refuse(code: ErrorCode, message: string, file?: string): MiniAppError {
  return new MiniAppError(code, message, file === undefined ? {} : { location: { file } });
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

class Reader {
  readonly #view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  u16(at: number): number {
    if (at < 0 || at + 2 > this.bytes.length)
      throw refuse('PKG_CORRUPT', 'A header runs past the end of the archive.');
    return this.#view.getUint16(at, true);
  }
  u32(at: number): number {
    if (at < 0 || at + 4 > this.bytes.length)
      throw refuse('PKG_CORRUPT', 'A header runs past the end of the archive.');
    return this.#view.getUint32(at, true);
  }
  slice(at: number, length: number): Uint8Array {
    if (at < 0 || length < 0 || at + length > this.bytes.length) {
      throw refuse('PKG_CORRUPT', 'A header or entry runs past the end of the archive.');
    }
    return this.bytes.subarray(at, at + length);
  }
}

interface EndOfCentralDirectory {
  entryCount: number;
  centralDirectorySize: number;
  centralDirectoryOffset: number;
}

/** [PKG-001] [PKG-004] [PKG-043] */
function readEndOfCentralDirectory(reader: Reader, limits: PackageLimits): EndOfCentralDirectory {
  const { bytes } = reader;
  const lowest = Math.max(0, bytes.length - EOCD_SIZE - MAX_COMMENT);
  for (let at = bytes.length - EOCD_SIZE; at >= lowest; at--) {
    if (reader.u32(at) !== EOCD_SIGNATURE) continue;
    if (at >= 20 && reader.u32(at - 20) === ZIP64_LOCATOR_SIGNATURE) {
      throw refuse('PKG_UNSUPPORTED_ZIP_FEATURE', 'The archive uses ZIP64 records.');
    }
    const disk = reader.u16(at + 4);
    const centralDisk = reader.u16(at + 6);
    const onThisDisk = reader.u16(at + 8);
    const entryCount = reader.u16(at + 10);
    if (disk !== 0 || centralDisk !== 0 || onThisDisk !== entryCount) {
      throw refuse('PKG_UNSUPPORTED_ZIP_FEATURE', 'The archive spans more than one disk.');
    }
    if (entryCount > limits.maxEntries) {
      throw refuse(
        'PKG_TOO_MANY_ENTRIES',
        `The archive has ${entryCount} entries, over the limit of ${limits.maxEntries}.`,
      );
    }
    const centralDirectorySize = reader.u32(at + 12);
    const centralDirectoryOffset = reader.u32(at + 16);
    const commentLength = reader.u16(at + 20);
    if (at + EOCD_SIZE + commentLength !== bytes.length) {
      throw refuse('PKG_CORRUPT', 'The end-of-central-directory comment length is wrong.');
    }
    return { entryCount, centralDirectorySize, centralDirectoryOffset };
  }
  throw refuse(
    'PKG_NOT_ZIP',
    'The input is not a ZIP archive: no end-of-central-directory record was found.',
  );
}

function decodeName(raw: Uint8Array, flags: number): string {
  // [PKG-007] non-ASCII names must be flagged UTF-8, otherwise tools would read them as CP437.
  if ((flags & FLAG_UTF8) === 0 && raw.some((byte) => byte > 0x7f)) {
    throw refuse(
      'PKG_NAME_ENCODING',
      'An entry name has non-ASCII bytes but not the UTF-8 flag (bit 11).',
    );
  }
  try {
    return strictUtf8.decode(raw);
  } catch {
    throw refuse('PKG_NAME_ENCODING', 'An entry name is not valid UTF-8.');
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function hasZip64Extra(extra: Uint8Array): boolean {
  const view = new DataView(extra.buffer, extra.byteOffset, extra.byteLength);
  for (let at = 0; at + 4 <= extra.length;) {
    const id = view.getUint16(at, true);
    const size = view.getUint16(at + 2, true);
    if (id === ZIP64_EXTRA_ID) return true;
    at += 4 + size;
    if (at > extra.length) throw refuse('PKG_CORRUPT', 'An extra field runs past its header.');
  }
  return false;
}

/** [PKG-027] links and special files are told apart by the Unix mode when made on Unix. */
function checkEntryType(
  madeBy: number,
  external: number,
  name: string,
  isDirectory: boolean,
): void {
  if (madeBy >>> 8 === HOST_UNIX) {
    const type = (external >>> 16) & S_IFMT;
    if (type === S_IFLNK) throw refuse('PKG_SYMLINK', `Entry "${name}" is a symbolic link.`, name);
    if (type === 0 || type === S_IFREG || (type === S_IFDIR && isDirectory)) return;
    throw refuse(
      'PKG_SPECIAL_FILE',
      `Entry "${name}" is not a regular file (mode ${type.toString(8)}).`,
      name,
    );
  }
  if ((external & DOS_DIRECTORY) !== 0 && !isDirectory) {
    throw refuse(
      'PKG_SPECIAL_FILE',
      `Entry "${name}" is marked as a directory but named as a file.`,
      name,
    );
  }
}

/** Reads and checks the central directory before anything is inflated [PKG-048] [PKG-009] [PKG-010]. */
function indexEntries(
  reader: Reader,
  eocd: EndOfCentralDirectory,
  limits: PackageLimits,
): ArchiveEntry[] {
  const registry = new PathRegistry();
  const files: ArchiveEntry[] = [];
  const ranges: { start: number; end: number; name: string }[] = [];
  const largestFile = maxFileBytes(limits);
  let total = 0;
  let at = eocd.centralDirectoryOffset;
  for (let i = 0; i < eocd.entryCount; i++) {
    if (reader.u32(at) !== CENTRAL_SIGNATURE) {
      throw refuse('PKG_CORRUPT', 'A central directory header has a wrong signature.');
    }
    const madeBy = reader.u16(at + 4);
    const flags = reader.u16(at + 8);
    const method = reader.u16(at + 10);
    const crc = reader.u32(at + 16);
    const compressedSize = reader.u32(at + 20);
    const uncompressedSize = reader.u32(at + 24);
    const nameLength = reader.u16(at + 28);
    const extraLength = reader.u16(at + 30);
    const commentLength = reader.u16(at + 32);
    const external = reader.u32(at + 38);
    const localOffset = reader.u32(at + 42);
    // [PKG-008] the path is the central directory's name field; extra fields never rename.
    const rawName = reader.slice(at + CENTRAL_SIZE, nameLength);
    const extra = reader.slice(at + CENTRAL_SIZE + nameLength, extraLength);
    // The comment is read too (and so must lie inside the archive), as the sdk's reader does.
    reader.slice(at + CENTRAL_SIZE + nameLength + extraLength, commentLength);
    at += CENTRAL_SIZE + nameLength + extraLength + commentLength;
    const name = decodeName(rawName, flags);
    // [PKG-003]
    if ((flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION)) !== 0) {
      throw refuse('PKG_ENCRYPTED', `Entry "${name}" is encrypted.`, name);
    }
    // [PKG-002]
    if (method !== 0 && method !== 8) {
      throw refuse(
        'PKG_UNSUPPORTED_COMPRESSION',
        `Entry "${name}" uses compression method ${method}.`,
        name,
      );
    }
    // [PKG-004]
    if (hasZip64Extra(extra)) {
      throw refuse(
        'PKG_UNSUPPORTED_ZIP_FEATURE',
        `Entry "${name}" uses a ZIP64 extra field.`,
        name,
      );
    }
    const isDirectory = name.endsWith('/');
    const path = isDirectory ? name.slice(0, -1) : name;
    const problem = checkEntryPath(path, limits);
    if (problem) throw refuse(problem.code, `Entry "${name}" is refused: ${problem.reason}.`, name);
    checkEntryType(madeBy, external, name, isDirectory);
    const clash = registry.add(path, isDirectory ? 'directory' : 'file');
    if (clash !== null) {
      throw refuse('PKG_DUPLICATE_PATH', `Entry "${name}" collides with "${clash}".`, name);
    }
    // [PKG-044] refused on the declared numbers, before any byte is inflated.
    if (uncompressedSize > compressedSize * limits.maxCompressionRatio) {
      throw refuse(
        'PKG_COMPRESSION_RATIO',
        `Entry "${name}" declares ${uncompressedSize} bytes from ${compressedSize} compressed.`,
        name,
      );
    }
    if (method === 0 && uncompressedSize !== compressedSize) {
      throw refuse('PKG_CORRUPT', `Stored entry "${name}" declares two different sizes.`, name);
    }
    if (uncompressedSize > largestFile) {
      throw refuse(
        'PKG_TOO_LARGE',
        `Entry "${name}" declares ${formatBytes(uncompressedSize)}.`,
        name,
      );
    }
    total += uncompressedSize;
    if (total > limits.maxTotalBytes) {
      throw refuse(
        'PKG_TOO_LARGE',
        `The entries declare more than ${formatBytes(limits.maxTotalBytes)}.`,
      );
    }
    // [PKG-009] every copy of the name and method agrees, so every tool sees the same files.
    if (reader.u32(localOffset) !== LOCAL_SIGNATURE) {
      throw refuse(
        'PKG_CORRUPT',
        `The local header of entry "${name}" has a wrong signature.`,
        name,
      );
    }
    const localFlags = reader.u16(localOffset + 6);
    const localMethod = reader.u16(localOffset + 8);
    const localNameLength = reader.u16(localOffset + 26);
    const localExtraLength = reader.u16(localOffset + 28);
    const localName = reader.slice(localOffset + LOCAL_SIZE, localNameLength);
    if (
      !sameBytes(localName, rawName) ||
      localMethod !== method ||
      (localFlags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION)) !== 0
    ) {
      throw refuse(
        'PKG_HEADER_MISMATCH',
        `The local header of entry "${name}" disagrees with the central directory.`,
        name,
      );
    }
    const dataStart = localOffset + LOCAL_SIZE + localNameLength + localExtraLength;
    const dataEnd = dataStart + compressedSize;
    ranges.push({ start: localOffset, end: dataEnd, name });
    if (dataEnd > eocd.centralDirectoryOffset) {
      throw refuse(
        'PKG_OVERLAPPING_ENTRIES',
        `The data of entry "${name}" runs into the central directory.`,
        name,
      );
    }
    if (isDirectory) {
      // [PKG-028]
      if (uncompressedSize !== 0)
        throw refuse('PKG_CORRUPT', `Directory entry "${name}" has content.`, name);
      continue;
    }
    files.push({ file: { path, size: uncompressedSize }, method, crc, dataStart, compressedSize });
  }
  // [PKG-010]
  ranges.sort((a, b) => a.start - b.start);
  for (let i = 1; i < ranges.length; i++) {
    const previous = ranges[i - 1];
    const current = ranges[i];
    if (previous && current && current.start < previous.end) {
      throw refuse(
        'PKG_OVERLAPPING_ENTRIES',
        `Entries "${previous.name}" and "${current.name}" share bytes.`,
      );
    }
  }
  return files;
}

/**
 * Inflates a raw deflate stream into a buffer one byte longer than the declared size, so a stream
 * that produces more than it declared is caught without ever holding more than that [PKG-049].
 * fflate inflates synchronously: packages hold many small entries, for which a stream per entry
 * would cost more than the inflation itself.
 */
function inflateRaw(compressed: Uint8Array, limit: number, name: string): Uint8Array {
  let out: Uint8Array;
  try {
    out = inflateSync(compressed, { out: new Uint8Array(limit + 1) });
  } catch {
    throw refuse('PKG_CORRUPT', `Entry "${name}" is not a valid deflate stream.`, name);
  }
  if (out.length > limit) {
    throw refuse(
      'PKG_SIZE_MISMATCH',
      `Entry "${name}" inflates to more than its declared ${limit} bytes.`,
      name,
    );
  }
  return out;
}

async function inflateEntry(bytes: Uint8Array, entry: ArchiveEntry): Promise<Uint8Array> {
  const { path, size } = entry.file;
  const compressed = bytes.subarray(entry.dataStart, entry.dataStart + entry.compressedSize);
  const data = entry.method === 0 ? compressed.slice() : inflateRaw(compressed, size, path);
  if (data.length !== size) {
    throw refuse(
      'PKG_SIZE_MISMATCH',
      `Entry "${path}" holds ${data.length} bytes, not the declared ${size}.`,
      path,
    );
  }
  // [PKG-050]
  if (crc32(data) !== entry.crc) {
    throw refuse('PKG_CRC_MISMATCH', `Entry "${path}" does not match its CRC-32.`, path);
  }
  return data;
}

/**
 * Opens archive bytes that already matched their signed digest, checking the whole structure before
 * any entry is used [PKG-100]; refuses with the PKG_ codes of spec/package.md.
 */
export function openArchive(input: Uint8Array, limits?: Partial<PackageLimits>): CheckedArchive {
  const resolved = resolveLimits(limits);
  // [PKG-045]
  if (input.length > resolved.maxArchiveBytes) {
    throw refuse(
      'PKG_ARCHIVE_TOO_LARGE',
      `The package is ${formatBytes(input.length)}, over the archive limit.`,
    );
  }
  // A private copy, so that nobody can change bytes after they were checked.
  const bytes = input.slice();
  const reader = new Reader(bytes);
  const eocd = readEndOfCentralDirectory(reader, resolved);
  const entries = indexEntries(reader, eocd, resolved);
  entries.sort((a, b) => compareUtf8(a.file.path, b.file.path));
  const byPath = new Map(entries.map((entry) => [entry.file.path, entry]));
  // [MAN-001] refused before any entry is used, with the manifest reader's code.
  if (!byPath.has('manifest.json')) {
    throw refuse('MANIFEST_MISSING', 'The archive has no manifest.json at its root.');
  }
  return {
    files: Object.freeze(entries.map((entry) => Object.freeze({ ...entry.file }))),
    has: (path) => byPath.has(path),
    read(path) {
      const entry = byPath.get(path);
      if (!entry) return Promise.reject(refuse('USAGE', `The package has no file "${path}".`));
      return inflateEntry(bytes, entry);
    },
  };
}
