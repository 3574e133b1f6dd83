import { CaseFailure } from '../../framework/index.ts';
import { sha256Hex } from '../crypto/digest.ts';
import { bodyOf, expectStatus, serverCase } from '../server-case.ts';
import { readSignedIndex } from '../subject/index-reader.ts';

interface Release {
  releaseId: string;
  state: string;
  rolloutPercent: number;
}

export const releaseCases = [
  serverCase({
    id: 'server.releases.only-approved',
    description:
      'Creating a release of a version that is not approved (queued or unknown) is refused with 409 API_VERSION_NOT_APPROVED',
    requirements: ['API-075', 'REV-019'],
    why: 'A release is what hosts install; releasing an unreviewed version skips review entirely.',
    async run(t) {
      const app = await t.world.freshApp(t.scope, 'na');
      expectStatus(
        await t.world.upload(t.scope, app, await t.world.prepareVersion(app, { versionCode: 1 })),
        201,
      );
      await t.world.settledVersion(t.scope, app, 1);
      const exchange = await t.send({
        method: 'POST',
        path: `/v1/partner/apps/${app.appId}/releases`,
        token: app.partner.token,
        json: { versionCode: 1, channel: 'stable', rolloutPercent: 100 },
      });
      expectStatus(exchange, 409, 'API_VERSION_NOT_APPROVED');
      const list = bodyOf<{ items: unknown[] }>(
        await t.send({ path: `/v1/partner/apps/${app.appId}/releases`, token: app.partner.token }),
      );
      if (list.items.length > 0) throw new CaseFailure('the refused release was listed');
    },
  }),
  serverCase({
    id: 'server.releases.state-machine',
    description:
      'Release actions follow the state table: allowed transitions answer 200 with the new state, every other action 409 API_RELEASE_STATE_CONFLICT',
    requirements: ['API-076'],
    why: 'Resuming a completed release or completing a rolled-back one would put withdrawn code back on devices.',
    async run(t) {
      const app = await t.world.freshApp(t.scope, 'sm');
      const v1 = await t.world.approvedVersion(t.scope, app, { versionCode: 1 });
      const v2 = await t.world.approvedVersion(t.scope, app, { versionCode: 2 });
      const full = await t.world.release(t.scope, v1, { rolloutPercent: 100 });
      if (full.state !== 'completed')
        throw new CaseFailure(`a release created at 100 % is ${full.state}, not completed`);
      const partial = await t.world.release(t.scope, v2, { rolloutPercent: 20 });
      if (partial.state !== 'rollingOut')
        throw new CaseFailure(`a release created at 20 % is ${partial.state}, not rollingOut`);
      const steps: [typeof partial, string, string | null][] = [
        [partial, 'resume', null],
        [partial, 'pause', 'paused'],
        [partial, 'pause', null],
        [partial, 'resume', 'rollingOut'],
        [partial, 'pause', 'paused'],
        [partial, 'complete', 'completed'],
        [partial, 'pause', null],
        [partial, 'resume', null],
        [partial, 'complete', null],
        [partial, 'rollback', 'rolledBack'],
        [partial, 'rollback', null],
        [partial, 'resume', null],
        [partial, 'complete', null],
        [partial, 'pause', null],
        [full, 'pause', null],
        [full, 'rollback', 'rolledBack'],
      ];
      for (const [release, action, next] of steps) {
        const exchange = await t.world.act(t.scope, release, action);
        if (next === null) {
          try {
            expectStatus(exchange, 409, 'API_RELEASE_STATE_CONFLICT');
          } catch (error) {
            throw new CaseFailure(`${action} from ${release.state}: ${(error as Error).message}`);
          }
          continue;
        }
        const body = bodyOf<Release>(exchange);
        if (body.state !== next)
          throw new CaseFailure(
            `${action} from ${release.state} gave ${body.state}, expected ${next}`,
          );
        release.state = next;
      }
    },
  }),
  serverCase({
    id: 'server.releases.rollout-percent',
    description:
      'rolloutPercent with three decimals, outside 0 to 100, or lowered by a change (of a rolling-out, paused or completed release) is refused; a raise with two decimals is taken',
    requirements: ['API-077'],
    why: 'Cohorts are computed to a hundredth of a percent; lowering a rollout takes the update away from devices that already have it.',
    async run(t) {
      const app = await t.world.freshApp(t.scope, 'rp');
      const v1 = await t.world.approvedVersion(t.scope, app, { versionCode: 1 });
      const create = (rolloutPercent: unknown) =>
        t.send({
          method: 'POST',
          path: `/v1/partner/apps/${app.appId}/releases`,
          token: app.partner.token,
          json: { versionCode: 1, channel: 'beta', rolloutPercent },
        });
      expectStatus(await create(12.345), 400, 'API_ROLLOUT_INVALID');
      for (const bad of [100.01, -0.01, 1e9]) {
        const exchange = await create(bad);
        expectStatus(exchange, 400);
        const code = (JSON.parse(new TextDecoder().decode(exchange.body)) as { code?: string })
          .code;
        if (code !== 'API_ROLLOUT_INVALID' && code !== 'API_VALIDATION_FAILED')
          throw new CaseFailure(`rolloutPercent ${bad} answered code ${code}`);
      }
      const release = await t.world.release(t.scope, v1, { rolloutPercent: 10.5 });
      const patch = (rolloutPercent: number) =>
        t.send({
          method: 'PATCH',
          path: `/v1/partner/apps/${app.appId}/releases/${release.releaseId}`,
          token: app.partner.token,
          json: { rolloutPercent },
        });
      expectStatus(await patch(10.49), 400, 'API_ROLLOUT_INVALID');
      expectStatus(await patch(20.125), 400, 'API_ROLLOUT_INVALID');
      const raised = bodyOf<Release>(await patch(33.33));
      if (raised.rolloutPercent !== 33.33)
        throw new CaseFailure(`the raised release has rolloutPercent ${raised.rolloutPercent}`);
      expectStatus(await patch(33.32), 400, 'API_ROLLOUT_INVALID');
      const after = bodyOf<Release>(
        await t.send({
          path: `/v1/partner/apps/${app.appId}/releases/${release.releaseId}`,
          token: app.partner.token,
        }),
      );
      if (after.rolloutPercent !== 33.33)
        throw new CaseFailure(`a refused change left rolloutPercent at ${after.rolloutPercent}`);
      // Not lowered while paused either, nor once completed. Whether a paused or completed release
      // may be widened at all the spec leaves open, so a state conflict is as good as API_ROLLOUT_INVALID.
      for (const [action, state, percent] of [
        ['pause', 'paused', 33.33],
        ['complete', 'completed', 100],
      ] as const) {
        expectStatus(await t.world.act(t.scope, release, action), 200);
        const lowered = await patch(20);
        const code = (
          JSON.parse(new TextDecoder().decode(lowered.body)) as { code?: string } | null
        )?.code;
        if (
          !(lowered.status === 400 && code === 'API_ROLLOUT_INVALID') &&
          !(lowered.status === 409 && code === 'API_RELEASE_STATE_CONFLICT')
        )
          throw new CaseFailure(
            `lowering a ${state} release from ${percent} to 20 answered ${lowered.status} ${String(code)}, not 400 API_ROLLOUT_INVALID (or 409 API_RELEASE_STATE_CONFLICT)`,
          );
        const now = bodyOf<Release>(
          await t.send({
            path: `/v1/partner/apps/${app.appId}/releases/${release.releaseId}`,
            token: app.partner.token,
          }),
        );
        if (now.rolloutPercent !== percent || now.state !== state)
          throw new CaseFailure(
            `after the refused change the ${state} release is ${now.state} at ${now.rolloutPercent}`,
          );
      }
    },
  }),
  serverCase({
    id: 'server.releases.revocation-in-next-index',
    description:
      'After an admin revokes a release, the next signed index lists the digest of its envelope as revoked',
    requirements: ['API-079', 'SIG-060'],
    why: 'Revocation reaches hosts only through the index; a revocation recorded but never published leaves the release installable.',
    async run(t) {
      const app = await t.world.freshApp(t.scope, 'rv');
      const v1 = await t.world.approvedVersion(t.scope, app, { versionCode: 1 });
      await t.world.release(t.scope, v1);
      const envelope = await t.send({ path: `/v1/releases/${app.appId}/1.release.json` });
      expectStatus(envelope, 200);
      const digest = await sha256Hex(envelope.body);
      const revocation = bodyOf<{ indexVersion: number }>(
        await t.world.revoke(t.scope, v1, t.adminToken),
      );
      const index = await readSignedIndex(t);
      if (index.version < revocation.indexVersion) {
        throw new CaseFailure(
          `the served index ${index.version} is older than ${revocation.indexVersion}, the one the revocation names`,
        );
      }
      const entry = await index.entry(app.appId);
      if (!entry.revokedReleases.includes(digest))
        throw new CaseFailure(
          `the index ${index.version} does not list ${digest} in the app's revokedReleases`,
        );
      if (entry.releases.some((r) => r.sha256 === digest))
        throw new CaseFailure(`the index ${index.version} still pins the revoked release`);
    },
  }),
];
