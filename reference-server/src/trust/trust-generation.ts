import type { Queryable } from '../store/database.ts';

/** The PostgreSQL channel on which a process announces an index it signed [API-106]. */
export const trustChannel = 'miniapp_trust';

/**
 * Marks, inside the transaction of a change to releases, revocations or delegations, that the next
 * index must reflect it [API-106]. The row lock also orders such changes, so no index can record a
 * generation that a change committed after it shares.
 */
export async function markTrustChanged(tx: Queryable): Promise<void> {
  await tx.query('update trust_state set generation = generation + 1 where id = 1');
}
