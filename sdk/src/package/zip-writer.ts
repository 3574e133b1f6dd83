import { crc32 } from 'node:zlib';
import { deflateSync } from 'fflate';

/** One file to write: its package path and bytes. */
export interface ZipInput {
  path: string;
  data: Uint8Array;
}

// [PKG-082] fixed header values of the canonical form.
const VERSION_MADE_BY = 0x0314; // Unix, APPNOTE 2.0
const VERSION_NEEDED = 20;
const FLAG_UTF8 = 0x0800;
const DOS_TIME = 0x0000;
const DOS_DATE = 0x0021; // 1980-01-01
const EXTERNAL_ATTRIBUTES = 0x81a40000; // S_IFREG | 0644 in the upper 16 bits
const METHOD_STORED = 0;
const METHOD_DEFLATE = 8;
const CANONICAL_MAX_RATIO = 100;

interface EncodedEntry {
  name: Uint8Array;
  method: number;
  crc: number;
  data: Uint8Array;
  size: number;
  offset: number;
}

/**
 * [PKG-083] Deflate with fflate rather than node:zlib: fflate is pure JavaScript pinned by the lockfile,
 * so its output depends only on its version and input, never on the zlib build of the machine.
 * Store when deflate would not shrink the file or would cross the ratio limit that readers enforce [PKG-044].
 */
function encode(data: Uint8Array): { method: number; bytes: Uint8Array } {
  if (data.length === 0) return { method: METHOD_STORED, bytes: data };
  const deflated = deflateSync(data, { level: 9, mem: 8 });
  if (deflated.length >= data.length || data.length > deflated.length * CANONICAL_MAX_RATIO) {
    return { method: METHOD_STORED, bytes: data };
  }
  return { method: METHOD_DEFLATE, bytes: deflated };
}

function localHeader(entry: EncodedEntry): Uint8Array {
  const header = Buffer.alloc(30 + entry.name.length);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(VERSION_NEEDED, 4);
  header.writeUInt16LE(FLAG_UTF8, 6);
  header.writeUInt16LE(entry.method, 8);
  header.writeUInt16LE(DOS_TIME, 10);
  header.writeUInt16LE(DOS_DATE, 12);
  header.writeUInt32LE(entry.crc, 14);
  header.writeUInt32LE(entry.data.length, 18);
  header.writeUInt32LE(entry.size, 22);
  header.writeUInt16LE(entry.name.length, 26);
  header.writeUInt16LE(0, 28);
  header.set(entry.name, 30);
  return header;
}

function centralHeader(entry: EncodedEntry): Uint8Array {
  const header = Buffer.alloc(46 + entry.name.length);
  header.writeUInt32LE(0x02014b50, 0);
  header.writeUInt16LE(VERSION_MADE_BY, 4);
  header.writeUInt16LE(VERSION_NEEDED, 6);
  header.writeUInt16LE(FLAG_UTF8, 8);
  header.writeUInt16LE(entry.method, 10);
  header.writeUInt16LE(DOS_TIME, 12);
  header.writeUInt16LE(DOS_DATE, 14);
  header.writeUInt32LE(entry.crc, 16);
  header.writeUInt32LE(entry.data.length, 20);
  header.writeUInt32LE(entry.size, 24);
  header.writeUInt16LE(entry.name.length, 28);
  // extra length, comment length, disk number start, internal attributes: all zero
  header.writeUInt32LE(EXTERNAL_ATTRIBUTES, 38);
  header.writeUInt32LE(entry.offset, 42);
  header.set(entry.name, 46);
  return header;
}

function endOfCentralDirectory(count: number, size: number, offset: number): Uint8Array {
  const record = Buffer.alloc(22);
  record.writeUInt32LE(0x06054b50, 0);
  record.writeUInt16LE(count, 8);
  record.writeUInt16LE(count, 10);
  record.writeUInt32LE(size, 12);
  record.writeUInt32LE(offset, 16);
  return record;
}

/**
 * Writes a ZIP in the canonical form of spec/package.md [PKG-081] [PKG-082] [PKG-083] [PKG-084].
 * The caller passes validated paths; entries are written in UTF-8 byte order of their paths.
 */
export function writeCanonicalZip(files: readonly ZipInput[]): Uint8Array {
  const sorted = [...files].sort((a, b) =>
    Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)),
  );
  const chunks: Uint8Array[] = [];
  const entries: EncodedEntry[] = [];
  let offset = 0;
  for (const file of sorted) {
    const { method, bytes } = encode(file.data);
    const entry: EncodedEntry = {
      name: Buffer.from(file.path, 'utf8'),
      method,
      crc: crc32(file.data),
      data: bytes,
      size: file.data.length,
      offset,
    };
    const header = localHeader(entry);
    chunks.push(header, bytes);
    offset += header.length + bytes.length;
    entries.push(entry);
  }
  const centralStart = offset;
  for (const entry of entries) {
    const header = centralHeader(entry);
    chunks.push(header);
    offset += header.length;
  }
  chunks.push(endOfCentralDirectory(entries.length, offset - centralStart, centralStart));
  return new Uint8Array(Buffer.concat(chunks));
}
