/** The path rules of spec/package.md, "Paths", written from the spec text. */

export interface PathFault {
  requirement: string;
  message: string;
}

const forbiddenCharacters = /[:*?"<>|]/;
// eslint-disable-next-line no-control-regex -- [PKG-022] finding control characters is the rule
const controlCharacter = /[\u0000-\u001f\u007f-\u009f]/;
const encoder = new TextEncoder();

/** Shows a path with its control and invisible characters escaped, for a one-line reason. */
export function showPath(path: string): string {
  return JSON.stringify(path).replace(
    /[\u007f-\u009f\u200b-\u200f\u2028\u2029\ufeff]/g,
    (ch) => `\\u${(ch.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`,
  );
}

/** The segments of a path; a directory entry's single trailing slash is not a segment. */
export function pathSegments(path: string, isDirectory: boolean): string[] {
  const body = isDirectory && path.endsWith('/') ? path.slice(0, -1) : path;
  return body.split('/');
}

/** Faults of one entry path (PKG-020 to PKG-025). */
export function pathFaults(path: string, isDirectory: boolean): PathFault[] {
  const faults: PathFault[] = [];
  const shown = showPath(path);
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path) || path.includes('\\')) {
    faults.push({
      requirement: 'PKG-020',
      message: `${shown} is absolute, starts with a drive letter, or contains a backslash`,
    });
  }
  const segments = pathSegments(path, isDirectory);
  // A leading "/" is PKG-020's fault; the empty segment before it is not counted twice.
  const bad = (path.startsWith('/') ? segments.slice(1) : segments).filter(
    (s) => s === '' || s === '.' || s === '..',
  );
  if (bad.length > 0) {
    faults.push({
      requirement: 'PKG-021',
      message: `${shown} has ${[...new Set(bad)].map((s) => (s === '' ? 'an empty' : `a "${s}"`)).join(' and ')} segment`,
    });
  }
  if (controlCharacter.test(path)) {
    faults.push({ requirement: 'PKG-022', message: `${shown} contains a control character` });
  }
  if (path.normalize('NFC') !== path) {
    faults.push({
      requirement: 'PKG-023',
      message: `${shown} is not in Unicode Normalization Form C`,
    });
  }
  const trailing = segments.filter((s) => s !== '' && s !== '.' && s !== '..' && /[. ]$/.test(s));
  if (forbiddenCharacters.test(path) || trailing.length > 0) {
    faults.push({
      requirement: 'PKG-024',
      message: forbiddenCharacters.test(path)
        ? `${shown} contains one of : * ? " < > |`
        : `${shown} has a segment that ends in a dot or a space`,
    });
  }
  const bytes = encoder.encode(path).length;
  const longest = Math.max(...segments.map((s) => encoder.encode(s).length));
  if (bytes > 1024 || longest > 255) {
    faults.push({
      requirement: 'PKG-025',
      message: `${shown.slice(0, 80)}${shown.length > 80 ? '…' : ''} is ${bytes} bytes long, its longest segment ${longest} bytes (limits 1024 and 255)`,
    });
  }
  return faults;
}

/**
 * The key under which two paths collide (PKG-026): NFC, then full case folding. JavaScript has no
 * case-fold primitive; upper- then lower-casing folds as widely (ß, ligatures, final sigma) and so
 * refuses at least every pair a case-insensitive file system aliases.
 */
export function collisionKey(path: string): string {
  return path.normalize('NFC').toUpperCase().toLowerCase().normalize('NFC');
}

export interface PathCollision {
  first: string;
  second: string;
  kind: 'same name' | 'file is a folder of another path';
}

/** Pairs of paths that collide under PKG-026, given each path and whether it is a directory. */
export function pathCollisions(
  entries: readonly { path: string; isDirectory: boolean }[],
): PathCollision[] {
  const collisions: PathCollision[] = [];
  const byKey = new Map<string, string>();
  const files = new Map<string, string>();
  const folders = new Map<string, string>();
  for (const { path, isDirectory } of entries) {
    const bare = isDirectory && path.endsWith('/') ? path.slice(0, -1) : path;
    const key = collisionKey(bare);
    const earlier = byKey.get(key);
    if (earlier !== undefined) collisions.push({ first: earlier, second: path, kind: 'same name' });
    else byKey.set(key, path);
    if (!isDirectory) files.set(key, path);
    const segments = bare.split('/');
    for (let i = 1; i < segments.length; i += 1) {
      const prefix = collisionKey(segments.slice(0, i).join('/'));
      if (!folders.has(prefix)) folders.set(prefix, path);
    }
  }
  for (const [key, file] of files) {
    const under = folders.get(key);
    if (under !== undefined && under !== file) {
      collisions.push({ first: file, second: under, kind: 'file is a folder of another path' });
    }
  }
  return collisions;
}
