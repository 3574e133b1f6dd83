import { formatTimestamp } from '#sdk/signing/index.ts';
import type { Queryable } from '../store/database.ts';
import type { PageCursors } from '../http/page-cursor.ts';
import type { QueueReason } from './review-report.ts';

/** One entry of the review queue as the contract's ReviewQueuePage shows it. */
export interface QueueEntry {
  appId: string;
  versionCode: number;
  version: string;
  partnerId: string;
  enteredAt: string;
  reasons: QueueReason[];
}

/**
 * One page of the versions waiting for a decision, oldest first [REV-016]; the cursor is the queue
 * position of the last entry, so a page never repeats or skips an entry while others are decided.
 */
export async function reviewQueuePage(
  db: Queryable,
  cursors: PageCursors,
  cursor: string | undefined,
  limit: number,
): Promise<{ items: QueueEntry[]; nextCursor?: string }> {
  const after = cursor === undefined ? 0 : Number(await cursors.open('listReviewQueue', cursor));
  const { rows } = await db.query<{
    app_id: string;
    version_code: number;
    version: string;
    partner_id: string;
    created_at: Date;
    queue_reasons: QueueReason[];
    queue_seq: string | number;
  }>(
    `select v.app_id, v.version_code, v.version, a.partner_id, v.created_at, v.queue_reasons,
            v.queue_seq::text as queue_seq
       from versions v join apps a on a.app_id = v.app_id
      where v.status = 'queued' and v.queue_seq > $1
      order by v.queue_seq
      limit $2`,
    [after, limit + 1],
  );
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map((r) => ({
      appId: r.app_id,
      versionCode: r.version_code,
      version: r.version,
      partnerId: r.partner_id,
      enteredAt: formatTimestamp(new Date(r.created_at)),
      reasons: r.queue_reasons,
    })),
    ...(rows.length > limit && last
      ? { nextCursor: await cursors.issue('listReviewQueue', Number(last.queue_seq)) }
      : {}),
  };
}
