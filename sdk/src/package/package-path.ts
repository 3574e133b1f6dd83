import type { ErrorCode } from '#schemas';
import type { PackageLimits } from './package-limits.ts';

/** Why a path is refused: a registry code and a short reason for the message. */
export interface PathProblem {
  code: ErrorCode;
  reason: string;
}

const unstorableCharacter = /[:*?"<>|]/u;
const driveLetter = /^[A-Za-z]:/u;
const utf8 = new TextEncoder();

/** C0 controls, DEL and C1 controls [PKG-022]. */
function hasControlCharacter(text: string): boolean {
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}

/**
 * Checks one entry path (without the trailing "/" of a directory entry) against the Paths section of spec/package.md.
 * Returns null when the path is acceptable.
 */
export function checkEntryPath(path: string, limits: PackageLimits): PathProblem | null {
  if (path === '') return { code: 'PKG_UNSAFE_PATH', reason: 'the path is empty' };
  // [PKG-020] absolute paths and drive letters would escape the destination directory.
  if (path.startsWith('/')) return { code: 'PKG_UNSAFE_PATH', reason: 'the path is absolute' };
  if (driveLetter.test(path))
    return { code: 'PKG_UNSAFE_PATH', reason: 'the path starts with a drive letter' };
  if (path.includes('\\'))
    return { code: 'PKG_UNSAFE_PATH', reason: 'the path contains a backslash' };
  // [PKG-022]
  if (hasControlCharacter(path))
    return { code: 'PKG_UNSAFE_PATH', reason: 'the path contains a control character' };
  const segments = path.split('/');
  for (const segment of segments) {
    // [PKG-021] "." and ".." would let an entry resolve outside its place (zip slip).
    if (segment === '' || segment === '.' || segment === '..') {
      return {
        code: 'PKG_UNSAFE_PATH',
        reason: `the path has an ${segment === '' ? 'empty' : `"${segment}"`} segment`,
      };
    }
    // [PKG-024] Windows drops a trailing dot or space, so "a." would alias "a".
    if (segment.endsWith('.') || segment.endsWith(' ')) {
      return {
        code: 'PKG_UNSAFE_PATH',
        reason: `the segment "${segment}" ends in a dot or a space`,
      };
    }
  }
  if (unstorableCharacter.test(path)) {
    return { code: 'PKG_UNSAFE_PATH', reason: 'the path contains one of : * ? " < > |' };
  }
  // [PKG-023]
  if (path.normalize('NFC') !== path)
    return { code: 'PKG_UNSAFE_PATH', reason: 'the path is not in Unicode NFC' };
  // [PKG-025]
  if (utf8.encode(path).length > limits.maxPathBytes) {
    return {
      code: 'PKG_PATH_TOO_LONG',
      reason: `the path is longer than ${limits.maxPathBytes} UTF-8 bytes`,
    };
  }
  const longSegment = segments.find((s) => utf8.encode(s).length > limits.maxSegmentBytes);
  if (longSegment !== undefined) {
    return {
      code: 'PKG_PATH_TOO_LONG',
      reason: `a segment is longer than ${limits.maxSegmentBytes} UTF-8 bytes`,
    };
  }
  return null;
}

/**
 * The key under which two paths alias on a case-insensitive, normalising file system [PKG-026].
 * Upper- then lower-casing approximates full case folding and folds more than any file system does, never less.
 */
export function collisionKey(path: string): string {
  return path.normalize('NFC').toUpperCase().toLowerCase().normalize('NFC');
}

/** Orders paths by the bytes of their UTF-8 encoding [PKG-081]. */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * Remembers the paths of a package and reports the second of two that would alias [PKG-026]:
 * equal after folding, or a file whose path is a directory of another entry.
 */
export class PathRegistry {
  readonly #files = new Map<string, string>();
  readonly #directories = new Map<string, string>();

  /** Records a path; returns the earlier path it collides with, or null. */
  add(path: string, kind: 'file' | 'directory'): string | null {
    const key = collisionKey(path);
    const sameFile = this.#files.get(key);
    if (sameFile !== undefined) return sameFile;
    if (kind === 'file') {
      const sameDirectory = this.#directories.get(key);
      if (sameDirectory !== undefined) return sameDirectory;
    }
    const segments = path.split('/');
    const keySegments = key.split('/');
    // Every proper prefix is an implied directory; a file there would have to be both.
    for (let n = 1; n < segments.length; n++) {
      const prefixKey = keySegments.slice(0, n).join('/');
      const file = this.#files.get(prefixKey);
      if (file !== undefined) return file;
      if (!this.#directories.has(prefixKey))
        this.#directories.set(prefixKey, segments.slice(0, n).join('/'));
    }
    if (kind === 'file') this.#files.set(key, path);
    else if (!this.#directories.has(key)) this.#directories.set(key, path);
    return null;
  }
}
