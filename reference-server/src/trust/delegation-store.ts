import {
  checkDelegation,
  createDelegation,
  decodeSignedPayload,
  delegationPayload,
  encodeEnvelope,
  parseEnvelope,
  payloadTypes,
  roleKeys,
  sha256Hex,
  verifyEnvelope,
  type Delegation,
  type PublicJwk,
  type Root,
} from '#sdk/signing/index.ts';
import { ApiProblem } from '../http/problem.ts';
import type { Database, Queryable } from '../store/database.ts';
import type { PlatformKeys } from './platform-keys.ts';
import { markTrustChanged } from './trust-generation.ts';

/** [SIG-084] a delegation is renewed (or listed as pending) this long before it expires. */
export const delegationRenewalMs = 30 * 24 * 60 * 60 * 1000;
/** How long a delegation that the development server signs stays valid (at most 400 days [SIG-083]). */
const developmentLifetimeMs = 365 * 24 * 60 * 60 * 1000;

/** The newest stored delegation of an app. */
export interface StoredDelegation {
  appId: string;
  version: number;
  sha256: string;
  keyids: string[];
  threshold: number;
  expiresAt: Date;
  envelope: Uint8Array;
}

/** A delegation payload waiting for an offline signature, as `GET /v1/admin/delegations/pending` lists it [API-108]. */
export interface PendingDelegation {
  appId: string;
  version: number;
  payloadType: string;
  payload: string;
  keyids: string[];
  threshold: number;
  expires: string;
}

/** What `PUT /v1/admin/delegations/{appId}` answers [API-109]. */
export interface DelegationRecord {
  appId: string;
  version: number;
  sha256: string;
  expires: string;
  delegationUrl: string;
}

interface DelegationRow {
  app_id: string;
  version: number;
  sha256: string;
  keyids: string[];
  threshold: number;
  expires_at: Date | string;
  envelope: Uint8Array;
}

function storedOf(row: DelegationRow): StoredDelegation {
  return {
    appId: row.app_id,
    version: row.version,
    sha256: row.sha256,
    keyids: row.keyids,
    threshold: row.threshold,
    expiresAt: new Date(row.expires_at),
    envelope: new Uint8Array(row.envelope),
  };
}

const latestColumns = 'app_id, version, sha256, keyids, threshold, expires_at, envelope';

/** The payload of a stored delegation envelope (the server's own store, verified when stored). */
export function delegationOf(stored: Pick<StoredDelegation, 'envelope'>): Delegation {
  const envelope = parseEnvelope(stored.envelope);
  return JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as Delegation;
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().join() === [...b].sort().join();
}

function timestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The delegations of partner keys to apps (spec/signing.md, Delegations). A development server holds
 * the delegation key and signs a new version whenever an app's partner keys change; a production
 * server lists what needs signing and imports envelopes signed offline [API-108] [API-109].
 */
export class DelegationStore {
  constructor(
    private readonly db: Database,
    private readonly keys: PlatformKeys,
    private readonly publicUrl: string,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** True when this server signs delegations itself (development only [SIG-072]). */
  get online(): boolean {
    return this.keys.delegation.length > 0;
  }

  /** The root the server currently publishes; delegations are verified against it. */
  root(): Root {
    const latest = this.keys.roots.at(-1);
    if (!latest) throw new Error('no trust root');
    const envelope = parseEnvelope(latest.bytes);
    return JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as Root;
  }

  async latest(q: Queryable, appId: string): Promise<StoredDelegation | null> {
    const { rows } = await q.query<DelegationRow>(
      `select ${latestColumns} from delegations where app_id = $1 order by version desc limit 1`,
      [appId],
    );
    return rows[0] ? storedOf(rows[0]) : null;
  }

  /** Every app's newest delegation, by app id. */
  async latestOfAll(q: Queryable): Promise<Map<string, StoredDelegation>> {
    const { rows } = await q.query<DelegationRow>(
      `select distinct on (app_id) ${latestColumns} from delegations order by app_id, version desc`,
    );
    return new Map(rows.map((r) => [r.app_id, storedOf(r)]));
  }

  /** One stored delegation envelope [API-104]. */
  async envelope(appId: string, version: number): Promise<Uint8Array | null> {
    const { rows } = await this.db.query<{ envelope: Uint8Array }>(
      'select envelope from delegations where app_id = $1 and version = $2',
      [appId, version],
    );
    return rows[0] ? new Uint8Array(rows[0].envelope) : null;
  }

  /** The keys an app's delegation should list: its partner's registered keys that are not revoked. */
  private async desiredKeys(q: Queryable, appId: string): Promise<Record<string, PublicJwk>> {
    const { rows } = await q.query<{ keyid: string; jwk: PublicJwk | string }>(
      `select k.keyid, k.jwk from partner_keys k join apps a on a.partner_id = k.partner_id
        where a.app_id = $1 and k.revoked_at is null
          and not exists (select 1 from revocations r where r.kind = 'key' and r.value = k.keyid)
        order by k.keyid`,
      [appId],
    );
    return Object.fromEntries(
      rows.map((r) => [
        r.keyid,
        typeof r.jwk === 'string' ? (JSON.parse(r.jwk) as PublicJwk) : r.jwk,
      ]),
    );
  }

  /** Whether an app needs a new delegation version, and which keys it would list. */
  private async need(
    q: Queryable,
    appId: string,
    now: Date,
  ): Promise<{ latest: StoredDelegation | null; keys: Record<string, PublicJwk> } | null> {
    const keys = await this.desiredKeys(q, appId);
    if (Object.keys(keys).length === 0) return null;
    const latest = await this.latest(q, appId);
    const stale =
      latest === null ||
      !sameKeys(latest.keyids, Object.keys(keys)) ||
      latest.expiresAt.getTime() - now.getTime() < delegationRenewalMs;
    return stale ? { latest, keys } : null;
  }

  /**
   * Development only: signs a new delegation version for each given app whose partner keys changed
   * or whose delegation nears its expiry [SIG-082] [SIG-084]. A production server does nothing here:
   * its pending list shows the same need [API-108].
   */
  async sync(appIds: readonly string[]): Promise<void> {
    if (!this.online) return;
    for (const appId of appIds) {
      await this.db.transaction(async (tx) => {
        // The app row lock orders concurrent syncs of one app, so versions never collide.
        await tx.query('select 1 from apps where app_id = $1 for update', [appId]);
        const now = this.clock();
        const need = await this.need(tx, appId, now);
        if (!need) return;
        const signed = createDelegation(
          {
            appId,
            version: (need.latest?.version ?? 0) + 1,
            issuedAt: now,
            expires: new Date(now.getTime() + developmentLifetimeMs),
            keys: Object.values(need.keys),
            threshold: 1,
          },
          this.keys.delegation,
        );
        await this.insert(tx, signed.payload, signed.bytes, signed.sha256);
      });
    }
  }

  /** Development only: re-signs every delegation that expires within the renewal window [SIG-084]. */
  async renewExpiring(): Promise<void> {
    if (!this.online) return;
    const soon = new Date(this.clock().getTime() + delegationRenewalMs);
    const { rows } = await this.db.query<{ app_id: string }>(
      `select app_id from (select distinct on (app_id) app_id, expires_at from delegations
        order by app_id, version desc) d where d.expires_at < $1`,
      [soon],
    );
    await this.sync(rows.map((r) => r.app_id));
  }

  /** Syncs every app of a partner, after its keys changed. */
  async partnerKeysChanged(partnerId: string): Promise<void> {
    const { rows } = await this.db.query<{ app_id: string }>(
      'select app_id from apps where partner_id = $1 order by app_id',
      [partnerId],
    );
    await this.sync(rows.map((r) => r.app_id));
  }

  private async insert(
    tx: Queryable,
    payload: Delegation,
    envelopeBytes: Uint8Array,
    sha256: string,
  ): Promise<void> {
    await tx.query(
      `insert into delegations (app_id, version, envelope, sha256, keyids, threshold, expires_at)
       values ($1, $2, $3, $4, $5, $6, $7)`,
      [
        payload.appId,
        payload.version,
        Buffer.from(envelopeBytes),
        sha256,
        Object.keys(payload.keys).sort(),
        payload.threshold,
        new Date(payload.expires),
      ],
    );
    // [API-110] the next index pins it.
    await markTrustChanged(tx);
  }

  /** [API-108] The exact payload bytes of the next delegation of every app that needs one. */
  async pending(): Promise<PendingDelegation[]> {
    const now = this.clock();
    const { rows } = await this.db.query<{ app_id: string }>(
      'select app_id from apps order by app_id',
    );
    const items: PendingDelegation[] = [];
    for (const { app_id: appId } of rows) {
      const need = await this.need(this.db, appId, now);
      if (!need) continue;
      // The seconds are cut so that the payload stays the same for a whole second of requests.
      const issuedAt = new Date(Math.floor(now.getTime() / 1000) * 1000);
      const { payload, bytes } = delegationPayload({
        appId,
        version: (need.latest?.version ?? 0) + 1,
        issuedAt,
        expires: new Date(issuedAt.getTime() + developmentLifetimeMs),
        keys: Object.values(need.keys),
        threshold: Math.min(need.latest?.threshold ?? 1, Object.keys(need.keys).length),
      });
      items.push({
        appId,
        version: payload.version,
        payloadType: payloadTypes.delegation,
        payload: Buffer.from(bytes).toString('base64'),
        keyids: Object.keys(payload.keys),
        threshold: payload.threshold,
        expires: payload.expires,
      });
    }
    return items;
  }

  /**
   * [API-109] Stores a delegation signed offline, after verifying it as a host would against the
   * current root [SIG-080] [SIG-081] [SIG-083]; its version must exceed the app's newest [SIG-082].
   */
  async import(appId: string, envelopeJson: unknown): Promise<DelegationRecord> {
    const root = this.root();
    const bytes = encodeEnvelope(
      parseEnvelope(new TextEncoder().encode(JSON.stringify(envelopeJson))),
    );
    // Signature failures keep their SIG_ codes, answered 422 by the problem handler.
    const { payload } = verifyEnvelope(
      parseEnvelope(bytes),
      roleKeys(root, 'delegation'),
      root.roles.delegation.threshold,
      payloadTypes.delegation,
    );
    const delegation = decodeSignedPayload<Delegation>(
      payload,
      'signing/delegation.schema.json',
      'The delegation',
    );
    checkDelegation(delegation, root);
    if (delegation.appId !== appId) {
      throw new ApiProblem(
        'SIG_WRONG_APP',
        `the delegation is for ${delegation.appId}, not ${appId}; import it under its own app`,
      );
    }
    if (!(Date.parse(delegation.expires) > this.clock().getTime())) {
      throw new ApiProblem(
        'SIG_EXPIRED',
        `the delegation expired at ${delegation.expires}; sign a fresh one`,
      );
    }
    const sha256 = sha256Hex(bytes);
    await this.db.transaction(async (tx) => {
      const app = await tx.query('select 1 from apps where app_id = $1 for update', [appId]);
      if (app.rows.length === 0) throw new ApiProblem('API_NOT_FOUND', `no app ${appId}`);
      const latest = await this.latest(tx, appId);
      if (latest && delegation.version <= latest.version) {
        throw new ApiProblem(
          'API_DELEGATION_CONFLICT',
          `delegation version ${delegation.version} is not above the app's newest, ${latest.version}; sign the current pending payload`,
        );
      }
      await this.insert(tx, delegation, bytes, sha256);
    });
    return {
      appId,
      version: delegation.version,
      sha256,
      expires: timestamp(new Date(delegation.expires)),
      delegationUrl: `${this.publicUrl}/v1/delegations/${appId}/${delegation.version}.delegation.json`,
    };
  }

  /**
   * [API-112] Whether the app's newest unexpired delegation verifies a version's statement, counting
   * no revoked key, so that a release of it is one hosts accept [SIG-091].
   */
  async covers(q: Queryable, appId: string, versionCode: number): Promise<boolean> {
    const latest = await this.latest(q, appId);
    if (!latest || latest.expiresAt.getTime() <= this.clock().getTime()) return false;
    const { rows } = await q.query<{ statement: Uint8Array; statement_keyid: string }>(
      'select statement, statement_keyid from versions where app_id = $1 and version_code = $2',
      [appId, versionCode],
    );
    const row = rows[0];
    if (!row) return false;
    const revoked = await q.query<{ value: string }>(
      `select value from revocations where kind = 'key'`,
    );
    return statementVerifies(
      new Uint8Array(row.statement),
      row.statement_keyid,
      delegationOf(latest),
      new Set(revoked.rows.map((r) => r.value)),
    );
  }
}

/** [SIG-091] a statement verifies under a delegation, minus revoked keys, and names a signer that counted. */
export function statementVerifies(
  statement: Uint8Array,
  statementKeyid: string,
  delegation: Pick<Delegation, 'keys' | 'threshold'>,
  revokedKeys: ReadonlySet<string>,
): boolean {
  const keys = Object.fromEntries(
    Object.entries(delegation.keys).filter(([keyid]) => !revokedKeys.has(keyid)),
  );
  try {
    const { validKeyids } = verifyEnvelope(
      parseEnvelope(statement),
      keys,
      delegation.threshold,
      payloadTypes.statement,
    );
    return validKeyids.includes(statementKeyid);
  } catch {
    return false;
  }
}
