import semver, { type SemVer } from 'semver';
import { MiniAppError } from '../diagnostics/index.ts';

const hostApiPattern = /^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$/;

/** Parses a host API version [VER-015]: MAJOR.MINOR.PATCH, no pre-release or build. Throws VERSION_INVALID_HOST_API. */
export function parseHostApiVersion(version: string): SemVer {
  const parsed = hostApiPattern.test(version) ? semver.parse(version) : null;
  if (!parsed || !Number.isSafeInteger(parsed.major)) {
    throw new MiniAppError(
      'VERSION_INVALID_HOST_API',
      `"${version}" is not a host API version (MAJOR.MINOR.PATCH without pre-release or build)`,
      { fix: 'write the version like "1.2.0"' },
    );
  }
  return parsed;
}

/**
 * Whether a host implementing `hostApiVersion` can run an app that needs `minHostVersion`:
 * same major version and not lower (spec/versioning.md, [VER-004] [VER-007]).
 */
export function hostSatisfies(hostApiVersion: string, minHostVersion: string): boolean {
  const host = parseHostApiVersion(hostApiVersion);
  const min = parseHostApiVersion(minHostVersion);
  return host.major === min.major && semver.gte(host, min);
}

/** Orders host API versions: negative, zero or positive like a comparator. */
export function compareHostApiVersions(a: string, b: string): number {
  return semver.compare(parseHostApiVersion(a), parseHostApiVersion(b));
}
