import type { Queryable } from '../store/database.ts';
import { ApiProblem } from '../http/problem.ts';
import { utcTimestamp } from './timestamp-column.ts';

/** A partner as the contract's `Partner` schema shows it. */
export interface PartnerView {
  partnerId: string;
  name: string;
  createdAt: string;
  test: boolean;
}

const columns = `id as "partnerId", name, ${utcTimestamp('created_at')} as "createdAt", test`;

/** One partner; API_NOT_FOUND when it does not exist. */
export async function partnerById(db: Queryable, partnerId: string): Promise<PartnerView> {
  const { rows } = await db.query<PartnerView>(`select ${columns} from partners where id = $1`, [
    partnerId,
  ]);
  const partner = rows[0];
  if (!partner) throw new ApiProblem('API_NOT_FOUND', 'no such partner');
  return partner;
}

/** Partners in id order, `limit` of them after the id `after`; one more is read to know whether more follow. */
export async function listPartnerPage(
  db: Queryable,
  after: string | null,
  limit: number,
): Promise<{ items: PartnerView[]; last: string | null }> {
  const { rows } = await db.query<PartnerView>(
    `select ${columns} from partners where ($1::text is null or id > $1) order by id limit $2`,
    [after, limit + 1],
  );
  const items = rows.slice(0, limit);
  return { items, last: rows.length > limit ? (items.at(-1)?.partnerId ?? null) : null };
}
