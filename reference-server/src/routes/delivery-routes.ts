import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../http/authentication.ts';
import type { OperationHandlers } from '../http/contract-routes.ts';
import { ApiProblem } from '../http/problem.ts';
import { BundleGate } from '../delivery/bundle-gate.ts';
import { ReleaseSnapshot } from '../delivery/release-snapshot.ts';
import { ifRangeHolds, parseByteRange } from '../delivery/byte-range.ts';
import { Catalog, categories, type LocalisedApp } from '../delivery/catalog.ts';
import { entityTagOf, noneMatchHits } from '../delivery/entity-tag.ts';
import { requestedLocales } from '../delivery/locale-lookup.ts';
import { PageCursors } from '../http/page-cursor.ts';
import { isPartnerAction } from '../delivery/release-state.ts';
import { checkUpdates, type UpdateCheck } from '../delivery/update-check.ts';
import { auditPrincipal, listAuditEntries } from '../releases/release-audit.ts';
import { ReleaseStore } from '../releases/release-store.ts';
import type { Services } from '../services.ts';

const immutable = 'public, max-age=31536000, immutable';
/** Catalog answers are the same for every host; shared caches keep them briefly [API-017]. */
const catalogCacheControl = 'public, max-age=60';
const languageTag = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/;

type Params = Record<string, string>;
type Query = Record<string, string | number | undefined>;

function params(request: FastifyRequest): Params {
  return request.params as Params;
}

function query(request: FastifyRequest): Query {
  return (request.query ?? {}) as Query;
}

function caller(request: FastifyRequest): Principal {
  if (!request.principal) throw new ApiProblem('API_UNAUTHENTICATED', 'a credential is needed');
  return request.principal;
}

function limitOf(request: FastifyRequest): number {
  const limit = query(request).limit;
  return typeof limit === 'number' ? limit : 20;
}

/**
 * Sends a metadata body with a strong ETag of its exact bytes [API-018], or 304 when the client already
 * holds it, with the same validator and caching headers [API-019].
 */
function sendTagged(
  request: FastifyRequest,
  reply: FastifyReply,
  body: unknown,
  headers: Record<string, string>,
): FastifyReply {
  const bytes = JSON.stringify(body);
  const etag = entityTagOf(bytes);
  reply.headers({ ...headers, etag });
  if (noneMatchHits(request.headers['if-none-match'], etag)) return reply.code(304).send();
  return reply.type('application/json; charset=utf-8').send(bytes);
}

/** The Content-Language of a list: the locale every item was chosen in, else the request's first choice. */
function listLanguage(items: readonly LocalisedApp[], ranges: readonly string[]): string {
  const chosen = new Set(items.map((i) => i.locale));
  const only = chosen.size === 1 ? [...chosen][0] : undefined;
  if (only !== undefined) return only;
  return ranges.find((r) => languageTag.test(r)) ?? 'en';
}

/** Handlers of the delivery operations, keyed by the contract's operationIds. */
export function deliveryRoutes(services: Services): OperationHandlers {
  const { db, config, trust, bundles } = services;
  const releases = new ReleaseStore(db, config.publicUrl, trust.delegations);
  const catalog = new Catalog(db, config.publicUrl);
  const cursors = new PageCursors(db);
  // Update checks and bundle downloads read the release set of the served index from memory [API-107].
  const releaseSnapshot = new ReleaseSnapshot(db, trust);
  const gate = new BundleGate(db, releaseSnapshot);

  /** The app of the URL, checked against the calling partner [API-003]. */
  async function ownedApp(
    request: FastifyRequest,
  ): Promise<{ appId: string; principal: Principal }> {
    const principal = caller(request);
    const appId = params(request).appId ?? '';
    await releases.assertOwned(appId, principal.partnerId);
    return { appId, principal };
  }

  async function sendBundle(request: FastifyRequest, reply: FastifyReply, head: boolean) {
    const digest = params(request).digest ?? '';
    // [API-046] anything but a stored, servable digest is 404 (for HEAD, Node drops the problem body
    // but the problem media type and status still tell the client what happened).
    const stored = (await gate.servable(digest)) ? await bundles.stat(digest) : null;
    if (!stored) throw new ApiProblem('API_NOT_FOUND', 'no bundle has this digest');
    const etag = `"${stored.sha256}"`;
    // [API-042] [API-043] [API-045] content-addressed bytes never change, so every cache may keep them.
    reply.headers({ etag, 'cache-control': immutable, 'accept-ranges': 'bytes' });
    if (head) {
      return reply
        .type('application/miniapp-pkg+zip')
        .header('content-length', String(stored.length))
        .send();
    }
    if (noneMatchHits(request.headers['if-none-match'], etag)) return reply.code(304).send();
    const rangeHeader = request.headers.range;
    const ifRange = request.headers['if-range'];
    const range =
      typeof rangeHeader === 'string' &&
      ifRangeHolds(typeof ifRange === 'string' ? ifRange : undefined, etag)
        ? parseByteRange(rangeHeader, stored.length)
        : null;
    if (range === 'unsatisfiable') {
      // [API-044] a range outside the bundle names the length so the client can start again.
      throw new ApiProblem(
        'API_RANGE_NOT_SATISFIABLE',
        `the bundle has ${String(stored.length)} bytes; the range lies outside it`,
        { headers: { 'content-range': `bytes */${String(stored.length)}` } },
      );
    }
    reply.type('application/miniapp-pkg+zip');
    // Small bundles come from memory; large ones stream from disk.
    const bytes = await bundles.bytes(stored);
    if (range) {
      return reply
        .code(206)
        .headers({
          'content-range': `bytes ${String(range.start)}-${String(range.end)}/${String(stored.length)}`,
          'content-length': String(range.end - range.start + 1),
        })
        .send(
          bytes ? bytes.subarray(range.start, range.end + 1) : bundles.open(stored.sha256, range),
        );
    }
    return reply
      .header('content-length', String(stored.length))
      .send(bytes ?? bundles.open(stored.sha256));
  }

  return {
    checkUpdates: async (request, reply) => {
      const results = await checkUpdates(
        releaseSnapshot,
        config.publicUrl,
        request.body as UpdateCheck,
      );
      // [API-021] batch answers are never cached.
      return reply.header('cache-control', 'no-store').send({
        checkedAt: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
        results,
      });
    },

    getAppUpdate: async (request, reply) => {
      const q = query(request);
      const appId = params(request).appId ?? '';
      // [API-031] the same selection as a batch of one.
      const [result] = await checkUpdates(releaseSnapshot, config.publicUrl, {
        hostApiVersion: String(q.hostApiVersion),
        channel: q.channel === 'beta' ? 'beta' : 'stable',
        deviceId: String(q.deviceId),
        apps: [{ appId, versionCode: Number(q.versionCode) }],
      });
      // [API-020] [API-032] private to the credential, at most a minute old.
      return sendTagged(request, reply, result, {
        'cache-control': 'private, max-age=60',
        vary: 'Authorization',
      });
    },

    getCatalogIcon: async (request, reply) => {
      const { appId, size } = request.params as { appId: string; size: string };
      const icon = await catalog.icon(appId, size, (sha256) => bundles.archive(sha256));
      if (!icon)
        throw new ApiProblem('API_NOT_FOUND', `${appId} is not listed or declares no ${size} icon`);
      if (noneMatchHits(request.headers['if-none-match'], icon.etag)) return reply.code(304).send();
      return reply
        .headers({
          etag: icon.etag,
          'cache-control': 'public, max-age=3600',
          // [API-096] an SVG icon opened on this origin can run no script.
          'content-security-policy': "sandbox; default-src 'none'; style-src 'unsafe-inline'",
          'x-content-type-options': 'nosniff',
        })
        .type(icon.type)
        .send(icon.bytes);
    },

    getBundle: (request, reply) => sendBundle(request, reply, false),
    headBundle: (request, reply) => sendBundle(request, reply, true),

    listReleases: async (request, reply) => {
      const { appId } = await ownedApp(request);
      const scope = `releases:${appId}`;
      const cursor = query(request).cursor;
      const after =
        typeof cursor === 'string'
          ? ((await cursors.open(scope, cursor)) as { created: string; id: string })
          : null;
      const page = await releases.list(appId, limitOf(request), after);
      return reply.header('cache-control', 'no-store').send({
        items: page.items,
        ...(page.next ? { nextCursor: await cursors.issue(scope, page.next) } : {}),
      });
    },

    createRelease: async (request, reply) => {
      const { appId, principal } = await ownedApp(request);
      const body = request.body as {
        versionCode: number;
        channel: 'stable' | 'beta';
        rolloutPercent: number;
        mandatory?: boolean;
      };
      const release = await releases.create({
        appId,
        versionCode: body.versionCode,
        channel: body.channel,
        rolloutPercent: body.rolloutPercent,
        mandatory: body.mandatory ?? false,
        principal: auditPrincipal(principal),
      });
      trust.indexChanged();
      const sha256 = await gate.packageOf(appId, body.versionCode);
      if (sha256)
        await catalog.recordLocales(appId, body.versionCode, () => bundles.archive(sha256));
      return reply
        .code(201)
        .header('location', `/v1/partner/apps/${appId}/releases/${release.releaseId}`)
        .send(release);
    },

    listAuditEntries: async (request, reply) => {
      // [API-158] admins only (the contract's security); one app's entries when appId is given.
      const q = query(request);
      const appId = typeof q.appId === 'string' ? q.appId : null;
      // A cursor is bound to its filter, so it cannot page through another app's log [API-049].
      const scope = `audit:${appId ?? ''}`;
      const after =
        typeof q.cursor === 'string' ? String(await cursors.open(scope, q.cursor)) : null;
      const page = await listAuditEntries(db, { appId, after, limit: limitOf(request) });
      return reply.header('cache-control', 'no-store').send({
        items: page.items,
        ...(page.last === null ? {} : { nextCursor: await cursors.issue(scope, page.last) }),
      });
    },

    getRelease: async (request, reply) => {
      const { appId } = await ownedApp(request);
      const release = await releases.get(appId, params(request).releaseId ?? '');
      return reply.header('cache-control', 'no-store').send(release);
    },

    updateReleaseRollout: async (request, reply) => {
      const { appId, principal } = await ownedApp(request);
      const release = await releases.widen({
        appId,
        releaseId: params(request).releaseId ?? '',
        rolloutPercent: (request.body as { rolloutPercent: number }).rolloutPercent,
        principal: auditPrincipal(principal),
      });
      trust.indexChanged();
      return reply.send(release);
    },

    actOnRelease: async (request, reply) => {
      const { appId, principal } = await ownedApp(request);
      const action = params(request).action ?? '';
      if (!isPartnerAction(action)) throw new ApiProblem('API_NOT_FOUND', `no action ${action}`);
      const release = await releases.act({
        appId,
        releaseId: params(request).releaseId ?? '',
        action,
        principal: auditPrincipal(principal),
      });
      trust.indexChanged();
      return reply.send(release);
    },

    revokeRelease: async (request, reply) => {
      const principal = caller(request);
      const appId = params(request).appId ?? '';
      const versionCode = Number(params(request).versionCode);
      const { revokedAt } = await releases.revoke({
        appId,
        versionCode,
        reason: (request.body as { reason: string }).reason,
        principal: auditPrincipal(principal),
      });
      trust.indexChanged();
      // [API-079] the answer names the index that already lists the revocation.
      const index = await trust.currentIndex();
      return reply.send({ appId, versionCode, revokedAt, indexVersion: index.version });
    },

    listCatalogApps: async (request, reply) => {
      const q = query(request);
      const ranges = requestedLocales(
        typeof q.locale === 'string' ? q.locale : undefined,
        request.headers['accept-language'],
      );
      const search = typeof q.q === 'string' && q.q.trim() !== '' ? q.q.trim() : undefined;
      const category = typeof q.category === 'string' ? q.category : undefined;
      // A cursor is bound to its filters, so it cannot be replayed against another query [API-049].
      const scope = `catalog:${JSON.stringify([search ?? null, category ?? null, ranges])}`;
      const after =
        typeof q.cursor === 'string' ? String(await cursors.open(scope, q.cursor)) : null;
      const page = await catalog.search({
        ...(search ? { q: search } : {}),
        ...(category ? { category } : {}),
        ranges,
        after,
        limit: limitOf(request),
      });
      const last = page.items.at(-1);
      const body = {
        items: page.items.map((i) => i.app),
        ...(page.more && last ? { nextCursor: await cursors.issue(scope, last.app.appId) } : {}),
      };
      return sendTagged(request, reply, body, {
        'cache-control': catalogCacheControl,
        'content-language': listLanguage(page.items, ranges),
        vary: 'Accept-Language',
      });
    },

    getCatalogApp: async (request, reply) => {
      const q = query(request);
      const ranges = requestedLocales(
        typeof q.locale === 'string' ? q.locale : undefined,
        request.headers['accept-language'],
      );
      const entry = await catalog.entry(params(request).appId ?? '', ranges);
      if (!entry) throw new ApiProblem('API_NOT_FOUND', 'the catalog lists no such app');
      const declared =
        entry.manifest.permissions && typeof entry.manifest.permissions === 'object'
          ? Object.entries(entry.manifest.permissions as Record<string, { reason?: unknown }>)
          : [];
      const body = {
        app: entry.app,
        locales: entry.locales,
        permissions: declared.map(([name, value]) => ({
          name,
          reason: typeof value.reason === 'string' ? value.reason : '',
        })),
        screenshots: [],
      };
      return sendTagged(request, reply, body, {
        'cache-control': catalogCacheControl,
        'content-language': entry.locale,
        vary: 'Accept-Language',
      });
    },

    listCategories: async (request, reply) => {
      // Labels exist in English only so far; the lookup therefore always lands on `en` [API-051].
      const body = {
        items: categories.map((id) => ({ id, label: id.charAt(0).toUpperCase() + id.slice(1) })),
      };
      return sendTagged(request, reply, body, {
        'cache-control': 'public, max-age=300',
        'content-language': 'en',
      });
    },

    listRecommendations: async (request, reply) => {
      const q = query(request);
      const ranges = requestedLocales(
        typeof q.locale === 'string' ? q.locale : undefined,
        request.headers['accept-language'],
      );
      const items = await catalog.recommend(String(q.deviceId), ranges, limitOf(request));
      // [API-020] the answer depends on the device, so only the client may keep it.
      return reply
        .headers({ 'cache-control': 'private, max-age=60', vary: 'Authorization' })
        .send({ items });
    },
  };
}
