import { formatTimestamp } from '#sdk/signing/index.ts';
import { ApiProblem } from '../http/problem.ts';
import type { Queryable } from '../store/database.ts';
import type { ReviewReport } from './review-report.ts';

/** One row of `versions`, as the publish group reads it. */
export interface VersionRow {
  app_id: string;
  version_code: number;
  version: string;
  package_sha256: string;
  package_length: number;
  statement_keyid: string;
  status: ReviewReport['status'];
  review_report: ReviewReport;
  created_at: Date;
}

/** The columns of VersionRow, for select lists. */
export const versionColumns = `v.app_id, v.version_code, v.version, v.package_sha256,
  v.package_length::integer as package_length, v.statement_keyid, v.status, v.review_report, v.created_at`;

/** A version as the contract's `Version` schema shows it to its partner. */
export interface VersionView {
  appId: string;
  versionCode: number;
  version: string;
  package: { sha256: string; length: number };
  signedBy: string;
  reviewStatus: ReviewReport['status'];
  uploadedAt: string;
  reviewUrl: string;
}

export function versionPath(appId: string, versionCode: number): string {
  return `/v1/partner/apps/${appId}/versions/${versionCode}`;
}

export function versionView(row: VersionRow): VersionView {
  return {
    appId: row.app_id,
    versionCode: row.version_code,
    version: row.version,
    package: { sha256: row.package_sha256, length: row.package_length },
    signedBy: row.statement_keyid,
    reviewStatus: row.status,
    uploadedAt: formatTimestamp(new Date(row.created_at)),
    reviewUrl: `${versionPath(row.app_id, row.version_code)}/review`,
  };
}

const notFound = (what: string): ApiProblem =>
  new ApiProblem('API_NOT_FOUND', `${what} does not exist or is not yours`);

/**
 * [API-003] an app of another partner is answered exactly like one that does not exist, so ids of other
 * partners' apps cannot be probed.
 */
export async function requireOwnApp(
  db: Queryable,
  appId: string,
  partnerId: string | null,
): Promise<void> {
  const { rows } = await db.query('select 1 from apps where app_id = $1 and partner_id = $2', [
    appId,
    partnerId,
  ]);
  if (rows.length === 0) throw notFound(`app ${appId}`);
}

/** A version, or 404; with partnerId the app must also be that partner's [API-003]. */
export async function requireVersion(
  db: Queryable,
  appId: string,
  versionCode: number,
  partnerId?: string | null,
): Promise<VersionRow & { partner_id: string }> {
  const { rows } = await db.query<VersionRow & { partner_id: string }>(
    `select ${versionColumns}, a.partner_id
       from versions v join apps a on a.app_id = v.app_id
      where v.app_id = $1 and v.version_code = $2`,
    [appId, versionCode],
  );
  const row = rows[0];
  if (!row || (partnerId !== undefined && row.partner_id !== partnerId)) {
    throw notFound(`version ${versionCode} of ${appId}`);
  }
  return row;
}
