import {
  checkEntryPath,
  DEFAULT_LIMITS,
  IGNORED_DIRECTORIES,
  IGNORED_FILES,
} from '../package/index.ts';

/** Where a request for a mini-app file points, or why it is refused. */
export type RequestPath =
  { ok: true; path: string } | { ok: false; status: 400 | 404; reason: string };

const ignored = new Set([...IGNORED_DIRECTORIES, ...IGNORED_FILES]);

/**
 * Turns the raw request target into a package path, applying the package's own path rules
 * ([PKG-020] [PKG-021] [PKG-022]): no absolute path, no backslash, no "." or ".." segment, before or
 * after percent-decoding. A path that passes names a file below the root or nothing.
 */
export function resolveRequestPath(target: string): RequestPath {
  if (!target.startsWith('/'))
    return { ok: false, status: 400, reason: 'not an origin-form target' };
  const raw = target.replace(/[?#].*$/s, '');
  if (raw.includes('\\')) return { ok: false, status: 400, reason: 'backslash in the path' };
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return { ok: false, status: 400, reason: 'malformed percent-encoding' };
  }
  const path = decoded.slice(1);
  const problem = checkEntryPath(path, DEFAULT_LIMITS);
  if (problem) return { ok: false, status: 400, reason: problem.reason };
  // What a packer leaves out is not part of the app either [PKG-070].
  if (path.split('/').some((segment) => ignored.has(segment))) {
    return { ok: false, status: 404, reason: 'not part of the package' };
  }
  return { ok: true, path };
}
