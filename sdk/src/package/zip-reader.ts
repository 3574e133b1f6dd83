import { crc32, inflateRawSync } from 'node:zlib';
import type { ErrorCode } from '#schemas';
import { MiniAppError } from '../diagnostics/index.ts';
import { MAX_MANIFEST_BYTES } from '../manifest/json-text.ts';
import { formatBytes, maxFileBytes, type PackageLimits } from './package-limits.ts';
import { checkEntryPath, PathRegistry } from './package-path.ts';

/**
 * The one ZIP reader of the toolkit, the server and the host's package check: every byte of the
 * archive is parsed here, with bounds checks, so no second parser can see other files in the same
 * bytes (the class of bug behind Android's "master key" APK flaw).
 */

const LOCAL_SIGNATURE = 0x04034b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const DESCRIPTOR_SIGNATURE = 0x08074b50;
const LOCAL_SIZE = 30;
const CENTRAL_SIZE = 46;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;
const ZIP64_EXTRA_ID = 0x0001;
const UNICODE_PATH_EXTRA_ID = 0x7075;
const FLAG_ENCRYPTED = 0x0001;
const FLAG_DESCRIPTOR = 0x0008;
const FLAG_STRONG_ENCRYPTION = 0x0040;
const FLAG_UTF8 = 0x0800;
const HOST_UNIX = 3;
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const DOS_DIRECTORY = 0x10;

/** One file of an archive, located and checked, its data not yet inflated. */
export interface ZipEntry {
  /** The path without the trailing "/" of a directory entry. */
  path: string;
  isDirectory: boolean;
  method: number;
  crc: number;
  compressedSize: number;
  uncompressedSize: number;
  /** Offset of the entry's data, just after its local header. */
  dataStart: number;
}

function refuse(code: ErrorCode, message: string, where: string, fix?: string): MiniAppError {
  return new MiniAppError(code, message, { location: { file: where }, ...(fix ? { fix } : {}) });
}

const repack = 'Repack with `miniapp pack`.';

/** Little-endian reads that refuse, with PKG_CORRUPT, any field outside the bytes. */
class Fields {
  constructor(
    readonly bytes: Buffer,
    readonly label: string,
  ) {}

  #check(at: number, length: number, what: string): void {
    if (!Number.isInteger(at) || at < 0 || at + length > this.bytes.length) {
      throw refuse(
        'PKG_CORRUPT',
        `The archive is damaged: ${what} lies outside the file.`,
        this.label,
        'Rebuild the package; it may have been truncated in transit.',
      );
    }
  }

  u16(at: number, what: string): number {
    this.#check(at, 2, what);
    return this.bytes.readUInt16LE(at);
  }

  u32(at: number, what: string): number {
    this.#check(at, 4, what);
    return this.bytes.readUInt32LE(at);
  }

  slice(at: number, length: number, what: string): Buffer {
    this.#check(at, length, what);
    return this.bytes.subarray(at, at + length);
  }
}

interface EndRecord {
  at: number;
  entryCount: number;
  centralSize: number;
  centralOffset: number;
}

/**
 * Finds the end-of-central-directory record: the last one whose comment ends exactly at the end of
 * the file, so no bytes follow the archive [PKG-170]; refuses ZIP64 and multi-disk archives [PKG-004].
 */
function readEndRecord(fields: Fields, limits: PackageLimits): EndRecord {
  const { bytes, label } = fields;
  const lowest = Math.max(0, bytes.length - EOCD_SIZE - MAX_COMMENT);
  let trailing = false;
  for (let at = bytes.length - EOCD_SIZE; at >= lowest; at--) {
    if (bytes.readUInt32LE(at) !== EOCD_SIGNATURE) continue;
    if (at + EOCD_SIZE + bytes.readUInt16LE(at + 20) !== bytes.length) {
      trailing = true;
      continue;
    }
    if (at >= 20 && bytes.readUInt32LE(at - 20) === ZIP64_LOCATOR_SIGNATURE) {
      throw refuse('PKG_UNSUPPORTED_ZIP_FEATURE', 'The archive uses ZIP64 records.', label, repack);
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
        repack,
      );
    }
    // [PKG-043] counted before any entry is read.
    if (entryCount > limits.maxEntries) {
      throw refuse(
        'PKG_TOO_MANY_ENTRIES',
        `The archive has ${entryCount} entries, over the limit of ${limits.maxEntries}.`,
        label,
      );
    }
    const centralSize = bytes.readUInt32LE(at + 12);
    const centralOffset = bytes.readUInt32LE(at + 16);
    if (centralOffset + centralSize !== at) {
      // Bytes glued in front (a polyglot) shift the central directory away from where the record says.
      const shifted =
        centralSize > 0 &&
        at - centralSize > centralOffset &&
        bytes.readUInt32LE(at - centralSize) === CENTRAL_SIGNATURE;
      throw shifted
        ? refuse(
            'PKG_EXTRA_BYTES',
            `${at - centralSize - centralOffset} bytes precede the archive.`,
            label,
            repack,
          )
        : refuse(
            'PKG_CORRUPT',
            'The archive is damaged: the central directory does not end where the end record begins.',
            label,
            'Rebuild the package; it may have been truncated in transit.',
          );
    }
    return { at, entryCount, centralSize, centralOffset };
  }
  if (trailing) {
    throw refuse(
      'PKG_EXTRA_BYTES',
      'Bytes follow the end-of-central-directory record.',
      label,
      repack,
    );
  }
  throw refuse(
    'PKG_NOT_ZIP',
    'The input is not a ZIP archive: no end-of-central-directory record was found.',
    label,
    'Pass a .ma file made by `miniapp pack`.',
  );
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** [PKG-007] UTF-8 names, flagged as such when they leave ASCII. */
function decodeName(raw: Buffer, flags: number, label: string): string {
  if ((flags & FLAG_UTF8) === 0 && raw.some((byte) => byte > 0x7f)) {
    throw refuse(
      'PKG_NAME_ENCODING',
      'An entry name has non-ASCII bytes but not the UTF-8 flag (bit 11).',
      label,
    );
  }
  try {
    return strictUtf8.decode(raw);
  } catch {
    throw refuse('PKG_NAME_ENCODING', 'An entry name is not valid UTF-8.', label);
  }
}

/**
 * Walks the extra fields of a header. A ZIP64 field is refused [PKG-004]; an Info-ZIP Unicode Path
 * field must name exactly the entry's own path, since tools that prefer it would otherwise see
 * another file (`../../x`) than the one checked [PKG-008] [PKG-171].
 */
function checkExtraFields(extra: Buffer, rawName: Buffer, where: string): void {
  let at = 0;
  while (at < extra.length) {
    if (at + 4 > extra.length) {
      throw refuse('PKG_CORRUPT', 'An extra field header is cut off.', where);
    }
    const id = extra.readUInt16LE(at);
    const size = extra.readUInt16LE(at + 2);
    const start = at + 4;
    if (start + size > extra.length) {
      throw refuse('PKG_CORRUPT', 'An extra field runs past its header.', where);
    }
    if (id === ZIP64_EXTRA_ID) {
      throw refuse(
        'PKG_UNSUPPORTED_ZIP_FEATURE',
        'An entry uses a ZIP64 extra field.',
        where,
        repack,
      );
    }
    if (id === UNICODE_PATH_EXTRA_ID) {
      const field = extra.subarray(start, start + size);
      const agrees =
        size >= 5 &&
        field[0] === 1 &&
        field.readUInt32LE(1) === crc32(rawName) &&
        field.subarray(5).equals(rawName);
      if (!agrees) {
        throw refuse(
          'PKG_UNICODE_PATH_MISMATCH',
          'An Info-ZIP Unicode Path extra field names another path than the entry.',
          where,
          'Repack with `miniapp pack`, which writes no extra fields.',
        );
      }
    }
    at = start + size;
  }
}

/** [PKG-027] Entry types from the Unix mode when made on Unix, else from the MS-DOS directory bit. */
function checkEntryType(
  versionMadeBy: number,
  external: number,
  name: string,
  isDirectory: boolean,
  where: string,
): void {
  if (versionMadeBy >>> 8 === HOST_UNIX) {
    const type = (external >>> 16) & S_IFMT;
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
  if ((external & DOS_DIRECTORY) !== 0 && !isDirectory) {
    throw refuse(
      'PKG_SPECIAL_FILE',
      `Entry "${name}" is marked as a directory but named as a file.`,
      where,
    );
  }
}

interface CentralEntry extends ZipEntry {
  rawName: Buffer;
  flags: number;
  localOffset: number;
}

/** Reads and checks every central directory header before any local header or data [PKG-048]. */
function readCentralDirectory(
  fields: Fields,
  end: EndRecord,
  limits: PackageLimits,
): CentralEntry[] {
  const { label } = fields;
  const registry = new PathRegistry();
  const largestFile = maxFileBytes(limits);
  const entries: CentralEntry[] = [];
  let total = 0;
  let at = end.centralOffset;
  for (let i = 0; i < end.entryCount; i++) {
    if (fields.u32(at, 'a central directory header') !== CENTRAL_SIGNATURE) {
      throw refuse(
        'PKG_CORRUPT',
        `The archive is damaged: central directory header ${i + 1} has no signature.`,
        label,
      );
    }
    const versionMadeBy = fields.u16(at + 4, 'a central header');
    const flags = fields.u16(at + 8, 'a central header');
    const method = fields.u16(at + 10, 'a central header');
    const crc = fields.u32(at + 16, 'a central header');
    const compressedSize = fields.u32(at + 20, 'a central header');
    const uncompressedSize = fields.u32(at + 24, 'a central header');
    const nameLength = fields.u16(at + 28, 'a central header');
    const extraLength = fields.u16(at + 30, 'a central header');
    const commentLength = fields.u16(at + 32, 'a central header');
    const diskStart = fields.u16(at + 34, 'a central header');
    const external = fields.u32(at + 38, 'a central header');
    const localOffset = fields.u32(at + 42, 'a central header');
    const rawName = fields.slice(at + CENTRAL_SIZE, nameLength, 'an entry name');
    const extra = fields.slice(at + CENTRAL_SIZE + nameLength, extraLength, 'an extra field');
    fields.slice(at + CENTRAL_SIZE + nameLength + extraLength, commentLength, 'an entry comment');
    at += CENTRAL_SIZE + nameLength + extraLength + commentLength;
    if (at > end.at) {
      throw refuse('PKG_CORRUPT', 'The central directory runs into the end record.', label);
    }
    const name = decodeName(rawName, flags, label);
    const where = `${label}: ${name}`;
    // [PKG-003]
    if ((flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION)) !== 0) {
      throw refuse(
        'PKG_ENCRYPTED',
        `Entry "${name}" is encrypted.`,
        where,
        'Packages are never encrypted; repack without a password.',
      );
    }
    // [PKG-002]
    if (method !== 0 && method !== 8) {
      throw refuse(
        'PKG_UNSUPPORTED_COMPRESSION',
        `Entry "${name}" uses compression method ${method}; only 0 (stored) and 8 (deflate) are allowed.`,
        where,
        repack,
      );
    }
    if (diskStart !== 0) {
      throw refuse('PKG_UNSUPPORTED_ZIP_FEATURE', `Entry "${name}" starts on another disk.`, where);
    }
    checkExtraFields(extra, rawName, where);
    const isDirectory = name.endsWith('/');
    const path = isDirectory ? name.slice(0, -1) : name;
    const problem = checkEntryPath(path, limits);
    if (problem)
      throw refuse(problem.code, `Entry "${name}" is refused: ${problem.reason}.`, where);
    checkEntryType(versionMadeBy, external, name, isDirectory, where);
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
    if (uncompressedSize > compressedSize * limits.maxCompressionRatio) {
      throw refuse(
        'PKG_COMPRESSION_RATIO',
        `Entry "${name}" declares ${uncompressedSize} bytes from ${compressedSize} compressed, a ratio over ${limits.maxCompressionRatio}:1.`,
        where,
      );
    }
    // [MAN-003] named by its own rule, not as a missing manifest or an oversized file.
    if (path === 'manifest.json' && !isDirectory && uncompressedSize > MAX_MANIFEST_BYTES) {
      throw refuse(
        'MANIFEST_TOO_LARGE',
        `manifest.json declares ${formatBytes(uncompressedSize)}; the limit is ${formatBytes(MAX_MANIFEST_BYTES)}.`,
        where,
        'Move data out of the manifest into the package files.',
      );
    }
    if (uncompressedSize > largestFile) {
      throw refuse(
        'PKG_TOO_LARGE',
        `Entry "${name}" declares ${formatBytes(uncompressedSize)}, more than any part of a package may hold.`,
        where,
      );
    }
    total += uncompressedSize;
    if (total > limits.maxTotalBytes) {
      throw refuse(
        'PKG_TOO_LARGE',
        `The entries declare more than the total limit of ${formatBytes(limits.maxTotalBytes)}.`,
        label,
      );
    }
    // [PKG-028]
    if (isDirectory && (uncompressedSize !== 0 || compressedSize !== 0)) {
      throw refuse('PKG_CORRUPT', `Directory entry "${name}" has content.`, where);
    }
    if (method === 0 && compressedSize !== uncompressedSize) {
      throw refuse(
        'PKG_SIZE_MISMATCH',
        `Stored entry "${name}" declares ${compressedSize} bytes stored but ${uncompressedSize} uncompressed.`,
        where,
      );
    }
    entries.push({
      path,
      isDirectory,
      method,
      crc,
      compressedSize,
      uncompressedSize,
      dataStart: 0,
      rawName,
      flags,
      localOffset,
    });
  }
  if (at !== end.at) {
    throw refuse(
      'PKG_CORRUPT',
      'The central directory holds more bytes than its entries account for.',
      label,
    );
  }
  return entries;
}

/** The length of a data descriptor after an entry's data, checked against the central header. */
function descriptorLength(fields: Fields, entry: CentralEntry, at: number, where: string): number {
  const matches = (offset: number): boolean =>
    at + offset + 12 <= fields.bytes.length &&
    fields.u32(at + offset, 'a data descriptor') === entry.crc &&
    fields.u32(at + offset + 4, 'a data descriptor') === entry.compressedSize &&
    fields.u32(at + offset + 8, 'a data descriptor') === entry.uncompressedSize;
  if (
    at + 4 <= fields.bytes.length &&
    fields.u32(at, 'a data descriptor') === DESCRIPTOR_SIGNATURE
  ) {
    if (matches(4)) return 16;
  }
  if (matches(0)) return 12;
  throw refuse(
    'PKG_HEADER_MISMATCH',
    `The data descriptor of entry "${entry.path}" disagrees with the central directory.`,
    where,
  );
}

/**
 * Reads each local header, checks that it agrees with the central one [PKG-009], and that the
 * entries, the central directory and the end record cover the file exactly, with nothing before,
 * between or after them [PKG-010] [PKG-170].
 */
function readLocalHeaders(fields: Fields, end: EndRecord, entries: CentralEntry[]): void {
  const { label } = fields;
  const ranges: { start: number; end: number; name: string }[] = [];
  for (const entry of entries) {
    const where = `${label}: ${entry.path}`;
    const at = entry.localOffset;
    if (at + LOCAL_SIZE > end.centralOffset) {
      throw refuse(
        'PKG_OVERLAPPING_ENTRIES',
        `The local header of entry "${entry.path}" lies in the central directory.`,
        where,
      );
    }
    if (fields.u32(at, 'a local header') !== LOCAL_SIGNATURE) {
      throw refuse(
        'PKG_CORRUPT',
        `The archive is damaged: entry "${entry.path}" has no local header.`,
        where,
      );
    }
    const flags = fields.u16(at + 6, 'a local header');
    const method = fields.u16(at + 8, 'a local header');
    const crc = fields.u32(at + 14, 'a local header');
    const compressedSize = fields.u32(at + 18, 'a local header');
    const uncompressedSize = fields.u32(at + 22, 'a local header');
    const nameLength = fields.u16(at + 26, 'a local header');
    const extraLength = fields.u16(at + 28, 'a local header');
    const rawName = fields.slice(at + LOCAL_SIZE, nameLength, 'a local name');
    const extra = fields.slice(at + LOCAL_SIZE + nameLength, extraLength, 'a local extra field');
    const deferred = (flags & FLAG_DESCRIPTOR) !== 0;
    const sizesAgree = deferred
      ? (crc === 0 && compressedSize === 0 && uncompressedSize === 0) ||
        (crc === entry.crc &&
          compressedSize === entry.compressedSize &&
          uncompressedSize === entry.uncompressedSize)
      : crc === entry.crc &&
        compressedSize === entry.compressedSize &&
        uncompressedSize === entry.uncompressedSize;
    // [PKG-009] a streaming reader trusts the local copy, so every copy must say the same.
    if (
      !rawName.equals(entry.rawName) ||
      method !== entry.method ||
      (flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION)) !== 0 ||
      (flags & FLAG_DESCRIPTOR) !== (entry.flags & FLAG_DESCRIPTOR) ||
      !sizesAgree
    ) {
      throw refuse(
        'PKG_HEADER_MISMATCH',
        `The local header of entry "${entry.path}" disagrees with the central directory.`,
        where,
      );
    }
    checkExtraFields(extra, rawName, where);
    entry.dataStart = at + LOCAL_SIZE + nameLength + extraLength;
    let stop = entry.dataStart + entry.compressedSize;
    if (stop > end.centralOffset) {
      throw refuse(
        'PKG_OVERLAPPING_ENTRIES',
        `The data of entry "${entry.path}" runs into the central directory.`,
        where,
      );
    }
    if (deferred) stop += descriptorLength(fields, entry, stop, where);
    ranges.push({ start: at, end: stop, name: entry.path });
  }
  ranges.sort((a, b) => a.start - b.start);
  let covered = 0;
  let previous = '';
  for (const range of ranges) {
    // [PKG-010] overlapping entries let a small archive expand many times over.
    if (range.start < covered) {
      throw refuse(
        'PKG_OVERLAPPING_ENTRIES',
        `Entries "${previous}" and "${range.name}" share bytes of the archive.`,
        label,
      );
    }
    if (range.start > covered) {
      throw refuse(
        'PKG_EXTRA_BYTES',
        `${range.start - covered} bytes ${previous === '' ? 'precede the first entry' : `follow entry "${previous}"`} that belong to no entry.`,
        label,
        repack,
      );
    }
    covered = range.end;
    previous = range.name;
  }
  if (covered > end.centralOffset) {
    throw refuse(
      'PKG_OVERLAPPING_ENTRIES',
      `The data of entry "${previous}" runs into the central directory.`,
      label,
    );
  }
  if (covered < end.centralOffset) {
    throw refuse(
      'PKG_EXTRA_BYTES',
      `${end.centralOffset - covered} bytes before the central directory belong to no entry.`,
      label,
      repack,
    );
  }
}

/**
 * Steps 2 and 3 of the processing model of spec/package.md for the whole archive: the end record,
 * every central header, every local header, and the cover of the file. Throws MiniAppError with a
 * PKG_ code; returns the entries (directories included) in central directory order.
 */
export function readZipEntries(bytes: Buffer, label: string, limits: PackageLimits): ZipEntry[] {
  const fields = new Fields(bytes, label);
  const end = readEndRecord(fields, limits);
  const entries = readCentralDirectory(fields, end, limits);
  readLocalHeaders(fields, end, entries);
  return entries.map(
    ({ path, isDirectory, method, crc, compressedSize, uncompressedSize, dataStart }) => ({
      path,
      isDirectory,
      method,
      crc,
      compressedSize,
      uncompressedSize,
      dataStart,
    }),
  );
}

/**
 * Inflates one entry, never past its declared size [PKG-049], and checks its CRC-32 [PKG-050].
 * The result is a fresh copy, so later changes to `bytes` cannot reach it.
 */
export function inflateZipEntry(bytes: Buffer, entry: ZipEntry, label: string): Uint8Array {
  const where = `${label}: ${entry.path}`;
  const compressed = bytes.subarray(entry.dataStart, entry.dataStart + entry.compressedSize);
  let data: Buffer;
  if (entry.method === 0) {
    data = Buffer.from(compressed);
  } else {
    try {
      // zlib stops as soon as the output passes the declared size, so a lying header cannot exhaust memory.
      data = inflateRawSync(compressed, { maxOutputLength: Math.max(1, entry.uncompressedSize) });
    } catch (cause) {
      const tooBig = (cause as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE';
      throw new MiniAppError(
        tooBig ? 'PKG_SIZE_MISMATCH' : 'PKG_CORRUPT',
        tooBig
          ? `Entry "${entry.path}" inflates to more than its declared ${entry.uncompressedSize} bytes.`
          : `Entry "${entry.path}" is not a valid deflate stream.`,
        { location: { file: where }, cause },
      );
    }
  }
  if (data.length !== entry.uncompressedSize) {
    throw refuse(
      'PKG_SIZE_MISMATCH',
      `Entry "${entry.path}" holds ${data.length} bytes, not the declared ${entry.uncompressedSize}.`,
      where,
    );
  }
  if (crc32(data) !== entry.crc) {
    throw refuse(
      'PKG_CRC_MISMATCH',
      `Entry "${entry.path}" does not match its CRC-32.`,
      where,
      'The package was damaged or altered; download it again.',
    );
  }
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
