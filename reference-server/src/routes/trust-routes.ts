import type { OperationHandlers } from '../http/contract-routes.ts';
import { ApiProblem } from '../http/problem.ts';
import { immutableCaching, sendMetadata } from '../publish/metadata-response.ts';
import type { Services } from '../services.ts';

/**
 * Handlers of the consistent-snapshot routes of the trust model (spec/distribution.md, Trust files and
 * signed metadata): every index, bin, delegation and statement at an address of its own, and the
 * admin routes of delegations signed offline.
 */
export function trustRoutes(services: Services): OperationHandlers {
  const { db, trust } = services;
  return {
    getVersionedIndex: async (request, reply) => {
      const { version } = request.params as { version: number };
      const bytes = await trust.indexByVersion(version);
      if (!bytes) throw new ApiProblem('API_NOT_FOUND', `no index version ${version}`);
      // [API-102] every published index, byte-identical for ever.
      return sendMetadata(request, reply, bytes, immutableCaching);
    },

    getBin: async (request, reply) => {
      const { prefix, version } = request.params as { prefix: string; version: number };
      const bytes = await trust.binByVersion(prefix === 'all' ? '' : prefix, version);
      if (!bytes) throw new ApiProblem('API_NOT_FOUND', `no bin ${prefix} version ${version}`);
      // [API-103] every pinned bin, byte-identical for ever.
      return sendMetadata(request, reply, bytes, immutableCaching);
    },

    getDelegation: async (request, reply) => {
      const { appId, version } = request.params as { appId: string; version: number };
      const bytes = await trust.delegations.envelope(appId, version);
      if (!bytes) throw new ApiProblem('API_NOT_FOUND', `no delegation ${version} of ${appId}`);
      // [API-104] public [API-041] and immutable.
      return sendMetadata(request, reply, bytes, immutableCaching);
    },

    getStatementEnvelope: async (request, reply) => {
      const { appId, versionCode } = request.params as { appId: string; versionCode: number };
      const { rows } = await db.query<{ statement: Uint8Array }>(
        `select statement from versions
          where app_id = $1 and version_code = $2 and status = 'approved' and release_envelope is not null`,
        [appId, versionCode],
      );
      const statement = rows[0]?.statement;
      if (!statement) {
        throw new ApiProblem(
          'API_NOT_FOUND',
          `version ${versionCode} of ${appId} has no release metadata, so no statement is served`,
        );
      }
      // [API-105] the partner's bytes exactly as uploaded, which the release metadata names by digest.
      return sendMetadata(request, reply, new Uint8Array(statement), immutableCaching);
    },

    listPendingDelegations: async (_request, reply) =>
      reply.header('cache-control', 'no-store').send({ items: await trust.delegations.pending() }),

    importDelegation: async (request, reply) => {
      const { appId } = request.params as { appId: string };
      const record = await trust.delegations.import(appId, request.body);
      // [API-110] the next index pins it.
      trust.indexChanged();
      return reply.code(201).header('cache-control', 'no-store').send(record);
    },
  };
}
