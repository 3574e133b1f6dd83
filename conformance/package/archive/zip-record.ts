/** The records of a ZIP archive as the PKWARE APPNOTE lays them out, read without trusting them. */

export const signatures = {
  localHeader: 0x04034b50,
  centralHeader: 0x02014b50,
  endOfCentralDirectory: 0x06054b50,
  zip64EndOfCentralDirectory: 0x06064b50,
  zip64Locator: 0x07064b50,
  dataDescriptor: 0x08074b50,
} as const;

export const extraFieldIds = {
  zip64: 0x0001,
  unicodePath: 0x7075,
  aesEncryption: 0x9901,
} as const;

export interface EndOfCentralDirectory {
  offset: number;
  diskNumber: number;
  centralDirectoryDisk: number;
  entriesOnDisk: number;
  totalEntries: number;
  centralDirectorySize: number;
  centralDirectoryOffset: number;
  commentLength: number;
}

export interface ExtraField {
  id: number;
  size: number;
  /** The field's own bytes (after its id and size). */
  data: Uint8Array;
}

export interface CentralHeader {
  /** Position of the header in the archive. */
  offset: number;
  versionMadeBy: number;
  versionNeeded: number;
  flags: number;
  method: number;
  time: number;
  date: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  nameBytes: Uint8Array;
  extra: ExtraField[];
  commentLength: number;
  diskStart: number;
  internalAttributes: number;
  externalAttributes: number;
  localHeaderOffset: number;
}

export interface LocalHeader {
  offset: number;
  versionNeeded: number;
  flags: number;
  method: number;
  time: number;
  date: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  nameBytes: Uint8Array;
  extra: ExtraField[];
  extraLength: number;
  dataOffset: number;
}

export interface DataDescriptor {
  offset: number;
  withSignature: boolean;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
}

/** Little-endian reads that never run past the end; they return undefined instead. */
export class ByteReader {
  constructor(readonly bytes: Uint8Array) {}
  get length(): number {
    return this.bytes.length;
  }
  u16(at: number): number | undefined {
    if (at < 0 || at + 2 > this.bytes.length) return undefined;
    return (this.bytes[at] as number) | ((this.bytes[at + 1] as number) << 8);
  }
  u32(at: number): number | undefined {
    if (at < 0 || at + 4 > this.bytes.length) return undefined;
    return (
      ((this.bytes[at] as number) |
        ((this.bytes[at + 1] as number) << 8) |
        ((this.bytes[at + 2] as number) << 16) |
        ((this.bytes[at + 3] as number) << 24)) >>>
      0
    );
  }
  slice(at: number, length: number): Uint8Array | undefined {
    if (at < 0 || length < 0 || at + length > this.bytes.length) return undefined;
    return this.bytes.subarray(at, at + length);
  }
}

/** Splits an extra-field block into its (id, size) records; null when a record overruns it. */
export function parseExtraFields(block: Uint8Array): ExtraField[] | null {
  const reader = new ByteReader(block);
  const fields: ExtraField[] = [];
  let at = 0;
  while (at < block.length) {
    const id = reader.u16(at);
    const size = reader.u16(at + 2);
    if (id === undefined || size === undefined || at + 4 + size > block.length) return null;
    fields.push({ id, size, data: block.subarray(at + 4, at + 4 + size) });
    at += 4 + size;
  }
  return fields;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
