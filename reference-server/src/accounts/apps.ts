import { ApiProblem } from '../http/problem.ts';
import type { Queryable } from '../store/database.ts';
import { utcTimestamp } from './timestamp-column.ts';

/** An app as the contract's `App` schema shows it. */
export interface AppView {
  appId: string;
  name: string;
  category: string;
  createdAt: string;
  latestVersionCode?: number;
}

interface AppRow {
  app_id: string;
  partner_id: string;
  name: string | null;
  category: string | null;
  created_at: string;
  latest_version_code: number;
}

const columns = `app_id, partner_id, name, category, ${utcTimestamp('created_at')} as created_at,
  latest_version_code::integer as latest_version_code`;

function view(row: AppRow): AppView {
  return {
    appId: row.app_id,
    name: row.name ?? row.app_id,
    category: row.category ?? 'utilities',
    createdAt: row.created_at,
    ...(row.latest_version_code > 0 ? { latestVersionCode: row.latest_version_code } : {}),
  };
}

/**
 * Reserves an app id for the partner [API-068]. The id is first come, first served; an id already
 * owned, by anyone, is a conflict, and the detail says whose so the partner knows what to do.
 */
export async function createApp(
  db: Queryable,
  partnerId: string,
  request: { appId: string; name: string; category: string },
): Promise<AppView> {
  const { rows } = await db.query<AppRow>(
    `insert into apps (app_id, partner_id, name, category) values ($1, $2, $3, $4)
     on conflict (app_id) do nothing returning ${columns}`,
    [request.appId, partnerId, request.name, request.category],
  );
  const row = rows[0];
  if (row) return view(row);
  const owner = await db.query<{ partner_id: string }>(
    'select partner_id from apps where app_id = $1',
    [request.appId],
  );
  const yours = owner.rows[0]?.partner_id === partnerId;
  throw new ApiProblem(
    'API_APP_ID_TAKEN',
    yours
      ? `you already own ${request.appId}; read it with GET /v1/partner/apps/${request.appId}`
      : `${request.appId} belongs to another partner; choose an id under a domain you control`,
  );
}

/** One of the partner's apps; another partner's app is API_NOT_FOUND [API-003]. */
export async function partnerApp(
  db: Queryable,
  partnerId: string,
  appId: string,
): Promise<AppView> {
  const { rows } = await db.query<AppRow>(
    `select ${columns} from apps where app_id = $1 and partner_id = $2`,
    [appId, partnerId],
  );
  const row = rows[0];
  if (!row) throw new ApiProblem('API_NOT_FOUND', `no app ${appId} among your apps`);
  return view(row);
}

/** The partner's apps in id order, `limit` after the id `after`. */
export async function listPartnerApps(
  db: Queryable,
  partnerId: string,
  after: string | null,
  limit: number,
): Promise<{ items: AppView[]; last: string | null }> {
  const { rows } = await db.query<AppRow>(
    `select ${columns} from apps where partner_id = $1 and ($2::text is null or app_id > $2)
      order by app_id limit $3`,
    [partnerId, after, limit + 1],
  );
  const items = rows.slice(0, limit).map(view);
  return { items, last: rows.length > limit ? (items.at(-1)?.appId ?? null) : null };
}
