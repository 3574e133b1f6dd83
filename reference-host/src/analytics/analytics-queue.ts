/**
 * Analytics events the host records about the mini-apps it runs (spec/analytics.md): every event
 * carries exactly the common members and its type's data, nothing about the user [ANL-001]
 * [ANL-005]; events wait across restarts at most 7 days and 1000 events, oldest dropped first
 * [ANL-013]; nothing is sent when the user opted out [ANL-008]; batches carry the device's random
 * pseudonym [ANL-006], which the user can reset [ANL-007].
 */
import { validatorFor } from '#schemas';
import type { KeyValueStore } from '../state/key-value-store.ts';

export type AnalyticsData =
  | { type: 'app.launch'; mode: 'cold' | 'warm'; durationMs: number }
  | { type: 'app.crash'; reason: 'oom' | 'renderer' | 'watchdog' | 'unknown' }
  | { type: 'app.error'; errorType: string; page: string }
  | { type: 'bridge.error'; method: string; code: string }
  | { type: 'page.view'; page: string }
  | { type: 'update.applied'; fromVersionCode: number; toVersionCode: number }
  | { type: 'update.failed'; toVersionCode: number; code: string };

export type AnalyticsEvent = AnalyticsData & {
  eventId: string;
  time: string;
  appId: string;
  versionCode: number;
  hostApiVersion: string;
};

export const maxQueuedEvents = 1000;
export const maxQueueAgeMs = 7 * 24 * 60 * 60 * 1000;
export const maxBatchEvents = 500;

/** Seconds-precision UTC, as every timestamp of the platform. */
export function utcTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

export interface AnalyticsSink {
  send(batch: { deviceId: string; sentAt: string; events: AnalyticsEvent[] }): Promise<void>;
}

export class AnalyticsQueue {
  /** Every event recorded since start, for the conformance adapter's `events`. */
  readonly recorded: AnalyticsEvent[] = [];

  constructor(
    private readonly store: KeyValueStore,
    private readonly hostApiVersion: string,
    private readonly now: () => Date,
  ) {}

  async record(
    appId: string,
    versionCode: number,
    data: AnalyticsData,
  ): Promise<AnalyticsEvent | undefined> {
    const event = {
      ...data,
      eventId: crypto.randomUUID(),
      time: utcTimestamp(this.now()),
      appId,
      versionCode,
      hostApiVersion: this.hostApiVersion,
    } as AnalyticsEvent;
    // An event outside the schema is a host bug; it is dropped here, never sent.
    if (!validatorFor('analytics/event.schema.json')(event)) return undefined;
    this.recorded.push(event);
    if (await this.optedOut()) return event;
    await this.store.put(`ana/q/${event.time}/${event.eventId}`, event);
    // Keys sort by time: the oldest go first when the queue is over its size.
    const keys = await this.store.keys('ana/q/');
    if (keys.length > maxQueuedEvents) {
      await this.store.batch(
        keys.slice(0, keys.length - maxQueuedEvents).map((key) => ({ delete: key })),
      );
    }
    return event;
  }

  async optedOut(): Promise<boolean> {
    return (await this.store.get<boolean>('ana/optOut')) === true;
  }

  /** [ANL-008] opting out also drops what waits. */
  async setOptOut(optOut: boolean): Promise<void> {
    await this.store.put('ana/optOut', optOut);
    if (optOut) await this.store.deletePrefix('ana/q/');
  }

  async queued(): Promise<AnalyticsEvent[]> {
    return (await this.store.entries<AnalyticsEvent>('ana/q/')).map(([, e]) => e);
  }

  /** [ANL-013] at most 7 days and 1000 events, oldest first out. */
  async trim(): Promise<void> {
    const entries = await this.store.entries<AnalyticsEvent>('ana/q/');
    const cutoff = this.now().getTime() - maxQueueAgeMs;
    const excess = Math.max(0, entries.length - maxQueuedEvents);
    const drop = entries
      .filter(([, e], i) => i < excess || Date.parse(e.time) < cutoff)
      .map(([k]) => k);
    if (drop.length > 0) await this.store.batch(drop.map((key) => ({ delete: key })));
  }

  /** Sends what waits in batches of at most 500 [ANL-012]; keeps it when sending fails. */
  async flush(sink: AnalyticsSink, deviceId: string): Promise<number> {
    if (await this.optedOut()) return 0;
    await this.trim();
    const entries = await this.store.entries<AnalyticsEvent>('ana/q/');
    let sent = 0;
    for (let i = 0; i < entries.length; i += maxBatchEvents) {
      const slice = entries.slice(i, i + maxBatchEvents);
      await sink.send({
        deviceId,
        sentAt: utcTimestamp(this.now()),
        events: slice.map(([, e]) => e),
      });
      await this.store.batch(slice.map(([key]) => ({ delete: key })));
      sent += slice.length;
    }
    return sent;
  }
}
