import { CaseFailure } from '../../framework/index.ts';
import { signStatement, statementFieldsFor } from '../inputs/author-statement.ts';
import { buildPackage } from '../inputs/test-package.ts';
import { expectStatus, serverCase } from '../server-case.ts';
import { describeExchange, jsonOf } from '../subject/http-exchange.ts';

export const reviewRuleCases = [
  serverCase({
    id: 'server.review.app-id-mismatch',
    description:
      'A package whose manifest id is another app of the same partner, uploaded to this app, is refused with REVIEW_APP_ID_MISMATCH (or SIG_WRONG_APP)',
    requirements: ['REV-005'],
    why: "The route names the app the version will belong to; a package of another app under it would ship one app's code under another's name.",
    async run(t) {
      const app = await t.world.freshApp(t.scope, 'idm');
      const other = await t.world.freshApp(t.scope, 'idm');
      const pkg = buildPackage({ appId: other.appId, versionCode: 1 });
      const statement = await statementFieldsFor(pkg.bytes, pkg.manifest, pkg.manifestBytes);
      const signed = await signStatement(statement, [app.partner.key]);
      const exchange = await t.world.upload(t.scope, app, { pkg, statementBytes: signed.bytes });
      if (exchange.status >= 400 && exchange.status < 500) {
        const code = jsonOf<{ code?: string }>(exchange)?.code;
        // The statement names the manifest's app, so SIG-021's SIG_WRONG_APP may fire before the review does.
        if (code !== 'REVIEW_APP_ID_MISMATCH' && code !== 'SIG_WRONG_APP') {
          throw new CaseFailure(
            `refused with ${String(code)}, expected REVIEW_APP_ID_MISMATCH or SIG_WRONG_APP`,
            [describeExchange(exchange)],
          );
        }
        return;
      }
      expectStatus(exchange, 201);
      const version = await t.world.settledVersion(t.scope, app, 1);
      const report = jsonOf<{ findings: { code: string; severity: string }[] }>(
        await t.send({
          path: `/v1/partner/apps/${app.appId}/versions/1/review`,
          token: app.partner.token,
        }),
      );
      if (
        version.reviewStatus !== 'rejected' ||
        !report?.findings.some((f) => f.code === 'REVIEW_APP_ID_MISMATCH' && f.severity === 'error')
      ) {
        throw new CaseFailure(
          `a package of ${other.appId} uploaded as ${app.appId} ended ${version.reviewStatus} without a REVIEW_APP_ID_MISMATCH error`,
        );
      }
    },
  }),
  serverCase({
    id: 'server.review.restricted-permission',
    description:
      "A version declaring a restricted permission its partner is not allowed is rejected by the review with REVIEW_PERMISSION_RESTRICTED, allowed once an admin adds it to the partner's list, and still rejected for a partner whose list lacks it",
    requirements: ['PRM-019', 'PRM-020'],
    why: "Restricted permissions need the platform's approval of the partner; a server without the per-partner list releases them to anyone.",
    async run(t) {
      const app = await t.world.freshApp(t.scope, 'rp');
      const prepared = await t.world.prepareVersion(app, {
        versionCode: 1,
        permissions: { phoneNumber: 'To confirm deliveries by phone.' },
      });
      expectStatus(await t.world.upload(t.scope, app, prepared), 201);
      const version = await t.world.settledVersion(t.scope, app, 1);
      const report = jsonOf<{ findings: { code: string; severity: string }[] }>(
        await t.send({
          path: `/v1/partner/apps/${app.appId}/versions/1/review`,
          token: app.partner.token,
        }),
      );
      if (
        version.reviewStatus !== 'rejected' ||
        !report?.findings.some(
          (f) => f.code === 'REVIEW_PERMISSION_RESTRICTED' && f.severity === 'error',
        )
      ) {
        throw new CaseFailure(
          `a version declaring phoneNumber ended ${version.reviewStatus} without a REVIEW_PERMISSION_RESTRICTED error`,
        );
      }
      if (!t.world.principals.complete) return;
      const partner = await t.world.newPartner(t.scope, 'restricted');
      const list = await t.send({
        method: 'PUT',
        path: `/v1/admin/partners/${partner.partnerId}/restricted-permissions`,
        token: t.adminToken,
        json: { permissions: ['phoneNumber'] },
      });
      const answered = jsonOf<{ permissions?: string[] }>(list);
      if (list.status !== 200 || answered?.permissions?.join() !== 'phoneNumber')
        throw new CaseFailure(`setting the list answered ${describeExchange(list)}`);
      const allowed = await t.world.freshApp(t.scope, 'rp', partner);
      expectStatus(
        await t.world.upload(
          t.scope,
          allowed,
          await t.world.prepareVersion(allowed, {
            versionCode: 1,
            permissions: { phoneNumber: 'To confirm deliveries by phone.' },
          }),
        ),
        201,
      );
      const after = await t.world.settledVersion(t.scope, allowed, 1);
      if (after.reviewStatus === 'rejected')
        throw new CaseFailure('a version declaring an allowed restricted permission was rejected');
      // The list is the partner's own: another partner's grant allows nothing to the first one.
      expectStatus(
        await t.world.upload(
          t.scope,
          app,
          await t.world.prepareVersion(app, {
            versionCode: 2,
            permissions: { phoneNumber: 'To confirm deliveries by phone.' },
          }),
        ),
        201,
      );
      const still = await t.world.settledVersion(t.scope, app, 2);
      if (still.reviewStatus !== 'rejected')
        throw new CaseFailure(
          `once another partner was allowed phoneNumber, a version of a partner without it ended ${still.reviewStatus}, not rejected`,
        );
    },
  }),
  serverCase({
    id: 'server.review.own-partner-reviewer',
    description:
      "A reviewer who belongs to a partner can neither approve nor reject that partner's versions: 403 API_FORBIDDEN, and the version stays queued",
    requirements: ['API-085', 'API-153'],
    why: "Review exists to put a second party between a partner and its users; reviewing one's own app removes it.",
    async run(t) {
      t.world.skipUnlessComplete();
      const app = await t.world.freshApp(t.scope, 'own');
      expectStatus(
        await t.world.upload(t.scope, app, await t.world.prepareVersion(app, { versionCode: 1 })),
        201,
      );
      await t.world.settledVersion(t.scope, app, 1);
      const insider = await t.world.principals.create(
        'reviewer',
        { partnerId: app.partner.partnerId },
        t.scope,
      );
      expectStatus(
        await t.world.decide(t.scope, app, 1, 'approve', insider.credential),
        403,
        'API_FORBIDDEN',
      );
      // A rejection is a decision too: an insider could sink a version to suit the partner.
      expectStatus(
        await t.world.decide(
          t.scope,
          app,
          1,
          'reject',
          insider.credential,
          'Rename the app before release.',
        ),
        403,
        'API_FORBIDDEN',
      );
      const version = await t.world.settledVersion(t.scope, app, 1);
      if (version.reviewStatus !== 'queued')
        throw new CaseFailure(`the version became ${version.reviewStatus}`);
    },
  }),
];
