import type { AppEntry, BinRelease } from '#sdk/signing/index.ts';
import type { Queryable } from '../store/database.ts';
import { delegationOf, statementVerifies, type StoredDelegation } from './delegation-store.ts';

interface ReleaseRow {
  app_id: string;
  channel: string;
  version_code: number;
  rollout_percent: string;
  mandatory: boolean;
  state: string;
  release_sha256: string;
  min_host_version: string | null;
  statement: Uint8Array;
  statement_sha256: string;
  statement_keyid: string;
}

/**
 * Whether a statement verifies under a delegation is fixed by the two digests and the revoked keys,
 * so a rebuilt index does not verify every statement again.
 */
const verdicts = new Map<string, boolean>();
const maxVerdicts = 50_000;

function verdict(row: ReleaseRow, delegation: StoredDelegation, revoked: ReadonlySet<string>) {
  const key = `${row.statement_sha256}:${delegation.sha256}:${[...revoked].sort().join(',')}`;
  let known = verdicts.get(key);
  if (known === undefined) {
    known = statementVerifies(
      new Uint8Array(row.statement),
      row.statement_keyid,
      delegationOf(delegation),
      revoked,
    );
    if (verdicts.size >= maxVerdicts) verdicts.clear();
    verdicts.set(key, known);
  }
  return known;
}

/**
 * The entry of every app that the next index lists (spec/signing.md, The index, bins, freshness and
 * revocation): apps with an unexpired delegation [SIG-106], each with the releases a host may install
 * [SIG-104] and its revocations [SIG-105]. Read inside the transaction that signs the index.
 */
export async function appEntries(
  tx: Queryable,
  delegations: ReadonlyMap<string, StoredDelegation>,
  now: Date,
): Promise<Map<string, AppEntry>> {
  const [releases, revokedReleases, revokedKeys] = await Promise.all([
    tx.query<ReleaseRow>(
      `select r.app_id, r.channel, r.version_code, r.rollout_percent::text as rollout_percent, r.mandatory,
              r.state, v.release_sha256, v.manifest->>'minHostVersion' as min_host_version, v.statement,
              v.statement_sha256, v.statement_keyid
         from releases r join versions v on v.app_id = r.app_id and v.version_code = r.version_code
        where r.state in ('rollingOut', 'paused', 'completed') and v.release_sha256 is not null
        order by r.app_id, r.channel, r.version_code`,
    ),
    tx.query<{ app_id: string; value: string }>(
      `select v.app_id, x.value from revocations x join versions v on v.release_sha256 = x.value
        where x.kind = 'release'`,
    ),
    // [SIG-105] a revoked key is listed for every app that any delegation ever gave it.
    tx.query<{ app_id: string; value: string }>(
      `select distinct d.app_id, x.value
         from revocations x join (select app_id, unnest(keyids) as keyid from delegations) d on d.keyid = x.value
        where x.kind = 'key'`,
    ),
  ]);
  const entries = new Map<string, AppEntry>();
  for (const [appId, delegation] of delegations) {
    // [SIG-106] an app without an unexpired delegation has nothing a host may install.
    if (delegation.expiresAt.getTime() <= now.getTime()) continue;
    entries.set(appId, {
      delegation: { version: delegation.version, sha256: delegation.sha256 },
      releases: [],
      revokedReleases: [],
      revokedKeys: [],
    });
  }
  for (const row of revokedReleases.rows) entries.get(row.app_id)?.revokedReleases.push(row.value);
  for (const row of revokedKeys.rows) entries.get(row.app_id)?.revokedKeys.push(row.value);
  for (const row of releases.rows) {
    const entry = entries.get(row.app_id);
    const delegation = delegations.get(row.app_id);
    if (!entry || !delegation || row.min_host_version === null) continue;
    const revoked = new Set(entry.revokedKeys);
    // [SIG-104] nothing revoked, and nothing a host would refuse under the current delegation.
    if (entry.revokedReleases.includes(row.release_sha256)) continue;
    if (revoked.has(row.statement_keyid)) continue;
    if (!verdict(row, delegation, revoked)) continue;
    const release: BinRelease = {
      channel: row.channel,
      versionCode: row.version_code,
      sha256: row.release_sha256,
      minHostVersion: row.min_host_version,
      rolloutPercent: Number(row.rollout_percent),
      mandatory: row.mandatory,
      paused: row.state === 'paused',
    };
    entry.releases.push(release);
  }
  return entries;
}
