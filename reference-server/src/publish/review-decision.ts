import type { Manifest } from '#sdk/manifest/index.ts';
import { formatTimestamp } from '#sdk/signing/index.ts';
import { ApiProblem } from '../http/problem.ts';
import type { Principal } from '../http/authentication.ts';
import type { Services } from '../services.ts';
import { publishSettings } from './publish-settings.ts';
import type { ReviewReport } from './review-report.ts';
import { storedStatement } from './statement-check.ts';

/** A reviewer's decision as the contract's ReviewDecisionRequest carries it. */
export interface DecisionRequest {
  decision: 'approve' | 'reject';
  feedback?: string;
}

/**
 * Records a reviewer's decision on a queued version [API-083] [REV-017] [REV-018]. Under a row lock,
 * an approval is countersigned first [API-084] and the status, envelope and report change in the same
 * transaction, so a crash leaves either the queued version or the approved one with its envelope.
 * Concurrent decisions on one version: the first wins, the rest find it decided (409).
 */
export async function decideReview(
  services: Services,
  reviewer: Principal,
  appId: string,
  versionCode: number,
  request: DecisionRequest,
): Promise<ReviewReport> {
  const feedback = request.feedback?.trim() ?? '';
  if (request.decision === 'reject' && feedback === '') {
    // [API-083] [REV-017] a rejection names what to change.
    throw new ApiProblem(
      'API_VALIDATION_FAILED',
      'a rejection needs feedback naming what to change',
      {
        errors: [
          {
            code: 'API_VALIDATION_FAILED',
            message: 'feedback is required and not blank when decision is reject',
            location: { pointer: '/feedback' },
          },
        ],
      },
    );
  }
  const settings = publishSettings(services);
  return services.db.transaction(async (tx) => {
    const { rows } = await tx.query<{
      partner_id: string;
      status: ReviewReport['status'];
      review_report: ReviewReport;
      manifest: Manifest;
      statement: Uint8Array;
      statement_keyid: string;
      statement_sha256: string;
      package_sha256: string;
    }>(
      `select a.partner_id, v.status, v.review_report, v.manifest, v.statement, v.statement_keyid,
              v.statement_sha256, v.package_sha256
         from versions v join apps a on a.app_id = v.app_id
        where v.app_id = $1 and v.version_code = $2
        for update of v`,
      [appId, versionCode],
    );
    const row = rows[0];
    if (!row)
      throw new ApiProblem('API_NOT_FOUND', `version ${versionCode} of ${appId} does not exist`);
    // [API-085] nobody reviews an app of their own partner.
    if (reviewer.partnerId !== null && reviewer.partnerId === row.partner_id) {
      throw new ApiProblem(
        'API_FORBIDDEN',
        'a reviewer may not decide on an app of their own partner',
      );
    }
    // [REV-013] a decided or rejected version stays as it is.
    if (row.status !== 'queued') {
      throw new ApiProblem(
        'API_REVIEW_STATE_CONFLICT',
        `version ${versionCode} of ${appId} is ${row.status}, not waiting for a decision`,
      );
    }
    const decidedAt = new Date();
    const report: ReviewReport = {
      ...row.review_report,
      status: request.decision === 'approve' ? 'approved' : 'rejected',
      decisions: [
        ...row.review_report.decisions,
        {
          decision: request.decision,
          reviewer: reviewer.accountId ?? reviewer.credentialId,
          decidedAt: formatTimestamp(decidedAt),
          ...(feedback ? { feedback } : {}),
        },
      ],
    };
    let release: { bytes: Uint8Array; sha256: string } | null = null;
    if (request.decision === 'approve') {
      release = await services.trust.countersign({
        statement: storedStatement(row.statement, row.statement_keyid, row.statement_sha256),
        minHostVersion: row.manifest.minHostVersion,
        permissions: Object.keys(row.manifest.permissions ?? {}).sort(),
        url: `${services.config.publicUrl}/v1/bundles/sha256/${row.package_sha256}.ma`,
      });
      await settings.fault('decision:countersigned');
    }
    await tx.query(
      `update versions
          set status = $3, review_report = $4, feedback = $5, decided_by = $6, decided_at = $7,
              release_envelope = $8, release_sha256 = $9
        where app_id = $1 and version_code = $2`,
      [
        appId,
        versionCode,
        report.status,
        JSON.stringify(report),
        feedback || null,
        reviewer.accountId,
        decidedAt,
        release ? Buffer.from(release.bytes) : null,
        release?.sha256 ?? null,
      ],
    );
    await settings.fault('decision:updated');
    return report;
  });
}
