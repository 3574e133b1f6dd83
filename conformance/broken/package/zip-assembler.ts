import { crc32, deflateRawSync } from 'node:zlib';
import { deflateSync } from 'fflate';

/**
 * Writes ZIP archives exactly as a recipe asks, including every way of getting them wrong:
 * names that differ between headers, lying sizes and CRCs, data descriptors, ZIP64 fields,
 * unlisted and overlapping entries. It exists to build the broken-package corpus.
 */

export interface ZipEntrySpec {
  name: string | Uint8Array;
  data: Uint8Array;
  /** 0 stored, 8 deflate, anything else is written as given (with the data stored). */
  method?: number;
  /** Bytes to write instead of compressing `data`. */
  compressed?: Uint8Array;
  flags?: number;
  versionMadeBy?: number;
  versionNeeded?: number;
  time?: number;
  date?: number;
  externalAttributes?: number;
  extra?: Uint8Array;
  comment?: Uint8Array;
  /** Overrides of what the central directory header says. */
  crc?: number;
  compressedSize?: number;
  uncompressedSize?: number;
  diskStart?: number;
  /** Overrides of what the local header says (defaults: the central values). */
  local?: {
    name?: string | Uint8Array;
    method?: number;
    flags?: number;
    crc?: number;
    compressedSize?: number;
    uncompressedSize?: number;
    extra?: Uint8Array;
  };
  /** Write a data descriptor after the data (sets bit 3 unless flags say otherwise). */
  descriptor?: {
    crc?: number;
    compressedSize?: number;
    uncompressedSize?: number;
    signature?: boolean;
  };
  /** Write the local record but leave the entry out of the central directory. */
  unlisted?: boolean;
  /** List the entry in the central directory only, pointing at this offset. */
  centralOnlyAt?: number;
}

export interface ZipArchiveSpec {
  entries: ZipEntrySpec[];
  /** Bytes before the first entry. */
  prefix?: Uint8Array;
  comment?: Uint8Array;
  /** Overrides of the end-of-central-directory record. */
  end?: {
    disk?: number;
    centralDirectoryDisk?: number;
    entriesOnDisk?: number;
    totalEntries?: number;
  };
  /** Put a ZIP64 end record and locator before the end record. */
  zip64Records?: boolean;
}

/** Canonical header values of spec/package.md (PKG-082). */
export const canonicalHeader = {
  versionMadeBy: 0x0314,
  versionNeeded: 20,
  flags: 0x0800,
  time: 0,
  date: 0x0021,
  externalAttributes: 0x81a40000,
} as const;

/** Ordinary values a desktop zip tool would write (so the canonical-form cases do not apply). */
export const ordinaryHeader = {
  versionMadeBy: 0x031e,
  versionNeeded: 20,
  flags: 0x0800,
  time: 0x6000,
  date: 0x5a21,
  externalAttributes: 0x81a40000,
} as const;

const encoder = new TextEncoder();
const bytesOf = (v: string | Uint8Array) => (typeof v === 'string' ? encoder.encode(v) : v);

class ByteSink {
  private chunks: Uint8Array[] = [];
  length = 0;
  push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.length += bytes.length;
  }
  u16(n: number): void {
    const b = new Uint8Array(2);
    new DataView(b.buffer).setUint16(0, n, true);
    this.push(b);
  }
  u32(n: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, n >>> 0, true);
    this.push(b);
  }
  bytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

/** The canonical deflate choice of PKG-083: fflate level 9, stored when that is not smaller or crosses the ratio. */
export function canonicalCompression(data: Uint8Array): { method: 0 | 8; compressed: Uint8Array } {
  const stream = deflateSync(data, { level: 9, mem: 8 });
  return stream.length >= data.length || data.length > 100 * stream.length
    ? { method: 0, compressed: data }
    : { method: 8, compressed: stream };
}

function compress(entry: ZipEntrySpec): Uint8Array {
  if (entry.compressed) return entry.compressed;
  return (entry.method ?? 8) === 8 ? deflateRawSync(entry.data, { level: 6 }) : entry.data;
}

/** Writes the archive; returns its bytes and the offset of each entry's local header. */
export function assembleZip(spec: ZipArchiveSpec): { bytes: Uint8Array; offsets: number[] } {
  const out = new ByteSink();
  if (spec.prefix) out.push(spec.prefix);
  const central: { entry: ZipEntrySpec; offset: number; compressedLength: number; crc: number }[] =
    [];
  const offsets: number[] = [];
  for (const entry of spec.entries) {
    const compressed = compress(entry);
    const crc = crc32(entry.data) >>> 0;
    if (entry.centralOnlyAt !== undefined) {
      offsets.push(entry.centralOnlyAt);
      central.push({
        entry,
        offset: entry.centralOnlyAt,
        compressedLength: compressed.length,
        crc,
      });
      continue;
    }
    const offset = out.length;
    offsets.push(offset);
    const method = entry.method ?? 8;
    const flags = (entry.flags ?? ordinaryHeader.flags) | (entry.descriptor ? 0x08 : 0);
    const local = entry.local ?? {};
    const name = bytesOf(local.name ?? entry.name);
    const extra = local.extra ?? entry.extra ?? new Uint8Array(0);
    out.u32(0x04034b50);
    out.u16(entry.versionNeeded ?? ordinaryHeader.versionNeeded);
    out.u16(local.flags ?? flags);
    out.u16(local.method ?? method);
    out.u16(entry.time ?? ordinaryHeader.time);
    out.u16(entry.date ?? ordinaryHeader.date);
    const descriptorZeros = entry.descriptor !== undefined;
    out.u32(local.crc ?? (descriptorZeros ? 0 : (entry.crc ?? crc)));
    out.u32(
      local.compressedSize ?? (descriptorZeros ? 0 : (entry.compressedSize ?? compressed.length)),
    );
    out.u32(
      local.uncompressedSize ??
        (descriptorZeros ? 0 : (entry.uncompressedSize ?? entry.data.length)),
    );
    out.u16(name.length);
    out.u16(extra.length);
    out.push(name);
    out.push(extra);
    out.push(compressed);
    if (entry.descriptor) {
      if (entry.descriptor.signature !== false) out.u32(0x08074b50);
      out.u32(entry.descriptor.crc ?? entry.crc ?? crc);
      out.u32(entry.descriptor.compressedSize ?? entry.compressedSize ?? compressed.length);
      out.u32(entry.descriptor.uncompressedSize ?? entry.uncompressedSize ?? entry.data.length);
    }
    if (!entry.unlisted) central.push({ entry, offset, compressedLength: compressed.length, crc });
  }
  const cdOffset = out.length;
  for (const { entry, offset, compressedLength, crc } of central) {
    const name = bytesOf(entry.name);
    const extra = entry.extra ?? new Uint8Array(0);
    const comment = entry.comment ?? new Uint8Array(0);
    out.u32(0x02014b50);
    out.u16(entry.versionMadeBy ?? ordinaryHeader.versionMadeBy);
    out.u16(entry.versionNeeded ?? ordinaryHeader.versionNeeded);
    out.u16((entry.flags ?? ordinaryHeader.flags) | (entry.descriptor ? 0x08 : 0));
    out.u16(entry.method ?? 8);
    out.u16(entry.time ?? ordinaryHeader.time);
    out.u16(entry.date ?? ordinaryHeader.date);
    out.u32(entry.crc ?? crc);
    out.u32(entry.compressedSize ?? compressedLength);
    out.u32(entry.uncompressedSize ?? entry.data.length);
    out.u16(name.length);
    out.u16(extra.length);
    out.u16(comment.length);
    out.u16(entry.diskStart ?? 0);
    out.u16(0);
    out.u32(entry.externalAttributes ?? ordinaryHeader.externalAttributes);
    out.u32(offset);
    out.push(name);
    out.push(extra);
    out.push(comment);
  }
  const cdSize = out.length - cdOffset;
  if (spec.zip64Records) {
    const zip64At = out.length;
    out.u32(0x06064b50);
    out.u32(44);
    out.u32(0);
    out.u32(0);
    out.u16(45);
    out.u16(45);
    out.u32(0);
    out.u32(0);
    out.u32(central.length);
    out.u32(0);
    out.u32(central.length);
    out.u32(0);
    out.u32(cdSize);
    out.u32(0);
    out.u32(cdOffset);
    out.u32(0);
    out.u32(0x07064b50);
    out.u32(0);
    out.u32(zip64At);
    out.u32(0);
    out.u32(1);
  }
  const comment = spec.comment ?? new Uint8Array(0);
  out.u32(0x06054b50);
  out.u16(spec.end?.disk ?? 0);
  out.u16(spec.end?.centralDirectoryDisk ?? 0);
  out.u16(spec.end?.entriesOnDisk ?? central.length);
  out.u16(spec.end?.totalEntries ?? central.length);
  out.u32(cdSize);
  out.u32(cdOffset);
  out.u16(comment.length);
  out.push(comment);
  return { bytes: out.bytes(), offsets };
}

/** The central-directory-less record of one entry: its local header followed by its data. */
export function localRecord(name: string, data: Uint8Array): Uint8Array {
  return assembleZip({ entries: [{ name, data, method: 0, unlisted: true }] }).bytes.subarray(
    0,
    30 + encoder.encode(name).length + data.length,
  );
}

/** A ZIP64 extended information extra field holding the two sizes. */
export function zip64Extra(size: number, compressed: number): Uint8Array {
  const b = new Uint8Array(20);
  const v = new DataView(b.buffer);
  v.setUint16(0, 0x0001, true);
  v.setUint16(2, 16, true);
  v.setBigUint64(4, BigInt(size), true);
  v.setBigUint64(12, BigInt(compressed), true);
  return b;
}
