const versionPattern = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

/** Parses a host API version (MAJOR.MINOR.PATCH, no pre-release), or returns null. */
export function parseHostApiVersion(version: string): [number, number, number] | null {
  const match = versionPattern.exec(version);
  if (!match) return null;
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

/**
 * Orders two host API versions: negative when a < b, 0 when equal, positive when a > b.
 * Throws on a malformed version, which only a programming error can produce here.
 */
export function compareHostApiVersions(a: string, b: string): number {
  const left = parseHostApiVersion(a);
  const right = parseHostApiVersion(b);
  if (!left || !right) throw new TypeError(`not a host API version: ${left ? b : a}`);
  for (let i = 0; i < 3; i++) {
    const diff = (left[i] ?? 0) - (right[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}
