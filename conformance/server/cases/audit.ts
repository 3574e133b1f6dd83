import { CaseFailure } from '../../framework/index.ts';
import { bodyOf, expectStatus, serverCase, type ServerTest } from '../server-case.ts';

interface Entry {
  at: string;
  principal: { role: string; principalId: string };
  action: string;
  appId: string;
  versionCode: number;
  releaseId: string;
  from: string | null;
  to: string;
}

async function auditOf(t: ServerTest, appId: string, limit = 100): Promise<Entry[]> {
  const entries: Entry[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 100; page++) {
    const body = bodyOf<{ items: Entry[]; nextCursor?: string }>(
      await t.send({
        path: '/v1/admin/audit',
        token: t.adminToken,
        query: { appId, limit, cursor },
      }),
    );
    entries.push(...body.items);
    if (!body.nextCursor) return entries;
    cursor = body.nextCursor;
  }
  return entries;
}

export const auditCases = [
  serverCase({
    id: 'server.releases.audit-log',
    description:
      'Every successful release action appears in GET /v1/admin/audit, oldest first, with its principal, time and previous and new state, on pages of any size alike, and earlier entries never change',
    requirements: ['API-080', 'API-158', 'API-159'],
    why: 'The audit log is how a platform answers who rolled what out to whom; an entry missing, rewritten or out of order defeats it.',
    async run(t) {
      const app = await t.world.freshApp(t.scope, 'audit');
      const v1 = await t.world.approvedVersion(t.scope, app, { versionCode: 1 });
      const release = await t.world.release(t.scope, v1, { rolloutPercent: 10 });
      const first = await auditOf(t, app.appId);
      // Widening and revoking have routes of their own, the siblings most easily left unaudited.
      expectStatus(
        await t.send({
          method: 'PATCH',
          path: `/v1/partner/apps/${app.appId}/releases/${release.releaseId}`,
          token: app.partner.token,
          json: { rolloutPercent: 30 },
        }),
        200,
      );
      for (const action of ['pause', 'resume', 'complete', 'rollback'])
        expectStatus(await t.world.act(t.scope, release, action), 200);
      // The same version on beta too (a MAY of API-113): its revocation then writes two entries in one
      // change, which share a time, and paging must neither skip nor repeat either of them.
      const beta = await t.send({
        method: 'POST',
        path: `/v1/partner/apps/${app.appId}/releases`,
        token: app.partner.token,
        json: { versionCode: 1, channel: 'beta', rolloutPercent: 100 },
      });
      const betaId =
        beta.status === 201 ? bodyOf<{ releaseId: string }>(beta, 201).releaseId : null;
      expectStatus(await t.world.revoke(t.scope, v1, t.adminToken), 200);
      const entries = await auditOf(t, app.appId);
      if (betaId !== null && !entries.some((e) => e.releaseId === betaId && e.action === 'revoke'))
        throw new CaseFailure(
          'the revocation of the beta release of the same version is not listed',
        );
      for (const limit of [1, 2, 3]) {
        const paged = await auditOf(t, app.appId, limit);
        const show = (list: Entry[]) => list.map((e) => `${e.action} ${e.releaseId}`).join(', ');
        if (JSON.stringify(paged) !== JSON.stringify(entries))
          throw new CaseFailure(
            `paging by ${limit} lists ${paged.length} entries (${show(paged)}), one page of 100 lists ${entries.length} (${show(entries)})`,
          );
      }
      const expected: [string, string | null, string][] = [
        ['create', null, 'rollingOut'],
        ['rollout', 'rollingOut', 'rollingOut'],
        ['pause', 'rollingOut', 'paused'],
        ['resume', 'paused', 'rollingOut'],
        ['complete', 'rollingOut', 'completed'],
        ['rollback', 'completed', 'rolledBack'],
        ['revoke', 'rolledBack', 'revoked'],
      ];
      const ours = entries.filter((e) => e.releaseId === release.releaseId);
      const got = ours.map((e) => `${e.action} ${String(e.from)}->${e.to}`);
      const want = expected.map(([a, f, to]) => `${a} ${String(f)}->${to}`);
      if (got.join(', ') !== want.join(', '))
        throw new CaseFailure(`audit entries ${got.join(', ')}; expected ${want.join(', ')}`);
      for (const e of ours) {
        const role = e.action === 'revoke' ? 'admin' : 'partner';
        if (e.principal.role !== role)
          throw new CaseFailure(
            `the ${e.action} entry names a ${e.principal.role}, not the ${role}`,
          );
        if (
          role === 'partner' &&
          app.partner.principal.principalId &&
          !app.partner.principal.principalId.startsWith('dev-') &&
          e.principal.principalId !== app.partner.principal.principalId
        ) {
          throw new CaseFailure(
            `the ${e.action} entry names principal ${e.principal.principalId}, not ${app.partner.principal.principalId}`,
          );
        }
      }
      for (let i = 1; i < entries.length; i++) {
        if (Date.parse((entries[i] as Entry).at) < Date.parse((entries[i - 1] as Entry).at))
          throw new CaseFailure('the audit log is not oldest first');
      }
      const prefix = entries.slice(0, first.length);
      if (JSON.stringify(prefix) !== JSON.stringify(first))
        throw new CaseFailure('entries read before later actions changed or moved');
    },
  }),
];
