import { CaseFailure } from '../framework/index.ts';
import type { HostSession } from '../host/host-session.ts';

/**
 * Analytics batches as the suite's ingestion route receives them (spec/analytics.md): the adapter's
 * `events` command makes the host send what it queued. Shared by the host cases and the features.
 */

export interface AnalyticsEvent {
  type: string;
  eventId: string;
  time: string;
  appId: string;
  versionCode: number;
  hostApiVersion: string;
  [member: string]: unknown;
}

export interface Batch {
  deviceId: string;
  sentAt: string;
  events: AnalyticsEvent[];
}

export const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Fires the host's batch timer and returns every batch received so far, each checked against its schema. */
export async function flushAnalytics(s: HostSession): Promise<Batch[]> {
  await s.command('events');
  await settle(1_000);
  const invalid = s.server.analytics.filter((b) => !b.valid);
  if (invalid.length > 0) {
    throw new CaseFailure(
      `a batch is not valid against event-batch.schema.json: ${invalid[0]?.errors ?? ''}`,
    );
  }
  return s.server.analytics.map((b) => b.body as Batch);
}

export const allEvents = (batches: Batch[]) => batches.flatMap((b) => b.events);
