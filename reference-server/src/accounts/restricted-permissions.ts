import { distributionContract } from '#schemas';
import { diagnostic } from '#sdk/diagnostics/index.ts';
import { ApiProblem } from '../http/problem.ts';
import type { Queryable } from '../store/database.ts';
import { findingOf, type Finding } from '../publish/review-report.ts';

/**
 * The restricted permission names (spec/permissions.md, Restricted permissions), read from the
 * contract's RestrictedPermissions schema so that the server and the contract cannot disagree.
 */
export const restrictedPermissionNames: ReadonlySet<string> = (() => {
  const schemas = (
    distributionContract().document as {
      components?: { schemas?: Record<string, unknown> };
    }
  ).components?.schemas?.RestrictedPermissions as
    { properties?: { permissions?: { items?: { enum?: unknown } } } } | undefined;
  const names = schemas?.properties?.permissions?.items?.enum;
  if (!Array.isArray(names) || names.length === 0 || !names.every((n) => typeof n === 'string'))
    throw new Error('the contract has no RestrictedPermissions enum');
  return new Set(names);
})();

/** [PRM-019] the restricted permissions the partner may declare; API_NOT_FOUND for no such partner. */
export async function allowedRestrictedPermissions(
  db: Queryable,
  partnerId: string,
): Promise<string[]> {
  const { rows } = await db.query<{ restricted_permissions: string[] }>(
    'select restricted_permissions from partners where id = $1',
    [partnerId],
  );
  const row = rows[0];
  if (!row) throw new ApiProblem('API_NOT_FOUND', `no partner ${partnerId}`);
  return row.restricted_permissions;
}

/**
 * [PRM-019] replaces the partner's list (the contract has already refused names that are not
 * restricted, and duplicates); kept sorted, so that one list has one answer.
 */
export async function replaceRestrictedPermissions(
  db: Queryable,
  partnerId: string,
  permissions: readonly string[],
): Promise<string[]> {
  const list = [...new Set(permissions)].sort();
  const { rows } = await db.query<{ restricted_permissions: string[] }>(
    'update partners set restricted_permissions = $2 where id = $1 returning restricted_permissions',
    [partnerId, list],
  );
  const row = rows[0];
  if (!row) throw new ApiProblem('API_NOT_FOUND', `no partner ${partnerId}`);
  return row.restricted_permissions;
}

/**
 * [PRM-020] one error finding per restricted permission the manifest declares that is not on the
 * partner's list at upload: an error rejects the version in the automated review [REV-013], so it can
 * never be released.
 */
export function restrictedPermissionFindings(
  declared: readonly string[],
  allowed: readonly string[],
): Finding[] {
  const permitted = new Set(allowed);
  return declared
    .filter((name) => restrictedPermissionNames.has(name) && !permitted.has(name))
    .map((name) =>
      findingOf(
        diagnostic(
          'REVIEW_PERMISSION_RESTRICTED',
          `The manifest declares the restricted permission ${name}, which the platform has not allowed this partner to declare.`,
          {
            severity: 'error',
            location: { file: 'manifest.json', pointer: `/permissions/${name}` },
            fix: `Remove ${name} from the manifest's permissions, or ask the platform to add it to your partner's restricted permissions.`,
          },
        ),
      ),
    );
}
