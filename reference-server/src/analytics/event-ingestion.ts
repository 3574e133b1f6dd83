import { validatorFor, type ErrorCode } from '#schemas';
import { ApiProblem } from '../http/problem.ts';
import type { Queryable } from '../store/database.ts';

/** The largest batch, in events and in bytes of its JSON body [API-064] [ANL-012]. */
export const maxBatchEvents = 500;
export const maxBatchBytes = 1024 * 1024;
/** Events older than this, or further ahead than the next, are stale [ANL-015]. */
export const maxEventAgeMs = 7 * 24 * 60 * 60 * 1000;
export const maxEventLeadMs = 5 * 60 * 1000;
/** Raw events are deleted this long after their time [ANL-010]. */
export const rawEventRetentionMs = 90 * 24 * 60 * 60 * 1000;

/** The body of POST /v1/analytics/events after contract validation. */
export interface EventBatch {
  deviceId: string;
  sentAt: string;
  events: unknown[];
}

export interface IngestResult {
  accepted: number;
  dropped: { index: number; code: ErrorCode }[];
}

interface StoredEvent {
  event_id: string;
  app_id: string;
  version_code: number;
  type: string;
  occurred_at: string;
  duration_ms: number | null;
  data: Record<string, unknown>;
}

const commonMembers = new Set([
  'type',
  'eventId',
  'time',
  'appId',
  'versionCode',
  'hostApiVersion',
]);

/** Refuses a whole batch that is too large [API-064], whatever the body parser let through. */
export function checkBatchSize(eventCount: number, bodyBytes: number): void {
  if (eventCount > maxBatchEvents || bodyBytes > maxBatchBytes) {
    throw new ApiProblem(
      'ANALYTICS_BATCH_TOO_LARGE',
      `the batch holds ${eventCount} events in ${bodyBytes} bytes; send at most ${maxBatchEvents} events and ${maxBatchBytes} bytes per request`,
    );
  }
}

/** Why one event is dropped, or null when it is kept [ANL-014] [ANL-015]. */
export function eventProblem(event: unknown, now: Date): ErrorCode | null {
  if (!validatorFor('analytics/event.schema.json')(event)) return 'ANALYTICS_EVENT_INVALID';
  const time = Date.parse((event as { time: string }).time);
  if (time < now.getTime() - maxEventAgeMs || time > now.getTime() + maxEventLeadMs) {
    return 'ANALYTICS_EVENT_STALE';
  }
  return null;
}

/**
 * Keeps the valid events of one device's batch and lists the dropped ones by index [API-063] [ANL-014]:
 * invalid events, stale ones [ANL-015], and events of apps without any release [ANL-017]. A repeated
 * eventId of the device is counted once [ANL-016]. Only the event members are stored: no address,
 * no user agent [ANL-009].
 */
export async function ingestEvents(
  db: Queryable,
  batch: EventBatch,
  now: Date,
): Promise<IngestResult> {
  const dropped: IngestResult['dropped'] = [];
  const kept: StoredEvent[] = [];
  const candidates: { index: number; event: Record<string, unknown> }[] = [];
  batch.events.forEach((event, index) => {
    const problem = eventProblem(event, now);
    if (problem) dropped.push({ index, code: problem });
    else candidates.push({ index, event: event as Record<string, unknown> });
  });
  const appIds = [...new Set(candidates.map((c) => String(c.event.appId)))];
  const released = new Set(
    appIds.length === 0
      ? []
      : (
          await db.query<{ app_id: string }>(
            'select distinct app_id from releases where app_id = any($1::text[])',
            [appIds],
          )
        ).rows.map((r) => r.app_id),
  );
  for (const { index, event } of candidates) {
    if (!released.has(String(event.appId))) {
      dropped.push({ index, code: 'ANALYTICS_EVENT_INVALID' });
      continue;
    }
    const data = Object.fromEntries(Object.entries(event).filter(([k]) => !commonMembers.has(k)));
    const duration = typeof data.durationMs === 'number' ? data.durationMs : null;
    delete data.durationMs;
    kept.push({
      event_id: String(event.eventId),
      app_id: String(event.appId),
      version_code: Number(event.versionCode),
      type: String(event.type),
      occurred_at: String(event.time),
      duration_ms: duration,
      data: { ...data, hostApiVersion: event.hostApiVersion },
    });
  }
  if (kept.length > 0) {
    await db.query(
      `insert into analytics_events (event_id, app_id, version_code, device_id, type, occurred_at, duration_ms, data)
       select e.event_id, e.app_id, e.version_code, $2, e.type, e.occurred_at, e.duration_ms, e.data
         from jsonb_to_recordset($1::jsonb) as e(event_id uuid, app_id text, version_code integer,
              type text, occurred_at timestamptz, duration_ms integer, data jsonb)
       on conflict (device_id, event_id) do nothing`,
      [JSON.stringify(kept), batch.deviceId],
    );
  }
  dropped.sort((a, b) => a.index - b.index);
  return { accepted: kept.length, dropped };
}

/** Deletes raw events older than the retention period [ANL-010]; returns how many went. */
export async function purgeRawEvents(db: Queryable, now: Date): Promise<number> {
  const { rowCount } = await db.query('delete from analytics_events where occurred_at < $1', [
    new Date(now.getTime() - rawEventRetentionMs).toISOString(),
  ]);
  return rowCount;
}
