import { crc32, inflateRawSync } from 'node:zlib';
import { sizeLimits } from '../size-limit.ts';
import {
  ByteReader,
  equalBytes,
  extraFieldIds,
  parseExtraFields,
  signatures,
  type CentralHeader,
  type ExtraField,
  type DataDescriptor,
  type EndOfCentralDirectory,
  type LocalHeader,
} from './zip-record.ts';

/** What part of the container a PKG-001 finding is about, so that each case reports its own. */
export type ContainerTopic =
  'end-of-central-directory' | 'central-directory' | 'local-header' | 'layout' | 'data';

/** A fault of the archive, with the requirement it breaks. */
export interface ArchiveFinding {
  requirement: string;
  topic?: ContainerTopic;
  /** Entry name when the fault belongs to one entry. */
  entry?: string;
  message: string;
}

export type EntryKind = 'file' | 'directory' | 'symlink' | 'special';

export interface ArchiveEntry {
  index: number;
  central: CentralHeader;
  local?: LocalHeader;
  descriptor?: DataDescriptor;
  /** The central directory name, decoded as UTF-8 (with U+FFFD where it is not UTF-8). */
  name: string;
  nameIsUtf8: boolean;
  kind: EntryKind;
  /** Byte range of local header, data and data descriptor, when the local header was found. */
  range?: { start: number; end: number };
  /** The inflated bytes, present when they match the declared size and CRC-32. */
  data?: Uint8Array;
  /** The entry's bytes as written in the archive (compressed or stored). */
  compressed?: Uint8Array;
}

export interface ArchiveInspection {
  size: number;
  eocd?: EndOfCentralDirectory;
  /** False when no central directory could be read: nothing about the entries is known. */
  readable: boolean;
  entries: ArchiveEntry[];
  findings: ArchiveFinding[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const lenientUtf8 = new TextDecoder('utf-8');

/** Unix file types in the upper 16 bits of the external attributes (st_mode). */
const unixTypes: Record<number, EntryKind> = {
  0o100000: 'file',
  0o040000: 'directory',
  0o120000: 'symlink',
};

function entryKind(header: CentralHeader, name: string): EntryKind {
  const madeOnUnix = header.versionMadeBy >> 8 === 3;
  const mode = header.externalAttributes >>> 16;
  if (madeOnUnix && (mode & 0o170000) !== 0) return unixTypes[mode & 0o170000] ?? 'special';
  // MS-DOS directory attribute, or (no attributes at all) the trailing slash of the name.
  if ((header.externalAttributes & 0x10) !== 0) return 'directory';
  return name.endsWith('/') && header.externalAttributes === 0 ? 'directory' : 'file';
}

function findEndOfCentralDirectory(
  reader: ByteReader,
  findings: ArchiveFinding[],
): EndOfCentralDirectory | undefined {
  const topic = 'end-of-central-directory' as const;
  if (reader.length < 22) {
    findings.push({
      requirement: 'PKG-001',
      topic,
      message: `${reader.length} bytes are too few for a ZIP archive`,
    });
    return undefined;
  }
  // A record is genuine when its comment length makes it end exactly at the end of the file.
  const candidates: number[] = [];
  const lowest = Math.max(0, reader.length - 22 - 0xffff);
  for (let at = reader.length - 22; at >= lowest; at -= 1) {
    if (
      reader.u32(at) === signatures.endOfCentralDirectory &&
      at + 22 + (reader.u16(at + 20) ?? -1) === reader.length
    ) {
      candidates.push(at);
    }
  }
  // When a comment hides a second record, the outermost one (lowest offset) is the archive's own.
  let at = candidates.at(-1);
  if (at === undefined) {
    at = recordBeforeTrailingBytes(reader);
    if (at === undefined) {
      findings.push({
        requirement: 'PKG-001',
        topic,
        message:
          'no end-of-central-directory record ends the file: not a ZIP archive, or a damaged one',
      });
      return undefined;
    }
    const end = at + 22 + (reader.u16(at + 20) ?? 0);
    // [PKG-170] read on, so that the other cases judge the archive the trailing bytes were glued to.
    findings.push({
      requirement: 'PKG-170',
      message: `${reader.length - end} bytes at offset ${end} follow the end-of-central-directory record (at ${at}) and belong to nothing`,
    });
  }
  if (candidates.length > 1) {
    findings.push({
      requirement: 'PKG-001',
      topic,
      message: `${candidates.length} end-of-central-directory records (at ${candidates.join(', ')}) could each be the real one`,
    });
  }
  return {
    offset: at,
    diskNumber: reader.u16(at + 4) ?? 0,
    centralDirectoryDisk: reader.u16(at + 6) ?? 0,
    entriesOnDisk: reader.u16(at + 8) ?? 0,
    totalEntries: reader.u16(at + 10) ?? 0,
    centralDirectorySize: reader.u32(at + 12) ?? 0,
    centralDirectoryOffset: reader.u32(at + 16) ?? 0,
    commentLength: reader.u16(at + 20) ?? 0,
  };
}

/**
 * The end record of an archive with bytes glued after it: the last record whose comment fits in the
 * file and whose central directory ends where it begins, starting with a central header.
 */
function recordBeforeTrailingBytes(reader: ByteReader): number | undefined {
  for (let at = reader.length - 22; at >= 0; at -= 1) {
    if (reader.u32(at) !== signatures.endOfCentralDirectory) continue;
    const size = reader.u32(at + 12) ?? 0;
    const offset = reader.u32(at + 16) ?? 0;
    if (at + 22 + (reader.u16(at + 20) ?? 0) > reader.length || offset + size !== at) continue;
    if (size === 0 || reader.u32(offset) === signatures.centralHeader) return at;
  }
  return undefined;
}

/**
 * [PKG-171] Faults of the Info-ZIP Unicode Path fields of one header: version 1, the CRC-32 of the
 * header's own name field, and that same name in UTF-8. Tools that prefer the field would otherwise
 * extract another path than the one the name field (and the reviewer) gave.
 */
function unicodePathFaults(
  name: string,
  nameBytes: Uint8Array,
  extra: ExtraField[],
  header: string,
): string[] {
  const fault = (what: string) =>
    `"${name}": the Unicode Path extra field (0x7075) of its ${header} ${what}`;
  return extra
    .filter((field) => field.id === extraFieldIds.unicodePath)
    .flatMap((field) => {
      const { data } = field;
      if (data.length < 5)
        return [fault(`is ${data.length} bytes, too short for a version and a CRC-32`)];
      const faults: string[] = [];
      if (data[0] !== 1) faults.push(fault(`has version ${data[0]}, not 1`));
      const declared = new ByteReader(data).u32(1) ?? 0;
      const actual = crc32(nameBytes) >>> 0;
      if (declared !== actual)
        faults.push(fault(`carries CRC-32 ${hex(declared)}, not ${hex(actual)} of the name field`));
      const path = data.subarray(5);
      if (!equalBytes(path, nameBytes))
        faults.push(fault(`names "${lenientUtf8.decode(path)}" instead`));
      return faults;
    });
}

function readCentralHeader(reader: ByteReader, at: number): CentralHeader | string {
  if (reader.u32(at) !== signatures.centralHeader)
    return `no central directory header signature at ${at}`;
  const nameLength = reader.u16(at + 28);
  const extraLength = reader.u16(at + 30);
  const commentLength = reader.u16(at + 32);
  if (nameLength === undefined || extraLength === undefined || commentLength === undefined) {
    return `the central directory header at ${at} is cut off`;
  }
  const nameBytes = reader.slice(at + 46, nameLength);
  const extraBytes = reader.slice(at + 46 + nameLength, extraLength);
  if (
    !nameBytes ||
    !extraBytes ||
    !reader.slice(at + 46 + nameLength + extraLength, commentLength)
  ) {
    return `the central directory header at ${at} runs past the end of the file`;
  }
  const extra = parseExtraFields(extraBytes);
  if (!extra) return `the extra field of the central directory header at ${at} is malformed`;
  return {
    offset: at,
    versionMadeBy: reader.u16(at + 4) ?? 0,
    versionNeeded: reader.u16(at + 6) ?? 0,
    flags: reader.u16(at + 8) ?? 0,
    method: reader.u16(at + 10) ?? 0,
    time: reader.u16(at + 12) ?? 0,
    date: reader.u16(at + 14) ?? 0,
    crc32: reader.u32(at + 16) ?? 0,
    compressedSize: reader.u32(at + 20) ?? 0,
    uncompressedSize: reader.u32(at + 24) ?? 0,
    nameBytes,
    extra,
    commentLength,
    diskStart: reader.u16(at + 34) ?? 0,
    internalAttributes: reader.u16(at + 36) ?? 0,
    externalAttributes: reader.u32(at + 38) ?? 0,
    localHeaderOffset: reader.u32(at + 42) ?? 0,
  };
}

function readLocalHeader(reader: ByteReader, at: number): LocalHeader | string {
  if (reader.u32(at) !== signatures.localHeader) return `no local header signature at offset ${at}`;
  const nameLength = reader.u16(at + 26);
  const extraLength = reader.u16(at + 28);
  if (nameLength === undefined || extraLength === undefined)
    return `the local header at ${at} is cut off`;
  const nameBytes = reader.slice(at + 30, nameLength);
  const extraBytes = reader.slice(at + 30 + nameLength, extraLength);
  if (!nameBytes || !extraBytes) return `the local header at ${at} runs past the end of the file`;
  const extra = parseExtraFields(extraBytes);
  if (!extra) return `the extra field of the local header at ${at} is malformed`;
  return {
    offset: at,
    versionNeeded: reader.u16(at + 4) ?? 0,
    flags: reader.u16(at + 6) ?? 0,
    method: reader.u16(at + 8) ?? 0,
    time: reader.u16(at + 10) ?? 0,
    date: reader.u16(at + 12) ?? 0,
    crc32: reader.u32(at + 14) ?? 0,
    compressedSize: reader.u32(at + 18) ?? 0,
    uncompressedSize: reader.u32(at + 22) ?? 0,
    nameBytes,
    extra,
    extraLength,
    dataOffset: at + 30 + nameLength + extraLength,
  };
}

function readDataDescriptor(reader: ByteReader, at: number): DataDescriptor | undefined {
  const withSignature = reader.u32(at) === signatures.dataDescriptor;
  const base = withSignature ? at + 4 : at;
  const crc = reader.u32(base);
  const compressedSize = reader.u32(base + 4);
  const uncompressedSize = reader.u32(base + 8);
  if (crc === undefined || compressedSize === undefined || uncompressedSize === undefined)
    return undefined;
  return { offset: at, withSignature, crc32: crc, compressedSize, uncompressedSize };
}

function checkHeaderFlags(entry: ArchiveEntry, findings: ArchiveFinding[]): void {
  const { central, name } = entry;
  const at = { entry: name };
  if (central.method !== 0 && central.method !== 8) {
    findings.push({
      requirement: 'PKG-002',
      ...at,
      message: `"${name}" uses compression method ${central.method}; only 0 (stored) and 8 (deflate) are allowed`,
    });
  }
  const encryption = central.flags & 0x41;
  if (encryption !== 0 || central.extra.some((e) => e.id === extraFieldIds.aesEncryption)) {
    findings.push({
      requirement: 'PKG-003',
      ...at,
      message: `"${name}" is encrypted (general purpose flag 0x${central.flags.toString(16).padStart(4, '0')}${central.extra.some((e) => e.id === extraFieldIds.aesEncryption) ? ', AES extra field 0x9901' : ''})`,
    });
  }
  if ((central.flags & 0x2000) !== 0) {
    findings.push({
      requirement: 'PKG-003',
      ...at,
      message: `"${name}" sets bit 13 (encrypted central directory)`,
    });
  }
  if (central.extra.some((e) => e.id === extraFieldIds.zip64)) {
    findings.push({
      requirement: 'PKG-004',
      ...at,
      message: `"${name}" carries a ZIP64 extended information extra field (0x0001) in its central directory header`,
    });
  }
  if (
    central.compressedSize === 0xffffffff ||
    central.uncompressedSize === 0xffffffff ||
    central.localHeaderOffset === 0xffffffff
  ) {
    findings.push({
      requirement: 'PKG-004',
      ...at,
      message: `"${name}" has a size or offset of 0xFFFFFFFF, which defers to a ZIP64 record`,
    });
  }
  if (central.diskStart !== 0) {
    findings.push({
      requirement: 'PKG-004',
      ...at,
      message: `"${name}" starts on disk ${central.diskStart}`,
    });
  }
  for (const message of unicodePathFaults(
    name,
    central.nameBytes,
    central.extra,
    'central directory header',
  )) {
    findings.push({ requirement: 'PKG-171', ...at, message });
  }
  if (!entry.nameIsUtf8) {
    findings.push({
      requirement: 'PKG-007',
      ...at,
      message: `the name of entry ${entry.index} is not valid UTF-8 (read as "${name}")`,
    });
  } else if (central.nameBytes.some((b) => b > 0x7f) && (central.flags & 0x0800) === 0) {
    findings.push({
      requirement: 'PKG-007',
      ...at,
      message: `"${name}" has bytes above 0x7F but does not set the language-encoding flag (bit 11)`,
    });
  }
}

function checkLocalHeader(
  entry: ArchiveEntry,
  local: LocalHeader,
  reader: ByteReader,
  findings: ArchiveFinding[],
): void {
  const { central, name } = entry;
  const at = { entry: name };
  if (!equalBytes(local.nameBytes, central.nameBytes)) {
    findings.push({
      requirement: 'PKG-009',
      ...at,
      message: `the local header of "${name}" names it "${lenientUtf8.decode(local.nameBytes)}"`,
    });
  }
  if (local.method !== central.method) {
    findings.push({
      requirement: 'PKG-009',
      ...at,
      message: `"${name}": the local header says method ${local.method}, the central directory ${central.method}`,
    });
  }
  if ((local.flags & 0x41) !== (central.flags & 0x41)) {
    findings.push({
      requirement: 'PKG-009',
      ...at,
      message: `"${name}": the encryption bits of the local header (0x${(local.flags & 0x41).toString(16)}) differ from the central directory's (0x${(central.flags & 0x41).toString(16)})`,
    });
  }
  if (local.extra.some((e) => e.id === extraFieldIds.zip64)) {
    findings.push({
      requirement: 'PKG-004',
      ...at,
      message: `"${name}" carries a ZIP64 extra field (0x0001) in its local header`,
    });
  }
  for (const message of unicodePathFaults(name, local.nameBytes, local.extra, 'local header')) {
    findings.push({ requirement: 'PKG-171', ...at, message });
  }
  const topic = 'local-header' as const;
  const usesDescriptor = (central.flags & 0x08) !== 0;
  if ((local.flags & 0x08) !== (central.flags & 0x08)) {
    findings.push({
      requirement: 'PKG-001',
      topic,
      ...at,
      message: `"${name}": only one of the local and central headers says a data descriptor follows (bit 3)`,
    });
  }
  let end = local.dataOffset + central.compressedSize;
  if (usesDescriptor) {
    const descriptor = readDataDescriptor(reader, end);
    if (!descriptor) {
      findings.push({
        requirement: 'PKG-001',
        topic,
        ...at,
        message: `"${name}": the data descriptor runs past the end of the file`,
      });
    } else {
      entry.descriptor = descriptor;
      end = descriptor.offset + (descriptor.withSignature ? 16 : 12);
      const lies = [
        descriptor.crc32 !== central.crc32
          ? `CRC-32 ${hex(descriptor.crc32)} vs ${hex(central.crc32)}`
          : '',
        descriptor.compressedSize !== central.compressedSize
          ? `compressed size ${descriptor.compressedSize} vs ${central.compressedSize}`
          : '',
        descriptor.uncompressedSize !== central.uncompressedSize
          ? `size ${descriptor.uncompressedSize} vs ${central.uncompressedSize}`
          : '',
      ].filter(Boolean);
      if (lies.length) {
        findings.push({
          requirement: 'PKG-001',
          topic,
          ...at,
          message: `"${name}": the data descriptor disagrees with the central directory (${lies.join(', ')})`,
        });
      }
    }
    // With a descriptor, the local header may carry zeros; anything else must still agree.
    const fields: [string, number, number][] = [
      ['CRC-32', local.crc32, central.crc32],
      ['compressed size', local.compressedSize, central.compressedSize],
      ['size', local.uncompressedSize, central.uncompressedSize],
    ];
    const wrong = fields.filter(([, l, c]) => l !== 0 && l !== c);
    if (wrong.length) {
      findings.push({
        requirement: 'PKG-001',
        topic,
        ...at,
        message: `"${name}": the local header disagrees with the central directory (${wrong.map(([n, l, c]) => `${n} ${l} vs ${c}`).join(', ')})`,
      });
    }
  } else {
    const fields: [string, number, number][] = [
      ['CRC-32', local.crc32, central.crc32],
      ['compressed size', local.compressedSize, central.compressedSize],
      ['size', local.uncompressedSize, central.uncompressedSize],
    ];
    const wrong = fields.filter(([, l, c]) => l !== c);
    if (wrong.length) {
      findings.push({
        requirement: 'PKG-001',
        topic,
        ...at,
        message: `"${name}": the local header disagrees with the central directory (${wrong.map(([n, l, c]) => `${n} ${l} vs ${c}`).join(', ')})`,
      });
    }
  }
  entry.range = { start: local.offset, end };
}

const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

/** Inflates (at most the declared size) and checks length and CRC-32; returns a fault or the bytes. */
function entryData(entry: ArchiveEntry, reader: ByteReader): Uint8Array | string {
  const { central, local, name } = entry;
  if (!local) return 'no local header';
  const raw = reader.slice(local.dataOffset, central.compressedSize);
  if (!raw) {
    return `"${name}": its ${central.compressedSize} bytes of data run past the end of the file`;
  }
  entry.compressed = raw;
  let data: Uint8Array;
  if (central.method === 0) {
    if (central.compressedSize !== central.uncompressedSize) {
      return `"${name}" is stored but its compressed size ${central.compressedSize} differs from its size ${central.uncompressedSize}`;
    }
    data = raw;
  } else {
    try {
      data = inflateRawSync(raw, { maxOutputLength: central.uncompressedSize + 1 });
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'ERR_BUFFER_TOO_LARGE')
        return `"${name}" inflates to more than its declared ${central.uncompressedSize} bytes`;
      return `"${name}": the deflate stream is damaged (${(error as Error).message})`;
    }
    if (data.length !== central.uncompressedSize) {
      return `"${name}" inflates to ${data.length} bytes, not the declared ${central.uncompressedSize}`;
    }
  }
  const actual = crc32(data) >>> 0;
  if (actual !== central.crc32)
    return `"${name}": CRC-32 of the data is ${hex(actual)}, the header says ${hex(central.crc32)}`;
  return data;
}

/**
 * Reads a package archive the way a hostile-input parser should: every length is checked before
 * it is used, every fault is recorded with the requirement it breaks, and reading goes on as far
 * as the structure allows so that each case can report its own finding.
 */
export function inspectArchive(bytes: Uint8Array): ArchiveInspection {
  const reader = new ByteReader(bytes);
  const findings: ArchiveFinding[] = [];
  const result: ArchiveInspection = { size: bytes.length, readable: false, entries: [], findings };
  const eocd = findEndOfCentralDirectory(reader, findings);
  if (!eocd) return result;
  result.eocd = eocd;
  const eocdTopic = 'end-of-central-directory' as const;
  if (
    eocd.diskNumber !== 0 ||
    eocd.centralDirectoryDisk !== 0 ||
    eocd.entriesOnDisk !== eocd.totalEntries
  ) {
    findings.push({
      requirement: 'PKG-004',
      message: `the archive spans disks (this disk ${eocd.diskNumber}, central directory on disk ${eocd.centralDirectoryDisk}, ${eocd.entriesOnDisk} of ${eocd.totalEntries} entries here)`,
    });
  }
  if (reader.u32(eocd.offset - 20) === signatures.zip64Locator) {
    findings.push({
      requirement: 'PKG-004',
      message: `a ZIP64 end-of-central-directory locator precedes the end record (offset ${eocd.offset - 20})`,
    });
  }
  if (
    [eocd.totalEntries, eocd.entriesOnDisk].includes(0xffff) ||
    [eocd.centralDirectorySize, eocd.centralDirectoryOffset].includes(0xffffffff)
  ) {
    findings.push({
      requirement: 'PKG-004',
      message: 'the end record holds 0xFFFF or 0xFFFFFFFF markers that defer to a ZIP64 record',
    });
  }
  let cdStart = eocd.centralDirectoryOffset;
  let cdEnd = cdStart + eocd.centralDirectorySize;
  /** Bytes glued before an archive whose offsets do not count them (a polyglot made with cat). */
  let shift = 0;
  if (cdEnd > eocd.offset) {
    findings.push({
      requirement: 'PKG-001',
      topic: eocdTopic,
      message: `the central directory (offset ${cdStart}, ${eocd.centralDirectorySize} bytes) runs into the end record at ${eocd.offset}`,
    });
    return result;
  }
  if (cdEnd < eocd.offset && reader.u32(eocd.offset - 20) !== signatures.zip64Locator) {
    const shiftedStart = eocd.offset - eocd.centralDirectorySize;
    if (
      eocd.centralDirectorySize > 0 &&
      reader.u32(cdStart) !== signatures.centralHeader &&
      reader.u32(shiftedStart) === signatures.centralHeader
    ) {
      // [PKG-170] read on from where the records really are, so the other cases still apply.
      shift = shiftedStart - cdStart;
      cdStart += shift;
      cdEnd += shift;
      findings.push({
        requirement: 'PKG-170',
        message: `${shift} bytes precede the archive, and its offsets do not count them: another file (such as HTML or GIF) glued in front of a ZIP`,
      });
    } else {
      findings.push({
        requirement: 'PKG-170',
        message: `${eocd.offset - cdEnd} bytes between the central directory and the end record belong to nothing`,
      });
    }
  }
  const cdTopic = 'central-directory' as const;
  let at = cdStart;
  const headers: CentralHeader[] = [];
  while (at < cdEnd) {
    const header = readCentralHeader(reader, at);
    if (typeof header === 'string') {
      findings.push({ requirement: 'PKG-001', topic: cdTopic, message: header });
      return result;
    }
    headers.push(header);
    at +=
      46 +
      header.nameBytes.length +
      header.extra.reduce((n, e) => n + 4 + e.size, 0) +
      header.commentLength;
    if (headers.length > 65535) break;
  }
  if (at !== cdEnd) {
    findings.push({
      requirement: 'PKG-001',
      topic: cdTopic,
      message: `the central directory headers take ${at - cdStart} bytes, the end record says ${eocd.centralDirectorySize}`,
    });
  }
  if (headers.length !== eocd.totalEntries) {
    findings.push({
      requirement: 'PKG-001',
      topic: cdTopic,
      message: `the central directory holds ${headers.length} headers, the end record says ${eocd.totalEntries}`,
    });
  }
  result.readable = true;
  result.entries = headers.map((central, index) => {
    let name: string;
    let nameIsUtf8 = true;
    try {
      name = utf8.decode(central.nameBytes);
    } catch {
      name = lenientUtf8.decode(central.nameBytes);
      nameIsUtf8 = false;
    }
    return { index, central, name, nameIsUtf8, kind: entryKind(central, name) };
  });
  for (const entry of result.entries) {
    checkHeaderFlags(entry, findings);
    const local = readLocalHeader(reader, entry.central.localHeaderOffset + shift);
    if (typeof local === 'string') {
      findings.push({
        requirement: 'PKG-001',
        topic: 'local-header',
        entry: entry.name,
        message: `"${entry.name}": ${local}`,
      });
      continue;
    }
    entry.local = local;
    checkLocalHeader(entry, local, reader, findings);
  }
  checkLayout(result, shift, cdStart, reader, findings);
  let inflated = 0;
  for (const entry of result.entries) {
    const { central } = entry;
    if (
      !entry.local ||
      (central.method !== 0 && central.method !== 8) ||
      (central.flags & 0x41) !== 0
    )
      continue;
    // Memory stays bounded: entries beyond the total limit are reported by the size cases instead.
    if (
      central.uncompressedSize > sizeLimits.totalBytes ||
      inflated + central.uncompressedSize > 2 * sizeLimits.totalBytes
    )
      continue;
    const data = entryData(entry, reader);
    if (typeof data === 'string') {
      findings.push({ requirement: 'PKG-001', topic: 'data', entry: entry.name, message: data });
      continue;
    }
    inflated += data.length;
    entry.data = data;
  }
  return result;
}

/**
 * Entries must not overlap one another or the central directory [PKG-010], and must leave no bytes
 * that belong to nothing [PKG-170]; a local header among those bytes is an entry the central
 * directory does not list [PKG-001]. `start` is where the archive begins (after bytes reported as shifted).
 */
function checkLayout(
  result: ArchiveInspection,
  start: number,
  cdStart: number,
  reader: ByteReader,
  findings: ArchiveFinding[],
): void {
  const placed = result.entries
    .filter(
      (e): e is ArchiveEntry & { range: { start: number; end: number } } => e.range !== undefined,
    )
    .sort((a, b) => a.range.start - b.range.start || a.range.end - b.range.end);
  let overlaps = false;
  for (let i = 1; i < placed.length; i += 1) {
    const previous = placed[i - 1];
    const current = placed[i];
    if (!previous || !current) continue;
    for (let j = i - 1; j >= 0; j -= 1) {
      const earlier = placed[j];
      if (earlier && current.range.start < earlier.range.end) {
        overlaps = true;
        findings.push({
          requirement: 'PKG-010',
          entry: current.name,
          message: `"${current.name}" (bytes ${current.range.start}-${current.range.end}) overlaps "${earlier.name}" (bytes ${earlier.range.start}-${earlier.range.end})`,
        });
        break;
      }
    }
  }
  for (const entry of placed) {
    if (entry.range.end > cdStart) {
      findings.push({
        requirement: 'PKG-001',
        topic: 'layout',
        entry: entry.name,
        message: `"${entry.name}" (bytes ${entry.range.start}-${entry.range.end}) runs into the central directory at ${cdStart}`,
      });
    }
  }
  if (overlaps || placed.length !== result.entries.length) return;
  let cursor = start;
  let previous: string | undefined;
  for (const entry of [...placed, undefined]) {
    const next = entry ? entry.range.start : cdStart;
    if (next > cursor) {
      const where =
        previous === undefined
          ? `before the first ${entry ? 'entry' : 'record'}`
          : `after "${previous}"${entry ? '' : ', before the central directory'}`;
      findings.push({
        requirement: 'PKG-170',
        message: `${next - cursor} bytes at offset ${cursor} (${where}) belong to no entry of the central directory`,
      });
      if (reader.u32(cursor) === signatures.localHeader) {
        findings.push({
          requirement: 'PKG-001',
          topic: 'layout',
          message: `a local file header at offset ${cursor} belongs to an entry the central directory does not list`,
        });
      }
    }
    if (entry) {
      cursor = Math.max(cursor, entry.range.end);
      previous = entry.name;
    }
  }
}
