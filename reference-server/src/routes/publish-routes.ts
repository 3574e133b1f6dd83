import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyRequest } from 'fastify';
import type { OperationHandlers } from '../http/contract-routes.ts';
import { ApiProblem } from '../http/problem.ts';
import { PageCursors } from '../http/page-cursor.ts';
import { immutableCaching, indexMaxAge, sendMetadata } from '../publish/metadata-response.ts';
import { decideReview, type DecisionRequest } from '../publish/review-decision.ts';
import { reviewQueuePage } from '../publish/review-queue.ts';
import {
  requireOwnApp,
  requireVersion,
  versionColumns,
  versionPath,
  versionView,
  type VersionRow,
} from '../publish/version-records.ts';
import { uploadVersion } from '../publish/version-upload.ts';
import type { Services } from '../services.ts';

interface VersionParams {
  appId: string;
  versionCode: number;
}

interface PageQuery {
  cursor?: string;
  limit?: number;
}

const noStore = 'no-store';

function principalOf(request: FastifyRequest): NonNullable<FastifyRequest['principal']> {
  // Authentication ran before the handler; a route of this group without a principal is a wiring bug.
  if (!request.principal) throw new ApiProblem('API_UNAUTHENTICATED', 'a credential is required');
  return request.principal;
}

/**
 * Handlers of the publish operations, keyed by the contract's operationIds: uploads and versions for
 * partners, the review console for reviewers, and the public trust and release metadata.
 */
export function publishRoutes(services: Services): OperationHandlers {
  const { db, trust } = services;
  const cursors = new PageCursors(db);
  return {
    uploadVersion: async (request, reply) => {
      const { appId } = request.params as { appId: string };
      const outcome = await uploadVersion(services, request, appId);
      if (!outcome.created) return reply.code(200).send(outcome.version);
      return reply
        .code(201)
        .header('location', versionPath(appId, outcome.version.versionCode))
        .send(outcome.version);
    },

    listVersions: async (request, reply) => {
      const { appId } = request.params as { appId: string };
      const { cursor, limit = 20 } = request.query as PageQuery;
      await requireOwnApp(db, appId, principalOf(request).partnerId);
      // [API-048] the cursor is bound to this app's version list.
      const scope = `listVersions:${appId}`;
      const before = cursor === undefined ? null : Number(await cursors.open(scope, cursor));
      const { rows } = await db.query<VersionRow>(
        `select ${versionColumns} from versions v
          where v.app_id = $1 and v.version_code < $2::bigint
          order by v.version_code desc limit $3`,
        [appId, before ?? 2147483648, limit + 1],
      );
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return reply.header('cache-control', noStore).send({
        items: page.map(versionView),
        ...(rows.length > limit && last
          ? { nextCursor: await cursors.issue(scope, last.version_code) }
          : {}),
      });
    },

    getVersion: async (request, reply) => {
      const { appId, versionCode } = request.params as VersionParams;
      const row = await requireVersion(db, appId, versionCode, principalOf(request).partnerId);
      return reply.header('cache-control', noStore).send(versionView(row));
    },

    getVersionReview: async (request, reply) => {
      const { appId, versionCode } = request.params as VersionParams;
      const row = await requireVersion(db, appId, versionCode, principalOf(request).partnerId);
      return reply.header('cache-control', noStore).send(row.review_report);
    },

    listReviewQueue: async (request, reply) => {
      const { cursor, limit = 20 } = request.query as PageQuery;
      return reply
        .header('cache-control', noStore)
        .send(await reviewQueuePage(db, cursors, cursor, limit));
    },

    getReviewReport: async (request, reply) => {
      const { appId, versionCode } = request.params as VersionParams;
      const row = await requireVersion(db, appId, versionCode);
      return reply.header('cache-control', noStore).send(row.review_report);
    },

    getReviewScreenshot: async (request, reply) => {
      const { appId, versionCode, screenshotId } = request.params as VersionParams & {
        screenshotId: string;
      };
      const principal = principalOf(request);
      // Reviewers see every screenshot; a partner only those of its own apps [API-003].
      const row = await requireVersion(
        db,
        appId,
        versionCode,
        principal.role === 'reviewer' ? undefined : principal.partnerId,
      );
      const listed = row.review_report.screenshots.some((s) => s.sha256 === screenshotId);
      const png = listed
        ? await readFile(
            path.join(services.config.dataDir, 'screenshots', `${screenshotId}.png`),
          ).catch(() => null)
        : null;
      if (!png)
        throw new ApiProblem('API_NOT_FOUND', `no screenshot ${screenshotId} for this version`);
      return reply.header('cache-control', 'private, max-age=60').type('image/png').send(png);
    },

    decideReview: async (request, reply) => {
      const { appId, versionCode } = request.params as VersionParams;
      const report = await decideReview(
        services,
        principalOf(request),
        appId,
        versionCode,
        request.body as DecisionRequest,
      );
      return reply.header('cache-control', noStore).send(report);
    },

    getCurrentRoot: async (request, reply) => {
      const root = await trust.currentRoot();
      // [API-036] revalidated on every use.
      return sendMetadata(request, reply, root.bytes, 'no-cache');
    },

    getVersionedRoot: async (request, reply) => {
      const { version } = request.params as { version: number };
      const bytes = await trust.rootByVersion(version);
      if (!bytes) throw new ApiProblem('API_NOT_FOUND', `no trust root version ${version}`);
      // [API-037] every published version, byte-identical for ever.
      return sendMetadata(request, reply, bytes, immutableCaching);
    },

    getSignedIndex: async (request, reply) => {
      const index = await trust.currentIndex();
      // [API-038] at most 300 seconds, and never past the index's expiry.
      const maxAge = indexMaxAge(index.expires, new Date());
      return sendMetadata(request, reply, index.bytes, `public, max-age=${maxAge}`);
    },

    getReleaseEnvelope: async (request, reply) => {
      const { appId, versionCode } = request.params as VersionParams;
      const { rows } = await db.query<{ release_envelope: Uint8Array }>(
        `select release_envelope from versions
          where app_id = $1 and version_code = $2 and status = 'approved' and release_envelope is not null`,
        [appId, versionCode],
      );
      const envelope = rows[0]?.release_envelope;
      if (!envelope) {
        throw new ApiProblem(
          'API_NOT_FOUND',
          `version ${versionCode} of ${appId} has no release metadata`,
        );
      }
      // [API-040] [API-041] public and byte-identical for the life of the release.
      return sendMetadata(request, reply, envelope, immutableCaching);
    },
  };
}
