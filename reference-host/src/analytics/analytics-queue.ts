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
  /** The user's choice, read once from the store and then kept here. */
  #optOut: boolean | undefined;
  /** Decisions (queue or drop) and opt-out changes, in call order [ANL-008]. */
  #order: Promise<unknown> = Promise.resolve();
  /** Queued events not yet written: one store transaction takes all of them. */
  #pending: [string, AnalyticsEvent][] = [];
  #written: Promise<void> = Promise.resolve();
  #writeScheduled = false;

  constructor(
    private readonly store: KeyValueStore,
    private readonly hostApiVersion: string,
    private readonly now: () => Date,
  ) {}

  #inOrder<T>(step: () => Promise<T>): Promise<T> {
    const result = this.#order.then(step);
    this.#order = result.catch(() => undefined);
    return result;
  }

  async #isOptedOut(): Promise<boolean> {
    this.#optOut ??= (await this.store.get<boolean>('ana/optOut')) === true;
    return this.#optOut;
  }

  /** Writes what waits in one transaction, then drops the oldest beyond the bound [ANL-013]. */
  async #writePending(): Promise<void> {
    const batch = this.#pending.splice(0);
    if (batch.length === 0) return;
    await this.store.batch(batch.map(([key, value]) => ({ put: key, value })));
    // Keys sort by time: the oldest go first when the queue is over its size.
    const keys = await this.store.keys('ana/q/');
    if (keys.length > maxQueuedEvents) {
      await this.store.batch(
        keys.slice(0, keys.length - maxQueuedEvents).map((key) => ({ delete: key })),
      );
    }
  }

  /**
   * Records an event timed now, when it happens; it is queued unless the user has opted out at
   * this point of the call order. Many events recorded together are written together, so a burst
   * of them is persisted in a few transactions rather than one (and one scan) per event.
   */
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
    const written = await this.#inOrder(async () => {
      if (await this.#isOptedOut()) return undefined;
      this.#pending.push([`ana/q/${event.time}/${event.eventId}`, event]);
      if (!this.#writeScheduled) {
        this.#writeScheduled = true;
        this.#written = this.#written
          .catch(() => undefined)
          // One task later, so that the events of a burst decided meanwhile share the write.
          .then(() => new Promise((resolve) => setTimeout(resolve, 0)))
          .then(() => {
            this.#writeScheduled = false;
            return this.#writePending();
          });
      }
      // Wrapped: awaiting the write here would hold every later decision behind it.
      return { done: this.#written };
    });
    await written?.done;
    return event;
  }

  /** Resolves once every event recorded so far is queued or dropped, and written. */
  async settled(): Promise<void> {
    await this.#order;
    await this.#written.catch(() => undefined);
  }

  async optedOut(): Promise<boolean> {
    return this.#inOrder(() => this.#isOptedOut());
  }

  /** [ANL-008] opting out also drops what waits; events recorded before the change keep their fate. */
  async setOptOut(optOut: boolean): Promise<void> {
    await this.#inOrder(async () => {
      await this.store.put('ana/optOut', optOut);
      this.#optOut = optOut;
      if (!optOut) return;
      this.#pending.length = 0;
      await this.#written.catch(() => undefined);
      await this.store.deletePrefix('ana/q/');
    });
  }

  /** Forgets every event and the choice (adapter `reset`), after the writes under way. */
  async clear(): Promise<void> {
    await this.#inOrder(async () => {
      this.#pending.length = 0;
      await this.#written.catch(() => undefined);
      await this.store.deletePrefix('ana/');
      this.#optOut = undefined;
      this.recorded.length = 0;
    });
  }

  async queued(): Promise<AnalyticsEvent[]> {
    await this.settled();
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
    await this.settled();
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
