import { deflateRawSync } from 'node:zlib';
import { concatBytes, utf8 } from '../crypto/byte-encoding.ts';

/**
 * The suite's own small ZIP writer. It writes valid packages the suite signs and uploads, and, through
 * its overrides, the malformed and hostile archives that no packer would produce.
 */
export interface ZipEntry {
  path: string;
  data: Uint8Array;
  /** 0 stored (default) or 8 deflate; any other number is written as is. */
  method?: number;
  /** General purpose flag; bit 11 is set for non-ASCII names unless given. */
  flags?: number;
  /** Upper 16 bits of the external attributes on Unix: a file mode such as 0o100644 or 0o120777. */
  unixMode?: number;
  /** Name written into the local header when it should differ from the central one. */
  localPath?: string;
  /** Extra field written in the central directory header. */
  centralExtra?: Uint8Array;
  /** Extra field written in the local header. */
  localExtra?: Uint8Array;
  /** Bytes that belong to no entry, written after this entry's data; later offsets count them. */
  gapAfter?: Uint8Array;
  /** Lies about sizes or the CRC-32 in both headers. */
  declaredUncompressedSize?: number;
  crc32?: number;
}

export interface ZipOptions {
  /** Bytes appended after the end-of-central-directory record. */
  trailing?: Uint8Array;
  /** Bytes written before the first local header (a polyglot's prefix); every offset counts them. */
  leading?: Uint8Array;
  /** Writes a ZIP64 end-of-central-directory record and locator before the classic one. */
  zip64?: boolean;
  /** The disk number fields of the end record. */
  diskNumber?: number;
}

const crcTable = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (crcTable[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

class Writer {
  private readonly view: DataView;
  readonly bytes: Uint8Array;
  private offset = 0;
  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }
  u16(v: number) {
    this.view.setUint16(this.offset, v, true);
    this.offset += 2;
  }
  u32(v: number) {
    this.view.setUint32(this.offset, v >>> 0, true);
    this.offset += 4;
  }
  u64(v: number) {
    this.view.setBigUint64(this.offset, BigInt(v), true);
    this.offset += 8;
  }
  put(b: Uint8Array) {
    this.bytes.set(b, this.offset);
    this.offset += b.length;
  }
}

/** Fixed timestamp (1980-01-01 00:00) so that the same entries always give the same bytes. */
const dosTime = 0;
const dosDate = (0 << 9) | (1 << 5) | 1;

export function writeZip(entries: readonly ZipEntry[], options: ZipOptions = {}): Uint8Array {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  const leading = options.leading ?? new Uint8Array(0);
  let offset = leading.length;
  for (const entry of entries) {
    const name = utf8(entry.path);
    const localName = utf8(entry.localPath ?? entry.path);
    const method = entry.method ?? 0;
    const data = method === 8 ? new Uint8Array(deflateRawSync(entry.data)) : entry.data;
    const crc = entry.crc32 ?? crc32(entry.data);
    const size = entry.declaredUncompressedSize ?? entry.data.length;
    const nonAscii = name.some((b) => b > 0x7f);
    const flags = entry.flags ?? (nonAscii ? 1 << 11 : 0);
    const localExtra = entry.localExtra ?? new Uint8Array(0);
    const local = new Writer(30 + localName.length + localExtra.length);
    local.u32(0x04034b50);
    local.u16(20);
    local.u16(flags);
    local.u16(method);
    local.u16(dosTime);
    local.u16(dosDate);
    local.u32(crc);
    local.u32(data.length);
    local.u32(size);
    local.u16(localName.length);
    local.u16(localExtra.length);
    local.put(localName);
    local.put(localExtra);
    const extra = entry.centralExtra ?? new Uint8Array(0);
    const central = new Writer(46 + name.length + extra.length);
    central.u32(0x02014b50);
    central.u16(entry.unixMode === undefined ? 20 : (3 << 8) | 20);
    central.u16(20);
    central.u16(flags);
    central.u16(method);
    central.u16(dosTime);
    central.u16(dosDate);
    central.u32(crc);
    central.u32(data.length);
    central.u32(size);
    central.u16(name.length);
    central.u16(extra.length);
    central.u16(0);
    central.u16(0);
    central.u16(0);
    central.u32(entry.unixMode === undefined ? 0 : (entry.unixMode << 16) >>> 0);
    central.u32(offset);
    central.put(name);
    central.put(extra);
    const gap = entry.gapAfter ?? new Uint8Array(0);
    locals.push(local.bytes, data, gap);
    centrals.push(central.bytes);
    offset += local.bytes.length + data.length + gap.length;
  }
  const directory = concatBytes(centrals);
  const tail: Uint8Array[] = [];
  if (options.zip64) {
    const z = new Writer(56 + 20);
    z.u32(0x06064b50);
    z.u64(44);
    z.u16(45);
    z.u16(45);
    z.u32(0);
    z.u32(0);
    z.u64(entries.length);
    z.u64(entries.length);
    z.u64(directory.length);
    z.u64(offset);
    z.u32(0x07064b50);
    z.u32(0);
    z.u64(offset + directory.length);
    z.u32(1);
    tail.push(z.bytes);
  }
  const end = new Writer(22);
  end.u32(0x06054b50);
  end.u16(options.diskNumber ?? 0);
  end.u16(options.diskNumber ?? 0);
  end.u16(entries.length);
  end.u16(entries.length);
  end.u32(directory.length);
  end.u32(offset);
  end.u16(0);
  tail.push(end.bytes);
  return concatBytes([
    leading,
    ...locals,
    directory,
    ...tail,
    options.trailing ?? new Uint8Array(0),
  ]);
}
