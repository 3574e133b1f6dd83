import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { schemasRoot } from '#schemas';
import { openArchiveSource } from '#sdk/package/index.ts';
import type { Queryable } from '../store/database.ts';
import { lookupLocale } from './locale-lookup.ts';

/** A catalog entry as the contract's `CatalogApp` schema shows it. */
export interface CatalogApp {
  appId: string;
  name: string;
  shortName?: string;
  description?: string;
  category: string;
  iconUrl: string;
  version: string;
  versionCode: number;
  minHostVersion: string;
}

interface LocaleStrings {
  locale: string;
  name: string | null;
  shortName: string | null;
  description: string | null;
}

interface ManifestFields {
  name?: unknown;
  shortName?: unknown;
  description?: unknown;
  category?: unknown;
  minHostVersion?: unknown;
  defaultLocale?: unknown;
  icons?: unknown;
  permissions?: unknown;
}

interface CatalogRow {
  app_id: string;
  version_code: number;
  package_sha256: string;
  version: string;
  manifest: ManifestFields;
  locales: LocaleStrings[];
  released_at: Date | string;
}

/** An icon as served to storefronts. */
export interface CatalogIcon {
  bytes: Buffer;
  type: string;
  etag: string;
}

/** [MAN-025] the icon media types, by extension when the manifest gives no type. */
function iconMediaType(src: string): string {
  if (src.endsWith('.svg')) return 'image/svg+xml';
  if (src.endsWith('.webp')) return 'image/webp';
  return 'image/png';
}

/** One app as listed, with the locale its strings were chosen in. */
export interface LocalisedApp {
  app: CatalogApp;
  locale: string;
  locales: string[];
  manifest: ManifestFields;
  releasedAt: Date;
}

/** The closed category list of the manifest [MAN-027], read from the schema so it cannot drift. */
export const categories: readonly string[] = (() => {
  const schema = JSON.parse(
    readFileSync(path.join(schemasRoot, 'manifest', 'manifest.schema.json'), 'utf8'),
  ) as { $defs: { category: { enum: string[] } } };
  return schema.$defs.category.enum;
})();

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/**
 * The catalog version of each listed app: the newest completed stable release, else the newest one
 * rolling out, never a revoked one [API-050].
 */
const catalogSql = `
  with current as (
    select distinct on (r.app_id) r.app_id, r.version_code, r.created_at
      from releases r join versions v on v.app_id = r.app_id and v.version_code = r.version_code
     where r.channel = 'stable' and r.state in ('completed', 'rollingOut')
       and not exists (select 1 from revocations x where x.kind = 'release' and x.value = v.release_sha256)
       and not exists (select 1 from revocations x where x.kind = 'key' and x.value = v.statement_keyid)
     order by r.app_id, (r.state = 'completed') desc, r.version_code desc
  )
  select c.app_id, c.version_code, v.version, v.manifest, v.package_sha256, c.created_at as released_at,
         coalesce((select jsonb_agg(jsonb_build_object('locale', l.locale, 'name', l.name,
                    'shortName', l.short_name, 'description', l.description) order by l.locale)
                     from version_locales l where l.app_id = c.app_id and l.version_code = c.version_code),
                  '[]'::jsonb) as locales
    from current c join versions v on v.app_id = c.app_id and v.version_code = c.version_code`;

function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The icon with the most pixels, for the store listing. */
function iconSize(icons: unknown): string {
  if (!Array.isArray(icons)) return '192x192';
  let best = { size: '192x192', area: -1 };
  for (const icon of icons as { sizes?: unknown }[]) {
    const match = typeof icon.sizes === 'string' ? /^(\d+)x(\d+)$/.exec(icon.sizes) : null;
    if (match) {
      const area = Number(match[1]) * Number(match[2]);
      if (area > best.area) best = { size: icon.sizes as string, area };
    }
  }
  return best.size;
}

/**
 * Catalog queries over released apps (spec/distribution.md, Catalog): search, one entry, recommendations,
 * each localised by BCP 47 lookup [API-051].
 */
export class Catalog {
  /** Icon bytes by package digest and path: a digest's files never change. */
  private readonly icons = new Map<string, Buffer>();

  constructor(
    private readonly db: Queryable,
    private readonly publicUrl: string,
  ) {}

  private localise(row: CatalogRow, ranges: readonly string[]): LocalisedApp {
    const manifest = row.manifest;
    const defaultLocale = text(manifest.defaultLocale) ?? 'en';
    const available = [...new Set([defaultLocale, ...row.locales.map((l) => l.locale)])];
    const locale = lookupLocale(ranges, available, defaultLocale);
    const strings = row.locales.find((l) => l.locale === locale);
    const fallback = row.locales.find((l) => l.locale === defaultLocale);
    const pick = (key: 'name' | 'shortName' | 'description'): string | undefined =>
      text(strings?.[key]) ?? text(fallback?.[key]) ?? text(manifest[key]);
    const shortName = pick('shortName');
    const description = pick('description');
    return {
      app: {
        appId: row.app_id,
        name: pick('name') ?? row.app_id,
        ...(shortName ? { shortName } : {}),
        ...(description ? { description } : {}),
        category: text(manifest.category) ?? 'utilities',
        iconUrl: `${this.publicUrl}/v1/catalog/apps/${row.app_id}/icons/${iconSize(manifest.icons)}`,
        version: row.version,
        versionCode: row.version_code,
        minHostVersion: text(manifest.minHostVersion) ?? '1.0.0',
      },
      locale,
      locales: available.sort(),
      manifest,
      releasedAt: new Date(row.released_at),
    };
  }

  /** One page of apps ordered by app id, after `after`, filtered by search text and category [API-048]. */
  async search(filter: {
    q?: string;
    category?: string;
    ranges: readonly string[];
    after: string | null;
    limit: number;
  }): Promise<{ items: LocalisedApp[]; more: boolean }> {
    const { rows } = await this.db.query<CatalogRow>(
      `select * from (${catalogSql}) a
        where ($1::text is null or a.manifest->>'category' = $1)
          and ($2::text is null or a.manifest->>'name' ilike $2 or a.manifest->>'shortName' ilike $2
               or a.manifest->>'description' ilike $2
               or exists (select 1 from version_locales l where l.app_id = a.app_id and l.version_code = a.version_code
                           and (l.name ilike $2 or l.short_name ilike $2 or l.description ilike $2)))
          and ($3::text is null or a.app_id > $3)
        order by a.app_id limit $4`,
      [
        filter.category ?? null,
        filter.q ? likePattern(filter.q) : null,
        filter.after,
        filter.limit + 1,
      ],
    );
    return {
      items: rows.slice(0, filter.limit).map((r) => this.localise(r, filter.ranges)),
      more: rows.length > filter.limit,
    };
  }

  /** The catalog entry of one app, or null when it is not listed [API-050]. */
  async entry(appId: string, ranges: readonly string[]): Promise<LocalisedApp | null> {
    const { rows } = await this.db.query<CatalogRow>(
      `select * from (${catalogSql}) a where a.app_id = $1`,
      [appId],
    );
    const row = rows[0];
    return row ? this.localise(row, ranges) : null;
  }

  /**
   * Recommendations from pseudonymous signals only [API-052]: apps in the categories this device already
   * launches, then apps popular among all devices over 30 days, then new releases; never one it launched.
   */
  async recommend(
    deviceId: string,
    ranges: readonly string[],
    limit: number,
  ): Promise<
    { app: CatalogApp; reason: 'similarToInstalled' | 'popularInCategory' | 'newRelease' }[]
  > {
    const [apps, popularity, launched] = await Promise.all([
      this.db.query<CatalogRow>(`${catalogSql} order by c.app_id limit 1000`),
      this.db.query<{ app_id: string; devices: number }>(
        `select app_id, count(distinct device_id)::integer as devices from analytics_events
          where type = 'app.launch' and occurred_at > now() - interval '30 days' group by app_id`,
      ),
      this.db.query<{ app_id: string }>(
        `select distinct app_id from analytics_events where device_id = $1 and type = 'app.launch'`,
        [deviceId],
      ),
    ]);
    const devices = new Map(popularity.rows.map((r) => [r.app_id, r.devices]));
    const own = new Set(launched.rows.map((r) => r.app_id));
    const entries = apps.rows.map((r) => this.localise(r, ranges));
    const ownCategories = new Set(
      entries.filter((e) => own.has(e.app.appId)).map((e) => e.app.category),
    );
    const recent = Date.now() - 14 * 24 * 60 * 60 * 1000;
    const ranked = entries
      .filter((e) => !own.has(e.app.appId))
      .map((e) => {
        const reason = ownCategories.has(e.app.category)
          ? ('similarToInstalled' as const)
          : (devices.get(e.app.appId) ?? 0) > 0
            ? ('popularInCategory' as const)
            : e.releasedAt.getTime() > recent
              ? ('newRelease' as const)
              : null;
        const rank = reason === 'similarToInstalled' ? 0 : reason === 'popularInCategory' ? 1 : 2;
        return { e, reason, rank, devices: devices.get(e.app.appId) ?? 0 };
      })
      .filter((r) => r.reason !== null)
      .sort(
        (a, b) =>
          a.rank - b.rank || b.devices - a.devices || a.e.app.appId.localeCompare(b.e.app.appId),
      );
    return ranked
      .slice(0, limit)
      .flatMap((r) => (r.reason ? [{ app: r.e.app, reason: r.reason }] : []));
  }

  /**
   * The icon of one declared size from the package of the app's catalog version [API-095], read with
   * the hostile-safe archive reader and kept in memory by package digest and path (immutable).
   */
  async icon(
    appId: string,
    size: string,
    bundle: (sha256: string) => Promise<string | Uint8Array>,
  ): Promise<CatalogIcon | null> {
    const { rows } = await this.db.query<CatalogRow>(
      `select * from (${catalogSql}) a where a.app_id = $1`,
      [appId],
    );
    const row = rows[0];
    if (!row) return null;
    const declared = Array.isArray(row.manifest.icons)
      ? (row.manifest.icons as { src?: unknown; sizes?: unknown; type?: unknown }[])
      : [];
    const icon = declared.find((i) => i.sizes === size && typeof i.src === 'string');
    if (!icon || typeof icon.src !== 'string') return null;
    const key = `${row.package_sha256}\n${icon.src}`;
    let bytes = this.icons.get(key);
    if (!bytes) {
      const source = await bundle(row.package_sha256)
        .then((archive) => openArchiveSource(archive))
        .catch(() => null);
      if (!source || !source.files.some((f) => f.path === icon.src)) return null;
      bytes = Buffer.from(await source.read(icon.src));
      if (this.icons.size >= 512) this.icons.delete(this.icons.keys().next().value ?? '');
      this.icons.set(key, bytes);
    }
    const type = typeof icon.type === 'string' ? icon.type : iconMediaType(icon.src);
    return { bytes, type, etag: `"${createHash('sha256').update(bytes).digest('hex')}"` };
  }

  /**
   * Records the localised names of a released version from its `i18n/<locale>.json` files [MAN-029],
   * once, so searches and lookups need not open packages. Unreadable translations are skipped: the
   * manifest's own strings still describe the app.
   */
  async recordLocales(
    appId: string,
    versionCode: number,
    bundle: () => Promise<string | Uint8Array>,
  ): Promise<void> {
    const done = await this.db.query(
      'select 1 from version_locales where app_id = $1 and version_code = $2 limit 1',
      [appId, versionCode],
    );
    if (done.rows.length > 0) return;
    const source = await bundle()
      .then((archive) => openArchiveSource(archive))
      .catch(() => null);
    if (!source) return;
    for (const file of source.files) {
      const match = /^i18n\/([A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)\.json$/.exec(file.path);
      const locale = match?.[1];
      if (!locale) continue;
      let strings: Record<string, unknown>;
      try {
        strings = JSON.parse(new TextDecoder().decode(await source.read(file.path))) as Record<
          string,
          unknown
        >;
      } catch {
        continue;
      }
      await this.db.query(
        `insert into version_locales (app_id, version_code, locale, name, short_name, description)
         values ($1, $2, $3, $4, $5, $6) on conflict do nothing`,
        [
          appId,
          versionCode,
          locale,
          text(strings.name) ?? null,
          text(strings.shortName) ?? null,
          text(strings.description) ?? null,
        ],
      );
    }
  }
}
