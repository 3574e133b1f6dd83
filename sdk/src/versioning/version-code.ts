import semver from 'semver';
import { diagnostic, MiniAppError, type Diagnostic } from '../diagnostics/index.ts';

/** [MAN-011] the range of versionCode: a positive signed 32-bit integer. */
export const MAX_VERSION_CODE = 2147483647;

function assertVersionCode(code: number): void {
  if (!Number.isInteger(code) || code < 1 || code > MAX_VERSION_CODE) {
    throw new MiniAppError(
      'MANIFEST_INVALID_VERSION_CODE',
      `${String(code)} is not a versionCode (an integer from 1 to ${MAX_VERSION_CODE})`,
      { fix: 'use a whole number that grows with every release' },
    );
  }
}

/** Orders two releases of one app by versionCode alone [VER-003]; throws on a value outside [MAN-011]. */
export function compareVersionCodes(a: number, b: number): -1 | 0 | 1 {
  assertVersionCode(a);
  assertVersionCode(b);
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface ReleaseVersion {
  version: string;
  versionCode: number;
}

/**
 * Checks a candidate release against the earlier releases of the same app (withdrawn and revoked
 * ones included): [VER-001] its versionCode exceeds all of theirs, [VER-002] its version has higher
 * SemVer precedence than the latest one (a warning).
 */
export function checkReleaseOrder(
  candidate: ReleaseVersion,
  earlier: readonly ReleaseVersion[],
): Diagnostic[] {
  const latest = earlier.reduce<ReleaseVersion | undefined>(
    (best, r) =>
      best === undefined || compareVersionCodes(r.versionCode, best.versionCode) > 0 ? r : best,
    undefined,
  );
  if (latest === undefined) {
    assertVersionCode(candidate.versionCode);
    return [];
  }
  const found: Diagnostic[] = [];
  if (compareVersionCodes(candidate.versionCode, latest.versionCode) <= 0) {
    found.push(
      diagnostic(
        'VERSION_CODE_NOT_INCREASING',
        `versionCode ${candidate.versionCode} is not greater than ${latest.versionCode}, the highest of an earlier release`,
        {
          location: { file: 'manifest.json', pointer: '/versionCode' },
          fix: `set versionCode to ${Math.min(latest.versionCode + 1, MAX_VERSION_CODE)} or more`,
        },
      ),
    );
  }
  const next = semver.valid(candidate.version);
  const previous = semver.valid(latest.version);
  if (next !== null && previous !== null && !semver.gt(next, previous)) {
    found.push(
      diagnostic(
        'VERSION_NOT_INCREASING',
        `version ${candidate.version} does not follow ${latest.version}, the version of the latest release`,
        {
          severity: 'warning',
          location: { file: 'manifest.json', pointer: '/version' },
          fix: `use a version greater than ${latest.version}`,
        },
      ),
    );
  }
  return found;
}
