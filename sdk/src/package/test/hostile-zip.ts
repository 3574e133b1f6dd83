import { crc32, deflateRawSync } from 'node:zlib';

/** One entry of a hand-made archive; every field a real packer would compute can be overridden to lie. */
export interface RawEntry {
  name: string | Uint8Array;
  data?: Uint8Array;
  /** 0 stored, 8 deflate, anything else to test refusal. Default 8. */
  method?: number;
  /** Bytes written as the entry's data; default: data, deflated when method is 8. */
  compressed?: Uint8Array;
  declaredSize?: number;
  crc?: number;
  flags?: number;
  versionMadeBy?: number;
  externalAttributes?: number;
  /** Name written in the local header when it should differ from the central one. */
  localName?: string | Uint8Array;
  extra?: Uint8Array;
  /** Central directory offset of the local header, to point at bytes written elsewhere. */
  centralOffset?: number;
  /** Write no local header for this entry (use with centralOffset). */
  omitLocal?: boolean;
  /** Extra field of the local header only, when it should differ from the central one. */
  localExtra?: Uint8Array;
  /** Bytes written after the entry's data that belong to no entry. */
  trailer?: Uint8Array;
  /** Sizes and CRC in a data descriptor after the data (flag bit 3), with or without its signature. */
  descriptor?: 'signed' | 'unsigned';
  /** Sizes written in the local header when they should differ from the central ones. */
  localSize?: number;
}

export interface RawArchiveOptions {
  zip64Locator?: boolean;
  diskNumber?: number;
  entryCount?: number;
  /** Bytes before the first entry, with every offset shifted to match (what `zip -A` does to a polyglot). */
  prefix?: Uint8Array;
  /** Bytes after the end record, outside its comment. */
  suffix?: Uint8Array;
}

/** An Info-ZIP Unicode Path extra field (0x7075) naming `path` for the entry whose name field is `name`. */
export function unicodePathField(name: string, path: string): Uint8Array {
  const unicode = Buffer.from(path, 'utf8');
  const field = Buffer.alloc(9 + unicode.length);
  field.writeUInt16LE(0x7075, 0);
  field.writeUInt16LE(5 + unicode.length, 2);
  field.writeUInt8(1, 4);
  field.writeUInt32LE(crc32(Buffer.from(name, 'utf8')), 5);
  unicode.copy(field, 9);
  return field;
}

function bytesOf(name: string | Uint8Array): Buffer {
  return typeof name === 'string' ? Buffer.from(name, 'utf8') : Buffer.from(name);
}

/** A local file header followed by data, as a stand-alone block (to embed inside another entry). */
export function localRecord(name: string | Uint8Array, data: Uint8Array, method = 0): Buffer {
  const nameBytes = bytesOf(name);
  const body = method === 8 ? deflateRawSync(data) : Buffer.from(data);
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(20, 4);
  header.writeUInt16LE(0x0800, 6);
  header.writeUInt16LE(method, 8);
  header.writeUInt32LE(crc32(data), 14);
  header.writeUInt32LE(body.length, 18);
  header.writeUInt32LE(data.length, 22);
  header.writeUInt16LE(nameBytes.length, 26);
  return Buffer.concat([header, nameBytes, body]);
}

/** Writes a ZIP byte by byte, so tests can build archives that no well-behaved library would produce. */
export function buildZip(
  entries: readonly RawEntry[],
  options: RawArchiveOptions = {},
): Uint8Array {
  const prefix = Buffer.from(options.prefix ?? new Uint8Array());
  const chunks: Buffer[] = [prefix];
  const central: Buffer[] = [];
  let offset = prefix.length;
  for (const entry of entries) {
    const data = Buffer.from(entry.data ?? new Uint8Array());
    const method = entry.method ?? 8;
    const body = Buffer.from(entry.compressed ?? (method === 8 ? deflateRawSync(data) : data));
    const name = bytesOf(entry.name);
    const localName = bytesOf(entry.localName ?? entry.name);
    const extra = Buffer.from(entry.extra ?? new Uint8Array());
    const flags = (entry.flags ?? 0x0800) | (entry.descriptor ? 0x0008 : 0);
    const crc = entry.crc ?? crc32(data);
    const size = entry.declaredSize ?? data.length;
    const headerOffset = entry.centralOffset ?? offset;
    if (!entry.omitLocal) {
      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      local.writeUInt16LE(20, 4);
      local.writeUInt16LE(flags, 6);
      local.writeUInt16LE(method, 8);
      if (!entry.descriptor) {
        local.writeUInt32LE(crc, 14);
        local.writeUInt32LE(body.length, 18);
        local.writeUInt32LE((entry.localSize ?? size) >>> 0, 22);
      }
      const localExtra = Buffer.from(entry.localExtra ?? extra);
      local.writeUInt16LE(localName.length, 26);
      local.writeUInt16LE(localExtra.length, 28);
      const descriptor = Buffer.alloc(entry.descriptor ? 16 : 0);
      if (entry.descriptor) {
        descriptor.writeUInt32LE(0x08074b50, 0);
        descriptor.writeUInt32LE(crc, 4);
        descriptor.writeUInt32LE(body.length, 8);
        descriptor.writeUInt32LE(size >>> 0, 12);
      }
      const written = [
        local,
        localName,
        localExtra,
        body,
        entry.descriptor === 'unsigned' ? descriptor.subarray(4) : descriptor,
        Buffer.from(entry.trailer ?? new Uint8Array()),
      ];
      chunks.push(...written);
      offset += written.reduce((sum, part) => sum + part.length, 0);
    }
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(entry.versionMadeBy ?? 0x0314, 4);
    header.writeUInt16LE(20, 6);
    header.writeUInt16LE(flags, 8);
    header.writeUInt16LE(method, 10);
    header.writeUInt32LE(crc, 16);
    header.writeUInt32LE(body.length, 20);
    header.writeUInt32LE(size >>> 0, 24);
    header.writeUInt16LE(name.length, 28);
    header.writeUInt16LE(extra.length, 30);
    header.writeUInt32LE((entry.externalAttributes ?? 0x81a40000) >>> 0, 38);
    header.writeUInt32LE(headerOffset, 42);
    central.push(header, name, extra);
  }
  const centralBytes = Buffer.concat(central);
  const count = options.entryCount ?? entries.length;
  const tail: Buffer[] = [];
  if (options.zip64Locator) {
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    tail.push(locator);
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(options.diskNumber ?? 0, 4);
  end.writeUInt16LE(count & 0xffff, 8);
  end.writeUInt16LE(count & 0xffff, 10);
  end.writeUInt32LE(centralBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  tail.push(end, Buffer.from(options.suffix ?? new Uint8Array()));
  return new Uint8Array(Buffer.concat([...chunks, centralBytes, ...tail]));
}

export const manifestEntry: RawEntry = {
  name: 'manifest.json',
  data: Buffer.from('{"specVersion":"1.0"}'),
};
