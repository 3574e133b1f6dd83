import { randomBytes } from 'node:crypto';
import { ApiProblem } from '../http/problem.ts';
import type { Database, Queryable } from '../store/database.ts';
import {
  initialReleaseState,
  nextReleaseState,
  type ReleaseAction,
  type ReleaseState,
} from '../delivery/release-state.ts';
import { isRolloutPercent } from '../delivery/rollout.ts';
import type { AuditPrincipal } from './release-audit.ts';
import type { DelegationStore } from '../trust/delegation-store.ts';
import { markTrustChanged } from '../trust/trust-generation.ts';

/** A release as the contract's `Release` schema shows it. */
export interface ReleaseView {
  releaseId: string;
  appId: string;
  versionCode: number;
  channel: 'stable' | 'beta';
  rolloutPercent: number;
  mandatory: boolean;
  state: ReleaseState;
  releaseUrl: string;
  createdAt: string;
  updatedAt: string;
}

interface ReleaseRow {
  id: string;
  app_id: string;
  version_code: number;
  channel: 'stable' | 'beta';
  rollout_percent: string;
  mandatory: boolean;
  state: ReleaseState;
  created_at: Date | string;
  updated_at: Date | string;
  created_key: string;
}

const releaseColumns = `id, app_id, version_code, channel, rollout_percent::text as rollout_percent, mandatory, state,
  created_at, updated_at, to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') as created_key`;

function timestamp(value: Date | string): string {
  // [SIG-015] timestamps are whole seconds in UTC with a Z.
  return new Date(value).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function viewOf(row: ReleaseRow, publicUrl: string): ReleaseView {
  return {
    releaseId: row.id,
    appId: row.app_id,
    versionCode: row.version_code,
    channel: row.channel,
    rolloutPercent: Number(row.rollout_percent),
    mandatory: row.mandatory,
    state: row.state,
    releaseUrl: `${publicUrl}/v1/releases/${row.app_id}/${String(row.version_code)}.release.json`,
    createdAt: timestamp(row.created_at),
    updatedAt: timestamp(row.updated_at),
  };
}

function rolloutProblem(percent: number): ApiProblem {
  return new ApiProblem(
    'API_ROLLOUT_INVALID',
    `rolloutPercent ${String(percent)} must be from 0 to 100 with at most two decimals`,
    {
      errors: [
        {
          code: 'API_ROLLOUT_INVALID',
          message: 'invalid rolloutPercent',
          location: { pointer: '/rolloutPercent' },
        },
      ],
    },
  );
}

const notFound = (what: string): ApiProblem =>
  new ApiProblem('API_NOT_FOUND', `${what} does not exist`);

/**
 * Appends one row to the audit log [API-080]. Every audited change also changes what the next index
 * says, so it marks the trust state changed in the same transaction [API-106].
 */
async function audit(
  tx: Queryable,
  row: ReleaseRow,
  action: ReleaseAction | 'create' | 'rollout',
  from: ReleaseState | null,
  principal: AuditPrincipal,
): Promise<void> {
  await markTrustChanged(tx);
  // [API-158] [API-159] stamped after taking the trust_state row lock (clock_timestamp, not the
  // transaction's start), so entries in id order, which is commit order, are also oldest first.
  await tx.query(
    `insert into release_events (release_id, app_id, action, from_state, to_state, rollout_percent,
                                 principal, principal_role, at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, clock_timestamp())`,
    [
      row.id,
      row.app_id,
      action,
      from,
      row.state,
      row.rollout_percent,
      principal.principalId,
      principal.role,
    ],
  );
}

/**
 * The releases of partner apps and their state machine (spec/distribution.md, Releases). Every change
 * runs in one transaction holding a row lock, so concurrent actions serialise instead of racing, and
 * writes its audit row in the same transaction.
 */
export class ReleaseStore {
  constructor(
    private readonly db: Database,
    private readonly publicUrl: string,
    private readonly delegations: Pick<DelegationStore, 'covers'>,
  ) {}

  /** Throws API_NOT_FOUND unless the app exists and belongs to the partner [API-003]. */
  async assertOwned(appId: string, partnerId: string | null): Promise<void> {
    const { rows } = await this.db.query(
      'select 1 from apps where app_id = $1 and partner_id = $2',
      [appId, partnerId],
    );
    if (rows.length === 0) throw notFound(`app ${appId}`);
  }

  /** Releases of one app, newest first, one page after the keyset `after` [API-048]. */
  async list(
    appId: string,
    limit: number,
    after: { created: string; id: string } | null,
  ): Promise<{ items: ReleaseView[]; next: { created: string; id: string } | null }> {
    const { rows } = await this.db.query<ReleaseRow>(
      `select ${releaseColumns} from releases
        where app_id = $1 and ($2::timestamp is null or (created_at at time zone 'UTC', id) < ($2::timestamp, $3::text))
        order by created_at desc, id desc limit $4`,
      [appId, after?.created ?? null, after?.id ?? '', limit + 1],
    );
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map((r) => viewOf(r, this.publicUrl)),
      next: rows.length > limit && last ? { created: last.created_key, id: last.id } : null,
    };
  }

  async get(appId: string, releaseId: string): Promise<ReleaseView> {
    const { rows } = await this.db.query<ReleaseRow>(
      `select ${releaseColumns} from releases where app_id = $1 and id = $2`,
      [appId, releaseId],
    );
    const row = rows[0];
    if (!row) throw notFound(`release ${releaseId}`);
    return viewOf(row, this.publicUrl);
  }

  /** Creates a release of an approved version [API-075] with a valid percentage [API-077]. */
  async create(input: {
    appId: string;
    versionCode: number;
    channel: 'stable' | 'beta';
    rolloutPercent: number;
    mandatory: boolean;
    principal: AuditPrincipal;
  }): Promise<ReleaseView> {
    if (!isRolloutPercent(input.rolloutPercent)) throw rolloutProblem(input.rolloutPercent);
    return this.db.transaction(async (tx) => {
      // The app row lock serialises every release change of one app.
      await tx.query('select 1 from apps where app_id = $1 for update', [input.appId]);
      const version = await tx.query<{ status: string; revoked: boolean }>(
        `select v.status, exists (select 1 from revocations x where x.kind = 'release' and x.value = v.release_sha256) as revoked
           from versions v where v.app_id = $1 and v.version_code = $2`,
        [input.appId, input.versionCode],
      );
      const status = version.rows[0];
      if (!status) throw notFound(`version ${String(input.versionCode)} of ${input.appId}`);
      if (status.status !== 'approved') {
        throw new ApiProblem(
          'API_VERSION_NOT_APPROVED',
          `version ${String(input.versionCode)} is ${status.status}; only approved versions can be released`,
        );
      }
      if (status.revoked) {
        throw new ApiProblem(
          'API_RELEASE_STATE_CONFLICT',
          `version ${String(input.versionCode)} is revoked`,
        );
      }
      // [API-112] hosts verify the statement under the app's delegation; without one that covers it,
      // the release would be refused by every host.
      if (!(await this.delegations.covers(tx, input.appId, input.versionCode))) {
        throw new ApiProblem(
          'API_DELEGATION_MISSING',
          `no unexpired delegation of ${input.appId} lists the key that signed version ${String(input.versionCode)}; ` +
            'register that key (the platform then signs a new delegation) or ask the platform to sign the pending one',
        );
      }
      const live = await tx.query(
        `select 1 from releases where app_id = $1 and channel = $2 and version_code = $3
            and state in ('rollingOut', 'paused', 'completed')`,
        [input.appId, input.channel, input.versionCode],
      );
      if (live.rows.length > 0) {
        throw new ApiProblem(
          'API_RELEASE_STATE_CONFLICT',
          `version ${String(input.versionCode)} already has a live release on ${input.channel}; change that release instead`,
        );
      }
      const { rows } = await tx.query<ReleaseRow>(
        `insert into releases (id, app_id, version_code, channel, rollout_percent, mandatory, state)
         values ($1, $2, $3, $4, $5, $6, $7) returning ${releaseColumns}`,
        [
          `rel_${randomBytes(12).toString('base64url')}`,
          input.appId,
          input.versionCode,
          input.channel,
          input.rolloutPercent,
          input.mandatory,
          initialReleaseState(input.rolloutPercent),
        ],
      );
      const row = rows[0];
      if (!row) throw new Error('insert returned no row');
      await audit(tx, row, 'create', null, input.principal);
      return viewOf(row, this.publicUrl);
    });
  }

  /** Locks a release row of the app, or throws API_NOT_FOUND. */
  private async lock(tx: Queryable, appId: string, releaseId: string): Promise<ReleaseRow> {
    const { rows } = await tx.query<ReleaseRow>(
      `select ${releaseColumns} from releases where app_id = $1 and id = $2 for update`,
      [appId, releaseId],
    );
    const row = rows[0];
    if (!row) throw notFound(`release ${releaseId}`);
    return row;
  }

  /** Raises the percentage of a live release; it never goes down [API-077]. */
  async widen(input: {
    appId: string;
    releaseId: string;
    rolloutPercent: number;
    principal: AuditPrincipal;
  }): Promise<ReleaseView> {
    if (!isRolloutPercent(input.rolloutPercent)) throw rolloutProblem(input.rolloutPercent);
    return this.db.transaction(async (tx) => {
      const current = await this.lock(tx, input.appId, input.releaseId);
      if (current.state !== 'rollingOut' && current.state !== 'paused') {
        throw new ApiProblem(
          'API_RELEASE_STATE_CONFLICT',
          `the release is ${current.state}; only rolling-out or paused releases can be widened`,
        );
      }
      if (input.rolloutPercent < Number(current.rollout_percent)) {
        throw new ApiProblem(
          'API_ROLLOUT_INVALID',
          `rolloutPercent may not go down from ${current.rollout_percent} to ${String(input.rolloutPercent)}`,
          {
            errors: [
              {
                code: 'API_ROLLOUT_INVALID',
                message: 'lower than the current rolloutPercent',
                location: { pointer: '/rolloutPercent' },
              },
            ],
          },
        );
      }
      const { rows } = await tx.query<ReleaseRow>(
        `update releases set rollout_percent = $3, updated_at = now() where app_id = $1 and id = $2 returning ${releaseColumns}`,
        [input.appId, input.releaseId, input.rolloutPercent],
      );
      const row = rows[0];
      if (!row) throw notFound(`release ${input.releaseId}`);
      await audit(tx, row, 'rollout', current.state, input.principal);
      return viewOf(row, this.publicUrl);
    });
  }

  /** Moves a release along the table of spec/distribution.md [API-076]. */
  async act(input: {
    appId: string;
    releaseId: string;
    action: Exclude<ReleaseAction, 'revoke'>;
    principal: AuditPrincipal;
  }): Promise<ReleaseView> {
    return this.db.transaction(async (tx) => {
      const current = await this.lock(tx, input.appId, input.releaseId);
      const next = nextReleaseState(current.state, input.action);
      if (next === null) {
        throw new ApiProblem(
          'API_RELEASE_STATE_CONFLICT',
          `a ${current.state} release cannot ${input.action}`,
        );
      }
      // A completed release reaches every device, so its percentage says so.
      const percent = next === 'completed' ? '100' : current.rollout_percent;
      const { rows } = await tx.query<ReleaseRow>(
        `update releases set state = $3, rollout_percent = $4, updated_at = now()
          where app_id = $1 and id = $2 returning ${releaseColumns}`,
        [input.appId, input.releaseId, next, percent],
      );
      const row = rows[0];
      if (!row) throw notFound(`release ${input.releaseId}`);
      await audit(tx, row, input.action, current.state, input.principal);
      return viewOf(row, this.publicUrl);
    });
  }

  /**
   * Revokes a countersigned version everywhere: its release envelope joins the revocations that the
   * next signed index lists, and every release of it turns `revoked` [API-079].
   */
  async revoke(input: {
    appId: string;
    versionCode: number;
    reason: string;
    principal: AuditPrincipal;
  }): Promise<{ revokedAt: string }> {
    return this.db.transaction(async (tx) => {
      await tx.query('select 1 from apps where app_id = $1 for update', [input.appId]);
      const version = await tx.query<{ release_sha256: string | null }>(
        'select release_sha256 from versions where app_id = $1 and version_code = $2',
        [input.appId, input.versionCode],
      );
      const digest = version.rows[0]?.release_sha256;
      if (!digest) {
        throw notFound(`a countersigned version ${String(input.versionCode)} of ${input.appId}`);
      }
      const inserted = await tx.query<{ created_at: Date | string }>(
        `insert into revocations (kind, value, reason) values ('release', $1, $2)
         on conflict (kind, value) do nothing returning created_at`,
        [digest, input.reason],
      );
      const revokedAt = inserted.rows[0]?.created_at;
      if (revokedAt === undefined) {
        throw new ApiProblem(
          'API_RELEASE_STATE_CONFLICT',
          `version ${String(input.versionCode)} of ${input.appId} is already revoked`,
        );
      }
      // [API-079] [API-106] the next index lists the revocation.
      await markTrustChanged(tx);
      const { rows } = await tx.query<ReleaseRow & { from_state: ReleaseState }>(
        `with old as (
           select id, state from releases where app_id = $1 and version_code = $2 and state <> 'revoked' for update
         )
         update releases r set state = 'revoked', updated_at = now() from old where r.id = old.id
         returning r.id, r.app_id, r.version_code, r.channel, r.rollout_percent::text as rollout_percent, r.mandatory,
                   r.state, r.created_at, r.updated_at, '' as created_key, old.state as from_state`,
        [input.appId, input.versionCode],
      );
      for (const row of rows) await audit(tx, row, 'revoke', row.from_state, input.principal);
      return { revokedAt: timestamp(revokedAt) };
    });
  }
}
