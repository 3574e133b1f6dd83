/** Byte encodings the suite decodes itself, strictly, so that a lenient decoder cannot hide a fault. */

const standardBase64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const base64url = /^[A-Za-z0-9_-]*$/;

/** Decodes standard base64 with padding (RFC 4648 section 4); null when the text is not exactly that. */
export function decodeStandardBase64(text: string): Uint8Array | null {
  if (!standardBase64.test(text)) return null;
  const bytes = new Uint8Array(Buffer.from(text, 'base64'));
  // Round trip: rejects non-zero padding bits, which Buffer silently drops.
  return Buffer.from(bytes).toString('base64') === text ? bytes : null;
}

/** Decodes base64url without padding (RFC 4648 section 5); null when the text is not exactly that. */
export function decodeBase64url(text: string): Uint8Array | null {
  if (!base64url.test(text) || text.length % 4 === 1) return null;
  const bytes = new Uint8Array(Buffer.from(text, 'base64url'));
  return Buffer.from(bytes).toString('base64url') === text ? bytes : null;
}

export function encodeBase64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

export function encodeStandardBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Decodes UTF-8 strictly: null for malformed input or a byte-order mark. */
export function decodeUtf8(bytes: Uint8Array): string | null {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return null;
  }
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** The same bytes over a plain ArrayBuffer, as WebCrypto and fetch want them. */
export function plainBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer
    ? (bytes as Uint8Array<ArrayBuffer>)
    : new Uint8Array(bytes);
}
