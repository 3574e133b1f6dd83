/** The states of a release (spec/distribution.md, Releases). */
export type ReleaseState = 'rollingOut' | 'paused' | 'completed' | 'rolledBack' | 'revoked';

/** The partner actions of `POST .../releases/{releaseId}/{action}`, plus the admin revocation. */
export type ReleaseAction = 'pause' | 'resume' | 'complete' | 'rollback' | 'revoke';

/** The transition table of spec/distribution.md; a pair absent here is a conflict [API-076]. */
const transitions: Record<ReleaseAction, Partial<Record<ReleaseState, ReleaseState>>> = {
  pause: { rollingOut: 'paused' },
  resume: { paused: 'rollingOut' },
  complete: { rollingOut: 'completed', paused: 'completed' },
  rollback: { rollingOut: 'rolledBack', paused: 'rolledBack', completed: 'rolledBack' },
  revoke: {
    rollingOut: 'revoked',
    paused: 'revoked',
    completed: 'revoked',
    rolledBack: 'revoked',
  },
};

/** The state after `action`, or null when the table does not allow it from `state` [API-076]. */
export function nextReleaseState(state: ReleaseState, action: ReleaseAction): ReleaseState | null {
  return transitions[action][state] ?? null;
}

/** The state a new release starts in: completed at 100 %, rolling out below. */
export function initialReleaseState(rolloutPercent: number): ReleaseState {
  return rolloutPercent >= 100 ? 'completed' : 'rollingOut';
}

/** True for the action names a partner may send in the URL. */
export function isPartnerAction(value: string): value is Exclude<ReleaseAction, 'revoke'> {
  return value === 'pause' || value === 'resume' || value === 'complete' || value === 'rollback';
}
