/** A file of a mini-app, by its normalised POSIX path relative to the package root. */
export interface PackageFile {
  path: string;
  /** Uncompressed size in bytes. */
  size: number;
}

/**
 * The files of a mini-app, whether read from a directory or from a `.ma` archive.
 * Validation, review and packing all read through this one interface.
 */
export interface PackageSource {
  kind: 'directory' | 'archive';
  /** What the user named: the directory or archive path. */
  label: string;
  /** Every regular file, sorted by path (UTF-8 byte order). */
  files: readonly PackageFile[];
  read(path: string): Promise<Uint8Array>;
}
