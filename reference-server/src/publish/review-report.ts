import type { Finding, ReviewReport, Screenshot } from '#schemas/generated/types/review/report.ts';
import type { Diagnostic } from '#sdk/diagnostics/index.ts';

export type { Finding, ReviewReport, Screenshot };

/** [REV-012] the specification version whose rules ran, and the version of the rule set (the toolkit). */
export const reportSpecVersion = '1.0';
export const ruleSetVersion = '0.1.0';

/** Why a version waits for a reviewer [REV-014]. */
export type QueueReason = 'firstVersion' | 'newPermission' | 'warning';

/** A report finding from a toolkit diagnostic, with the same code [REV-001] [REV-011]. */
export function findingOf(d: Diagnostic): Finding {
  return {
    code: d.code,
    severity: d.severity,
    message: d.message,
    requirement: d.requirement,
    ...(d.location ? { location: { ...d.location } } : {}),
    ...(d.fix ? { fix: d.fix } : {}),
  };
}

/**
 * [REV-014] the reasons a version enters the manual queue. `approvedPermissions` is null while the app
 * has no approved version: the first version a reviewer could vouch for is reviewed by one, even when
 * an earlier upload was rejected.
 */
export function queueReasons(
  findings: readonly Finding[],
  permissions: readonly string[],
  approvedPermissions: ReadonlySet<string> | null,
): QueueReason[] {
  const reasons: QueueReason[] = [];
  if (approvedPermissions === null) reasons.push('firstVersion');
  else if (permissions.some((p) => !approvedPermissions.has(p))) reasons.push('newPermission');
  if (findings.some((f) => f.severity === 'warning')) reasons.push('warning');
  return reasons;
}

/**
 * [REV-013] any error rejects; otherwise a reason queues the version [REV-014], and a version with no
 * reason is approved without a reviewer [REV-015] (the queue lists a reason for every entry).
 */
export function initialStatus(
  findings: readonly Finding[],
  reasons: readonly QueueReason[],
): ReviewReport['status'] {
  if (findings.some((f) => f.severity === 'error')) return 'rejected';
  return reasons.length > 0 ? 'queued' : 'approved';
}
