/**
 * The part of Node's `Buffer` that the sdk's browser-bundled modules use (base64 and base64url of
 * signed documents and keys, UTF-8 lengths, byte order of paths), injected by the browser build
 * wherever they name the global `Buffer`. Decoding follows Node: characters outside the alphabet are
 * skipped and trailing bits ignored, so the sdk's canonical-form checks behave exactly as in Node.
 */
type Encoding = 'utf8' | 'utf-8' | 'hex' | 'base64' | 'base64url' | 'latin1' | 'binary';

const standard = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const url = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const decodeTable = new Int16Array(128).fill(-1);
for (let i = 0; i < 64; i++) {
  decodeTable[standard.charCodeAt(i)] = i;
  decodeTable[url.charCodeAt(i)] = i;
}

function decodeBase64(text: string): Uint8Array {
  const values: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 61) break; // "=" ends the data
    const value = code < 128 ? (decodeTable[code] ?? -1) : -1;
    if (value >= 0) values.push(value);
  }
  const out = new Uint8Array(Math.floor((values.length * 6) / 8));
  let bits = 0;
  let acc = 0;
  let at = 0;
  for (const value of values) {
    acc = (acc << 6) | value;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (at < out.length) out[at++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

function encodeBase64(bytes: Uint8Array, alphabet: string, pad: boolean): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] ?? 0;
    const b = bytes[i + 1] ?? 0;
    const c = bytes[i + 2] ?? 0;
    const n = (a << 16) | (b << 8) | c;
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += i + 1 < bytes.length ? alphabet[(n >> 6) & 63] : pad ? '=' : '';
    out += i + 2 < bytes.length ? alphabet[n & 63] : pad ? '=' : '';
  }
  return out;
}

/** Bytes with Node's string conversions. */
export class ShimBuffer extends Uint8Array {
  override toString(encoding: Encoding = 'utf8'): string {
    switch (encoding) {
      case 'base64':
        return encodeBase64(this, standard, true);
      case 'base64url':
        return encodeBase64(this, url, false);
      case 'hex':
        return Array.from(this, (byte) => byte.toString(16).padStart(2, '0')).join('');
      case 'latin1':
      case 'binary':
        return Array.from(this, (byte) => String.fromCharCode(byte)).join('');
      default:
        return new TextDecoder().decode(this);
    }
  }

  equals(other: Uint8Array): boolean {
    return compare(this, other) === 0;
  }

  /** Little-endian reads of the sdk's ZIP reader (every ZIP number is little-endian). */
  readUInt16LE(offset = 0): number {
    return this.view(offset, 2).getUint16(offset, true);
  }

  readUInt32LE(offset = 0): number {
    return this.view(offset, 4).getUint32(offset, true);
  }

  private view(offset: number, size: number): DataView {
    if (!Number.isInteger(offset) || offset < 0 || offset + size > this.length)
      throw new RangeError(`offset ${offset} is out of range`);
    return new DataView(this.buffer, this.byteOffset, this.length);
  }

  /** Node's reading of 4 bytes as an unsigned big-endian integer (the rollout bucket, API-081). */
  readUInt32BE(offset = 0): number {
    if (!Number.isInteger(offset) || offset < 0 || offset + 4 > this.length)
      throw new RangeError(`offset ${offset} is out of range`);
    return new DataView(this.buffer, this.byteOffset, this.length).getUint32(offset, false);
  }
}

function copy(bytes: Uint8Array): ShimBuffer {
  const out = new ShimBuffer(bytes.length);
  out.set(bytes);
  return out;
}

function decodeHex(input: string): Uint8Array {
  const length = Math.floor(input.length / 2);
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const byte = Number.parseInt(input.slice(i * 2, i * 2 + 2), 16);
    // Node stops at the first pair that is not hexadecimal.
    if (Number.isNaN(byte)) return bytes.subarray(0, i);
    bytes[i] = byte;
  }
  return bytes;
}

function from(
  input: string | ArrayLike<number> | ArrayBuffer,
  encoding: Encoding | number = 'utf8',
  length?: number,
): ShimBuffer {
  // Node: an ArrayBuffer with an offset is a view that shares its memory, not a copy.
  if (input instanceof ArrayBuffer && typeof encoding === 'number')
    return new ShimBuffer(input, encoding, length ?? input.byteLength - encoding);
  if (typeof encoding === 'number') encoding = 'utf8';
  if (typeof input !== 'string') {
    // Bytes are copied at once (a ZIP entry of 2 MiB must not go through the iterator one by one).
    if (ArrayBuffer.isView(input))
      return copy(new Uint8Array(input.buffer, input.byteOffset, input.byteLength));
    return copy(input instanceof ArrayBuffer ? new Uint8Array(input) : Uint8Array.from(input));
  }
  switch (encoding) {
    case 'base64':
    case 'base64url':
      return copy(decodeBase64(input));
    case 'hex':
      return copy(decodeHex(input));
    case 'latin1':
    case 'binary':
      return copy(Uint8Array.from(input, (ch) => ch.charCodeAt(0) & 0xff));
    default:
      return copy(new TextEncoder().encode(input));
  }
}

function compare(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff < 0 ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** The global the build injects: the statics of Node's Buffer that the sdk calls. */
export const Buffer = {
  from,
  compare,
  byteLength(input: string | Uint8Array, encoding: Encoding = 'utf8'): number {
    return typeof input === 'string' ? from(input, encoding).length : input.length;
  },
  concat(list: readonly Uint8Array[]): ShimBuffer {
    const out = new ShimBuffer(list.reduce((sum, part) => sum + part.length, 0));
    let at = 0;
    for (const part of list) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  },
  isBuffer(value: unknown): value is ShimBuffer {
    return value instanceof ShimBuffer;
  },
};
