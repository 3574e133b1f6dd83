/** Host API versions of spec/versioning.md: MAJOR.MINOR.PATCH, compared number by number. */
export interface HostVersion {
  major: number;
  minor: number;
  patch: number;
}

export function parseHostVersion(text: string): HostVersion {
  const m = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/.exec(text);
  if (!m) throw new Error(`not a host API version: ${text}`);
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
}

/** Numeric order, never string order ("1.10.0" is above "1.9.0"). */
export function compareHostVersions(a: string, b: string): number {
  const x = parseHostVersion(a);
  const y = parseHostVersion(b);
  return x.major - y.major || x.minor - y.minor || x.patch - y.patch;
}

/**
 * A host satisfies a mini-app when its host API version has the same major version as the app's
 * `minHostVersion` and is not lower than it (spec/versioning.md, Host API versions).
 */
export function satisfies(hostApiVersion: string, minHostVersion: string): boolean {
  return (
    parseHostVersion(hostApiVersion).major === parseHostVersion(minHostVersion).major &&
    compareHostVersions(hostApiVersion, minHostVersion) >= 0
  );
}
