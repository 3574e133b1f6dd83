import {
  allBinPrefixes,
  binApps,
  binPrefixOf,
  createBin,
  createIndex,
  createRelease,
  maxIndexLifetimeMs,
  parseEnvelope,
  sha256Hex,
  type AppEntry,
  type Bin,
  type ReleaseIndex,
} from '#sdk/signing/index.ts';
import type { TrustService } from '../services.ts';
import type { Database, Queryable } from '../store/database.ts';
import { appEntries } from './app-entries.ts';
import { DelegationStore } from './delegation-store.ts';
import type { PlatformKeys } from './platform-keys.ts';
import { trustChannel } from './trust-generation.ts';

/** How long a fresh index is valid, and how early before expiry it is replaced [API-039] [SIG-061]. */
export const indexLifetimeMs = 6 * 60 * 60 * 1000;
const refreshMarginMs = 60 * 60 * 1000;
/**
 * How often a process looks at the store for an index another process signed, when no notification
 * came: the fallback that keeps the bound of [API-106] without LISTEN/NOTIFY.
 */
export const defaultPollMs = 2000;
/** [API-106] [API-107] the bound the specification states; the poll interval must stay inside it. */
export const coherenceBoundMs = 5000;
/**
 * How long after its last look at the store a process may go on answering from its index while a
 * background look is under way; the remaining second leaves room for that look to finish [API-106].
 */
const staleLimitMs = coherenceBoundMs - 1000;
/** Index and bin versions are `integer` columns of the store. */
const maxStoredVersion = 2147483647;
/** [SIG-100] the reference server shards its index into 16 bins. */
export const defaultBinPrefixLength = 1;

/** A bin as the server publishes it. */
export interface PublishedBin {
  prefix: string;
  version: number;
  sha256: string;
  bytes: Uint8Array;
  payload: Bin;
}

/** The index a process serves, with every bin it pins and the app entries they hold. */
export interface PublishedIndex {
  version: number;
  bytes: Uint8Array;
  expires: Date;
  /** The trust generation the index reflects [API-106]. */
  generation: number;
  binPrefixLength: number;
  bins: ReadonlyMap<string, PublishedBin>;
  /** The app's entry in its bin, or null when the index lists no such app [SIG-107]. */
  entry(appId: string): AppEntry | null;
}

export interface TrustServiceOptions {
  /** The server's public origin, for the URLs of imported delegations. */
  publicUrl?: string;
  clock?: () => Date;
  binPrefixLength?: number;
  /** At most `coherenceBoundMs`; a test may lower it. */
  pollMs?: number;
  /**
   * Called when a background refresh fails. Nothing is lost without it: the next request refreshes
   * again and answers the failure itself.
   */
  onError?: (error: unknown) => void;
}

function payloadOf<T>(bytes: Uint8Array): T {
  const envelope = parseEnvelope(bytes);
  return JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as T;
}

function publishedIndex(
  bytes: Uint8Array,
  generation: number,
  bins: Map<string, PublishedBin>,
): PublishedIndex {
  const index = payloadOf<ReleaseIndex>(bytes);
  const entries = new Map<string, AppEntry>();
  for (const bin of bins.values()) {
    for (const [appId, entry] of Object.entries(bin.payload.apps)) entries.set(appId, entry);
  }
  return {
    version: index.version,
    bytes,
    expires: new Date(index.expires),
    generation,
    binPrefixLength: index.binPrefixLength,
    bins,
    entry: (appId) => entries.get(appId) ?? null,
  };
}

interface IndexRow {
  version: number;
  envelope: Uint8Array;
  generation: string | number;
  expires_at: Date | string;
  bin_prefix_length: number | null;
}

/**
 * The platform side of spec/signing.md on top of the store: roots from the trust directory,
 * delegations, an index and its bins re-signed whenever what they reflect changes, and the
 * countersignatures made at approval.
 *
 * Every process keeps the index it serves in memory and follows the store [API-106]: a change bumps
 * the store's trust generation in its own transaction; the process that made it signs a new index at
 * once and announces it with NOTIFY; the others load it on the notification, or at the latest when
 * their poll of the store (every 2 s, in the background while their last look is under 4 s old) sees
 * a newer index or generation. A process never adopts an index older than the one it serves.
 */
export function createTrustService(
  db: Database,
  keys: PlatformKeys,
  options: TrustServiceOptions = {},
): TrustService {
  const clock = options.clock ?? (() => new Date());
  const binPrefixLength = options.binPrefixLength ?? defaultBinPrefixLength;
  const pollMs = Math.min(options.pollMs ?? defaultPollMs, coherenceBoundMs);
  if (maxIndexLifetimeMs < indexLifetimeMs)
    throw new Error('index lifetime exceeds the spec maximum');
  const delegations = new DelegationStore(db, keys, options.publicUrl ?? '', clock);
  const listeners = new Set<(index: PublishedIndex) => void>();
  let cached: PublishedIndex | null = null;
  let checkedAt = Number.NEGATIVE_INFINITY;
  // Local epochs: `wanted` rises with every change or notification, `served` with every refresh.
  let wanted = 0;
  let served = 0;
  let loading: { epoch: number; promise: Promise<PublishedIndex> } | null = null;
  const report = options.onError ?? (() => undefined);

  const fresh = (index: PublishedIndex, now: number) =>
    index.expires.getTime() - now > refreshMarginMs;

  async function binsOf(q: Queryable, index: ReleaseIndex): Promise<Map<string, PublishedBin>> {
    const { rows } = await q.query<{ prefix: string; version: number; envelope: Uint8Array }>(
      `select prefix, version, envelope from signed_bins
        where (prefix, version) in (select * from unnest($1::text[], $2::integer[]))`,
      [index.bins.map((b) => b.prefix), index.bins.map((b) => b.version)],
    );
    const bins = new Map<string, PublishedBin>();
    for (const row of rows) {
      const bytes = new Uint8Array(row.envelope);
      bins.set(row.prefix, {
        prefix: row.prefix,
        version: row.version,
        sha256: sha256Hex(bytes),
        bytes,
        payload: payloadOf<Bin>(bytes),
      });
    }
    if (bins.size !== index.bins.length)
      throw new Error(`index ${index.version} pins a missing bin`);
    return bins;
  }

  /** The newest stored index and the store's generation, in one round trip. */
  async function newest(q: Queryable): Promise<{ row: IndexRow | null; generation: number }> {
    const { rows } = await q.query<IndexRow & { current: string | number }>(
      `select (select generation from trust_state where id = 1) as current, i.version, i.envelope,
              i.generation, i.expires_at, i.bin_prefix_length
         from (select 1) one left join lateral (
           select version, envelope, generation, expires_at, bin_prefix_length
             from signed_indexes order by version desc limit 1) i on true`,
    );
    const row = rows[0];
    return {
      row: row && row.version !== null ? row : null,
      generation: Number(row?.current ?? 0),
    };
  }

  /** Whether a stored index still reflects the store: bins, generation, and time before expiry. */
  function usable(row: IndexRow, generation: number, now: number): boolean {
    return (
      row.bin_prefix_length === binPrefixLength &&
      Number(row.generation) >= generation &&
      new Date(row.expires_at).getTime() - now > refreshMarginMs
    );
  }

  async function load(q: Queryable, row: IndexRow): Promise<PublishedIndex> {
    if (cached && cached.version === row.version) return cached;
    const bytes = new Uint8Array(row.envelope);
    return publishedIndex(bytes, Number(row.generation), await binsOf(q, payloadOf(bytes)));
  }

  /** Signs bins whose content changed and a new index over all bins, in one locked transaction. */
  async function sign(): Promise<{ index: PublishedIndex; signed: boolean }> {
    await delegations.renewExpiring();
    return db.transaction(async (tx) => {
      // One signer at a time across every process; the versions come from the store [SIG-060] [SIG-103].
      await tx.query('select pg_advisory_xact_lock(74202)');
      const now = clock();
      // The generation is read before the entries, so a change committed in between is not covered.
      const state = await newest(tx);
      if (state.row && usable(state.row, state.generation, now.getTime())) {
        return { index: await load(tx, state.row), signed: false };
      }
      const entries = await appEntries(tx, await delegations.latestOfAll(tx), now);
      const byPrefix = new Map<string, Record<string, AppEntry>>();
      for (const [appId, entry] of entries) {
        const prefix = binPrefixOf(appId, binPrefixLength);
        byPrefix.set(prefix, { ...(byPrefix.get(prefix) ?? {}), [appId]: entry });
      }
      const latestBins = await tx.query<{
        prefix: string;
        version: number;
        envelope: Uint8Array;
        content_sha256: string;
      }>(
        `select distinct on (prefix) prefix, version, envelope, content_sha256
           from signed_bins order by prefix, version desc`,
      );
      const previous = new Map(latestBins.rows.map((r) => [r.prefix, r]));
      const bins = new Map<string, PublishedBin>();
      for (const prefix of allBinPrefixes(binPrefixLength)) {
        const apps = byPrefix.get(prefix) ?? {};
        const content = sha256Hex(new TextEncoder().encode(JSON.stringify(binApps(apps))));
        const last = previous.get(prefix);
        if (last && last.content_sha256 === content) {
          const bytes = new Uint8Array(last.envelope);
          bins.set(prefix, {
            prefix,
            version: last.version,
            sha256: sha256Hex(bytes),
            bytes,
            payload: payloadOf<Bin>(bytes),
          });
          continue;
        }
        // [SIG-103] a changed bin gets a version above every earlier bin of its prefix.
        const signed = createBin(
          { prefix, version: (last?.version ?? 0) + 1, issuedAt: now, apps },
          keys.index,
        );
        await tx.query(
          `insert into signed_bins (prefix, version, envelope, sha256, content_sha256)
           values ($1, $2, $3, $4, $5)`,
          [prefix, signed.payload.version, Buffer.from(signed.bytes), signed.sha256, content],
        );
        bins.set(prefix, {
          prefix,
          version: signed.payload.version,
          sha256: signed.sha256,
          bytes: signed.bytes,
          payload: signed.payload,
        });
      }
      const version = (state.row?.version ?? 0) + 1;
      const expires = new Date(now.getTime() + indexLifetimeMs);
      const index = createIndex(
        {
          version,
          issuedAt: now,
          expires,
          binPrefixLength,
          bins: [...bins.values()].map((b) => ({
            prefix: b.prefix,
            version: b.version,
            sha256: b.sha256,
          })),
        },
        keys.index,
      );
      await tx.query(
        `insert into signed_indexes (version, envelope, expires_at, generation, bin_prefix_length)
         values ($1, $2, $3, $4, $5)`,
        [version, Buffer.from(index.bytes), expires, state.generation, binPrefixLength],
      );
      return { index: publishedIndex(index.bytes, state.generation, bins), signed: true };
    });
  }

  /** Brings the process up to the store: loads a newer index, or signs one when none reflects it. */
  async function refresh(): Promise<PublishedIndex> {
    const startedAt = clock().getTime();
    const state = await newest(db);
    let index: PublishedIndex;
    if (state.row && usable(state.row, state.generation, startedAt)) {
      index = await load(db, state.row);
    } else {
      const outcome = await sign();
      index = outcome.index;
      // [API-106] tell the other processes at once; their poll is only the fallback.
      if (outcome.signed)
        await db.query('select pg_notify($1, $2)', [trustChannel, String(index.version)]);
    }
    checkedAt = startedAt;
    return index;
  }

  function adopt(index: PublishedIndex, epoch: number): PublishedIndex {
    served = Math.max(served, epoch);
    // [API-106] never back to an older index than one this process served.
    if (cached && index.version < cached.version) return cached;
    const changed = cached?.version !== index.version;
    cached = index;
    if (changed) for (const listener of listeners) listener(index);
    return index;
  }

  function currentIndex(): Promise<PublishedIndex> {
    const now = clock().getTime();
    if (cached && served >= wanted && fresh(cached, now)) {
      const age = now - checkedAt;
      if (age < pollMs) return Promise.resolve(cached);
      // Only the poll is due (no change here, no notification): look at the store in the background
      // and keep answering from the index in hand, so no request waits on the store for a look that
      // almost always finds nothing new; past `staleLimitMs` requests wait for it [API-106].
      if (age < staleLimitMs) {
        void startRefresh().catch(report);
        return Promise.resolve(cached);
      }
    }
    return startRefresh();
  }

  /** Starts a refresh for the current epoch, or joins the one under way that covers it. */
  function startRefresh(): Promise<PublishedIndex> {
    if (loading && loading.epoch >= wanted) return loading.promise;
    const epoch = wanted;
    // Refreshes run one after the other, so a change made during one is seen by the next.
    const before = loading?.promise.catch(() => undefined) ?? Promise.resolve(undefined);
    const promise = before.then(refresh).then((index) => adopt(index, epoch));
    const current = { epoch, promise };
    loading = current;
    void promise
      .finally(() => {
        if (loading === current) loading = null;
      })
      .catch(() => undefined);
    return promise;
  }

  // [API-106] another process announced an index: look at the store on the next request.
  void db
    .listen(trustChannel, (payload) => {
      const version = payload === null ? Number.POSITIVE_INFINITY : Number(payload);
      if (!cached || !(version <= cached.version)) wanted++;
    })
    .catch(report);

  return {
    delegations,
    async currentRoot() {
      const latest = keys.roots.at(-1);
      if (!latest) throw new Error('no trust root');
      return latest;
    },
    async rootByVersion(version) {
      return keys.roots.find((r) => r.version === version)?.bytes ?? null;
    },
    currentIndex,
    async indexByVersion(version) {
      // Versions are stored as 32-bit integers; a larger one names nothing.
      if (version > maxStoredVersion) return null;
      const { rows } = await db.query<{ envelope: Uint8Array }>(
        'select envelope from signed_indexes where version = $1',
        [version],
      );
      return rows[0] ? new Uint8Array(rows[0].envelope) : null;
    },
    async binByVersion(prefix, version) {
      if (version > maxStoredVersion) return null;
      const { rows } = await db.query<{ envelope: Uint8Array }>(
        'select envelope from signed_bins where prefix = $1 and version = $2',
        [prefix, version],
      );
      return rows[0] ? new Uint8Array(rows[0].envelope) : null;
    },
    indexChanged() {
      wanted++;
      // Sign at once, so the other processes hear of the change without waiting for a request here.
      void currentIndex().catch(report);
    },
    onIndexChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async countersign({ statement, minHostVersion, permissions, url }) {
      return createRelease(
        {
          statement,
          minHostVersion,
          permissions,
          // The signed URL is only a hint and must be https [SIG-040]; a plain-http development server
          // leaves it out, and hosts download from the update check's packageUrl by digest instead.
          ...(url.startsWith('https://') ? { url } : {}),
          // [SIG-095] no expiry: the index that pins the envelope is what goes stale.
          issuedAt: clock(),
        },
        keys.release,
      );
    },
  };
}
