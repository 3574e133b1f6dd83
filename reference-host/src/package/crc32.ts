/** CRC-32 (IEEE 802.3, the checksum of ZIP entries [PKG-050]); browsers have no built-in one. */
const table = (() => {
  const out = new Uint32Array(256 * 8);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    out[n] = c >>> 0;
  }
  // Slicing-by-8 tables: eight bytes per step instead of one.
  for (let n = 0; n < 256; n++) {
    let c = out[n] ?? 0;
    for (let k = 1; k < 8; k++) {
      c = (out[c & 0xff] ?? 0) ^ (c >>> 8);
      out[k * 256 + n] = c >>> 0;
    }
  }
  return out;
})();

export function crc32(bytes: Uint8Array): number {
  const t = table;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let crc = 0xffffffff;
  let i = 0;
  const end8 = bytes.length - (bytes.length % 8);
  for (; i < end8; i += 8) {
    const a = (crc ^ view.getUint32(i, true)) >>> 0;
    const b = view.getUint32(i + 4, true);
    crc =
      (t[1792 + (a & 0xff)] ?? 0) ^
      (t[1536 + ((a >>> 8) & 0xff)] ?? 0) ^
      (t[1280 + ((a >>> 16) & 0xff)] ?? 0) ^
      (t[1024 + (a >>> 24)] ?? 0) ^
      (t[768 + (b & 0xff)] ?? 0) ^
      (t[512 + ((b >>> 8) & 0xff)] ?? 0) ^
      (t[256 + ((b >>> 16) & 0xff)] ?? 0) ^
      (t[b >>> 24] ?? 0);
  }
  for (; i < bytes.length; i++) crc = (t[(crc ^ (bytes[i] ?? 0)) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
