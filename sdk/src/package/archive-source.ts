import { readFile, stat } from 'node:fs/promises';
import { crc32, inflateRawSync } from 'node:zlib';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import type { ErrorCode } from '#schemas';
import { MiniAppError } from '../diagnostics/index.ts';
import { formatBytes, maxFileBytes, resolveLimits, type PackageLimits } from './package-limits.ts';
import { checkEntryPath, compareUtf8, PathRegistry } from './package-path.ts';
import type { PackageFile, PackageSource } from './package-source.ts';

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const EOCD_SIZE = 22;
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

interface ArchiveEntry {
  file: PackageFile;
  method: number;
  crc: number;
  dataStart: number;
  compressedSize: number;
}

interface EndOfCentralDirectory {
  entryCount: number;
  centralDirectoryOffset: number;
}

function refuse(
  code: ErrorCode,
  message: string,
  label: string,
  fix?: string,
  cause?: unknown,
): MiniAppError {
  return new MiniAppError(code, message, {
    location: { file: label },
    ...(fix ? { fix } : {}),
    ...(cause === undefined ? {} : { cause }),
  });
}

async function loadBytes(input: string | Uint8Array, limits: PackageLimits): Promise<Buffer> {
  const label = typeof input === 'string' ? input : '<bytes>';
  let size: number;
  if (typeof input === 'string') {
    const info = await stat(input).catch((cause: unknown) => {
      throw new MiniAppError('USAGE', `Cannot read the package ${input}.`, {
        cause,
        location: { file: input },
      });
    });
    if (!info.isFile())
      throw new MiniAppError('USAGE', `${input} is not a file.`, { location: { file: input } });
    size = info.size;
  } else {
    size = input.length;
  }
  // [PKG-045] refuse before reading, so a huge upload never reaches memory.
  if (size > limits.maxArchiveBytes) {
    throw refuse(
      'PKG_ARCHIVE_TOO_LARGE',
      `The package is ${formatBytes(size)}, over the archive limit of ${formatBytes(limits.maxArchiveBytes)}.`,
      label,
    );
  }
  // A copy, so that a caller mutating its array cannot change bytes after they were checked.
  if (typeof input !== 'string') return Buffer.from(input);
  const bytes = await readFile(input);
  if (bytes.length > limits.maxArchiveBytes) {
    throw refuse(
      'PKG_ARCHIVE_TOO_LARGE',
      `The package grew past the archive limit while it was read.`,
      label,
    );
  }
  return bytes;
}

/** Finds the end-of-central-directory record and refuses what this format excludes [PKG-001] [PKG-004] [PKG-043]. */
function readEndOfCentralDirectory(
  bytes: Buffer,
  label: string,
  limits: PackageLimits,
): EndOfCentralDirectory {
  const lowest = Math.max(0, bytes.length - EOCD_SIZE - MAX_COMMENT);
  for (let at = bytes.length - EOCD_SIZE; at >= lowest; at--) {
    if (bytes.readUInt32LE(at) !== EOCD_SIGNATURE) continue;
    if (at >= 20 && bytes.readUInt32LE(at - 20) === ZIP64_LOCATOR_SIGNATURE) {
      throw refuse(
        'PKG_UNSUPPORTED_ZIP_FEATURE',
        'The archive uses ZIP64 records.',
        label,
        'Repack with `miniapp pack`.',
      );
    }
    const disk = bytes.readUInt16LE(at + 4);
    const centralDisk = bytes.readUInt16LE(at + 6);
    const onThisDisk = bytes.readUInt16LE(at + 8);
    const entryCount = bytes.readUInt16LE(at + 10);
    if (disk !== 0 || centralDisk !== 0 || onThisDisk !== entryCount) {
      throw refuse(
        'PKG_UNSUPPORTED_ZIP_FEATURE',
        'The archive spans more than one disk.',
        label,
        'Repack with `miniapp pack`.',
      );
    }
    if (entryCount > limits.maxEntries) {
      throw refuse(
        'PKG_TOO_MANY_ENTRIES',
        `The archive has ${entryCount} entries, over the limit of ${limits.maxEntries}.`,
        label,
      );
    }
    return { entryCount, centralDirectoryOffset: bytes.readUInt32LE(at + 16) };
  }
  throw refuse(
    'PKG_NOT_ZIP',
    'The input is not a ZIP archive: no end-of-central-directory record was found.',
    label,
    'Pass a .ma file made by `miniapp pack`.',
  );
}

/** yauzl reports structural failures as plain Errors; all are corruption except the few it names itself. */
function fromYauzl(error: unknown, label: string): MiniAppError {
  if (error instanceof MiniAppError) return error;
  const text = error instanceof Error ? error.message : String(error);
  if (/encrypt/i.test(text))
    return refuse(
      'PKG_ENCRYPTED',
      'An entry of the archive is encrypted.',
      label,
      undefined,
      error,
    );
  if (/zip64|multi-disk/i.test(text)) {
    return refuse(
      'PKG_UNSUPPORTED_ZIP_FEATURE',
      `The archive uses an unsupported ZIP feature: ${text}.`,
      label,
      undefined,
      error,
    );
  }
  return refuse(
    'PKG_CORRUPT',
    `The archive is damaged: ${text}.`,
    label,
    'Rebuild the package; it may have been truncated in transit.',
    error,
  );
}

function openZip(bytes: Buffer): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    // decodeStrings is off because yauzl's own name checks raise untyped errors and miss NFC, control
    // characters and case collisions; names are decoded and checked here instead [PKG-007] [PKG-008].
    yauzl.fromBuffer(
      bytes,
      {
        lazyEntries: true,
        autoClose: false,
        decodeStrings: false,
        validateEntrySizes: true,
        strictFileNames: true,
      },
      (error, zip) => (error ? reject(error) : resolve(zip)),
    );
  });
}

function readCentralDirectory(zip: ZipFile): Promise<Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: Entry[] = [];
    zip.on('entry', (entry: Entry) => {
      entries.push(entry);
      zip.readEntry();
    });
    zip.on('end', () => resolve(entries));
    zip.on('error', reject);
    zip.readEntry();
  });
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function decodeName(entry: Entry, label: string): string {
  const raw = entry.fileNameRaw;
  // [PKG-007] non-ASCII names must be flagged UTF-8, otherwise tools would read them as CP437.
  if ((entry.generalPurposeBitFlag & FLAG_UTF8) === 0 && raw.some((byte) => byte > 0x7f)) {
    throw refuse(
      'PKG_NAME_ENCODING',
      'An entry name has non-ASCII bytes but not the UTF-8 flag (bit 11).',
      label,
    );
  }
  try {
    return strictUtf8.decode(raw);
  } catch (cause) {
    throw refuse('PKG_NAME_ENCODING', 'An entry name is not valid UTF-8.', label, undefined, cause);
  }
}

/** [PKG-027] Symbolic links and special files are told apart by the Unix mode when the entry was made on Unix. */
function checkEntryType(entry: Entry, name: string, isDirectory: boolean, label: string): void {
  const where = `${label}: ${name}`;
  if (entry.versionMadeBy >>> 8 === HOST_UNIX) {
    const type = (entry.externalFileAttributes >>> 16) & S_IFMT;
    if (type === S_IFLNK)
      throw refuse(
        'PKG_SYMLINK',
        `Entry "${name}" is a symbolic link.`,
        where,
        'Replace the link by the file it points to.',
      );
    if (type === 0 || type === S_IFREG || (type === S_IFDIR && isDirectory)) return;
    throw refuse(
      'PKG_SPECIAL_FILE',
      `Entry "${name}" is not a regular file (mode ${type.toString(8)}).`,
      where,
    );
  }
  if ((entry.externalFileAttributes & DOS_DIRECTORY) !== 0 && !isDirectory) {
    throw refuse(
      'PKG_SPECIAL_FILE',
      `Entry "${name}" is marked as a directory but named as a file.`,
      where,
    );
  }
}

/** Checks every central directory entry before anything is inflated [PKG-048]. */
async function indexEntries(
  zip: ZipFile,
  eocd: EndOfCentralDirectory,
  label: string,
  limits: PackageLimits,
): Promise<ArchiveEntry[]> {
  const entries = await readCentralDirectory(zip);
  const registry = new PathRegistry();
  const files: ArchiveEntry[] = [];
  const ranges: { start: number; end: number; name: string }[] = [];
  const largestFile = maxFileBytes(limits);
  let total = 0;
  for (const entry of entries) {
    const name = decodeName(entry, label);
    const where = `${label}: ${name}`;
    // [PKG-003]
    if ((entry.generalPurposeBitFlag & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION)) !== 0) {
      throw refuse(
        'PKG_ENCRYPTED',
        `Entry "${name}" is encrypted.`,
        where,
        'Packages are never encrypted; repack without a password.',
      );
    }
    // [PKG-002]
    if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
      throw refuse(
        'PKG_UNSUPPORTED_COMPRESSION',
        `Entry "${name}" uses compression method ${entry.compressionMethod}; only 0 (stored) and 8 (deflate) are allowed.`,
        where,
        'Repack with `miniapp pack`.',
      );
    }
    // [PKG-004] a ZIP64 extra field means sizes or offsets beyond 32 bits, which no valid package needs.
    if (entry.extraFields.some((field) => field.id === ZIP64_EXTRA_ID)) {
      throw refuse(
        'PKG_UNSUPPORTED_ZIP_FEATURE',
        `Entry "${name}" uses a ZIP64 extra field.`,
        where,
        'Repack with `miniapp pack`.',
      );
    }
    const isDirectory = name.endsWith('/');
    const path = isDirectory ? name.slice(0, -1) : name;
    const problem = checkEntryPath(path, limits);
    if (problem)
      throw refuse(problem.code, `Entry "${name}" is refused: ${problem.reason}.`, where);
    checkEntryType(entry, name, isDirectory, label);
    const clash = registry.add(path, isDirectory ? 'directory' : 'file');
    if (clash !== null) {
      throw refuse(
        'PKG_DUPLICATE_PATH',
        `Entry "${name}" collides with "${clash}" on a case-insensitive or normalising file system.`,
        where,
        'Rename one of the two.',
      );
    }
    // [PKG-044] a bomb is refused on its declared numbers, before any byte is inflated.
    if (entry.uncompressedSize > entry.compressedSize * limits.maxCompressionRatio) {
      throw refuse(
        'PKG_COMPRESSION_RATIO',
        `Entry "${name}" declares ${entry.uncompressedSize} bytes from ${entry.compressedSize} compressed, a ratio over ${limits.maxCompressionRatio}:1.`,
        where,
      );
    }
    if (entry.uncompressedSize > largestFile) {
      throw refuse(
        'PKG_TOO_LARGE',
        `Entry "${name}" declares ${formatBytes(entry.uncompressedSize)}, more than any part of a package may hold.`,
        where,
      );
    }
    total += entry.uncompressedSize;
    if (total > limits.maxTotalBytes) {
      throw refuse(
        'PKG_TOO_LARGE',
        `The entries declare more than the total limit of ${formatBytes(limits.maxTotalBytes)}.`,
        label,
      );
    }
    const local = await zip.readLocalFileHeaderPromise(entry);
    // [PKG-009] every copy of the name and method must agree, so every tool sees the same files.
    if (
      !local.fileName.equals(entry.fileNameRaw) ||
      local.compressionMethod !== entry.compressionMethod ||
      (local.generalPurposeBitFlag & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION)) !== 0
    ) {
      throw refuse(
        'PKG_HEADER_MISMATCH',
        `The local header of entry "${name}" disagrees with the central directory.`,
        where,
      );
    }
    const end = local.fileDataStart + entry.compressedSize;
    ranges.push({ start: entry.relativeOffsetOfLocalHeader, end, name });
    if (end > eocd.centralDirectoryOffset) {
      throw refuse(
        'PKG_OVERLAPPING_ENTRIES',
        `The data of entry "${name}" runs into the central directory.`,
        where,
      );
    }
    if (isDirectory) {
      // [PKG-028]
      if (entry.uncompressedSize !== 0)
        throw refuse('PKG_CORRUPT', `Directory entry "${name}" has content.`, where);
      continue;
    }
    files.push({
      file: { path, size: entry.uncompressedSize },
      method: entry.compressionMethod,
      crc: entry.crc32,
      dataStart: local.fileDataStart,
      compressedSize: entry.compressedSize,
    });
  }
  // [PKG-010] overlapping entries let a small archive expand many times over.
  ranges.sort((a, b) => a.start - b.start);
  for (let i = 1; i < ranges.length; i++) {
    const previous = ranges[i - 1];
    const current = ranges[i];
    if (previous && current && current.start < previous.end) {
      throw refuse(
        'PKG_OVERLAPPING_ENTRIES',
        `Entries "${previous.name}" and "${current.name}" share bytes of the archive.`,
        label,
      );
    }
  }
  return files;
}

function inflateEntry(bytes: Buffer, entry: ArchiveEntry, label: string): Uint8Array {
  const where = `${label}: ${entry.file.path}`;
  const compressed = bytes.subarray(entry.dataStart, entry.dataStart + entry.compressedSize);
  let data: Buffer;
  if (entry.method === 0) {
    data = Buffer.from(compressed);
  } else {
    try {
      // [PKG-049] zlib stops as soon as the output passes the declared size, so a lying header cannot exhaust memory.
      data = inflateRawSync(compressed, { maxOutputLength: Math.max(1, entry.file.size) });
    } catch (cause) {
      const tooBig = (cause as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE';
      throw tooBig
        ? refuse(
            'PKG_SIZE_MISMATCH',
            `Entry "${entry.file.path}" inflates to more than its declared ${entry.file.size} bytes.`,
            where,
            undefined,
            cause,
          )
        : refuse(
            'PKG_CORRUPT',
            `Entry "${entry.file.path}" is not a valid deflate stream.`,
            where,
            undefined,
            cause,
          );
    }
  }
  if (data.length !== entry.file.size) {
    throw refuse(
      'PKG_SIZE_MISMATCH',
      `Entry "${entry.file.path}" holds ${data.length} bytes, not the declared ${entry.file.size}.`,
      where,
    );
  }
  // [PKG-050]
  if (crc32(data) !== entry.crc) {
    throw refuse(
      'PKG_CRC_MISMATCH',
      `Entry "${entry.file.path}" does not match its CRC-32.`,
      where,
      'The package was damaged or altered; download it again.',
    );
  }
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
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
  const bytes = await loadBytes(input, resolved);
  const eocd = readEndOfCentralDirectory(bytes, label, resolved);
  let entries: ArchiveEntry[];
  try {
    const zip = await openZip(bytes);
    try {
      entries = await indexEntries(zip, eocd, label, resolved);
    } finally {
      zip.close();
    }
  } catch (error) {
    throw fromYauzl(error, label);
  }
  entries.sort((a, b) => compareUtf8(a.file.path, b.file.path));
  const byPath = new Map(entries.map((entry) => [entry.file.path, entry]));
  // [MAN-001] refused before any entry is used, with the manifest reader's code
  if (!byPath.has('manifest.json')) {
    throw refuse(
      'MANIFEST_MISSING',
      'The archive has no manifest.json at its root.',
      label,
      'Put manifest.json at the top of the directory you pack.',
    );
  }
  return {
    kind: 'archive',
    label,
    files: Object.freeze(entries.map((entry) => Object.freeze({ ...entry.file }))),
    read(path: string): Promise<Uint8Array> {
      const entry = byPath.get(path);
      if (!entry) {
        return Promise.reject(
          new MiniAppError('USAGE', `The package has no file "${path}".`, {
            location: { file: label },
          }),
        );
      }
      try {
        return Promise.resolve(inflateEntry(bytes, entry, label));
      } catch (error) {
        return Promise.reject(error);
      }
    },
  };
}
