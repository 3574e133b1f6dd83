/** The default limits of spec/package.md, "Size limits"; a package must fit the defaults. */
export const sizeLimits = {
  /** [PKG-040] files outside every subpackage root, uncompressed. */
  mainPackageBytes: 2 * 1024 * 1024,
  /** [PKG-041] files below one subpackage root, uncompressed. */
  subpackageBytes: 2 * 1024 * 1024,
  /** [PKG-042] all files, uncompressed. */
  totalBytes: 20 * 1024 * 1024,
  /** [PKG-043] entries, directory entries included. */
  entries: 2000,
  /** [PKG-044] uncompressed / compressed size of one entry. */
  compressionRatio: 100,
  /** [PKG-045] the .ma file. */
  archiveBytes: 25 * 1024 * 1024,
  /** [PKG-025] UTF-8 bytes of a path and of one segment. */
  pathBytes: 1024,
  segmentBytes: 255,
} as const;

/** Bytes, read by a person: 2 MiB (2,097,152 bytes). */
export function formatBytes(n: number): string {
  const exact = `${n.toLocaleString('en-US')} bytes`;
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(2)} MiB (${exact})`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB (${exact})`;
  return exact;
}
