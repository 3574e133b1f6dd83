import { CaseFailure } from '../../framework/index.ts';
import { utf8 } from '../crypto/byte-encoding.ts';
import { signStatement, statementFieldsFor } from '../inputs/author-statement.ts';
import { manifestOf, packageEntries } from '../inputs/test-package.ts';
import { writeZip } from '../inputs/zip-writer.ts';
import { payloadTypes } from '../crypto/dsse-envelope.ts';
import { bodyOf, expectStatus, serverCase, type ServerTest } from '../server-case.ts';
import { currentRoot, open, verifyRole } from '../subject/trust-chain.ts';
import { CaseSkip } from '../subject/case-skip.ts';
import type { TestApp } from '../subject/test-world.ts';

interface Report {
  status: string;
  specVersion: string;
  ruleSetVersion: string;
  findings: {
    code: string;
    severity: string;
    requirement: string;
    location?: { file?: string; line?: number };
  }[];
  decisions: { decision: string; reviewer: string; decidedAt: string; feedback?: string }[];
}

interface QueueItem {
  appId: string;
  versionCode: number;
  enteredAt: string;
}

async function reviewerReport(t: ServerTest, app: TestApp, versionCode: number): Promise<Report> {
  const reviewer = await t.world.reviewer(t.scope);
  return bodyOf<Report>(
    await t.send({ path: `/v1/review/${app.appId}/${versionCode}`, token: reviewer.credential }),
  );
}

async function partnerReport(t: ServerTest, app: TestApp, versionCode: number): Promise<Report> {
  return bodyOf<Report>(
    await t.send({
      path: `/v1/partner/apps/${app.appId}/versions/${versionCode}/review`,
      token: app.partner.token,
    }),
  );
}

/** Uploads a package whose page runs `script`; the automated checks may still be running. */
export async function uploadWithScript(
  t: ServerTest,
  app: TestApp,
  versionCode: number,
  script: string,
  permissions?: Record<string, string>,
) {
  const spec = { appId: app.appId, versionCode, ...(permissions ? { permissions } : {}) };
  const manifest = manifestOf(spec);
  const manifestBytes = utf8(JSON.stringify(manifest));
  const entries = packageEntries(spec, manifestBytes).map((e) =>
    e.path === 'pages/index.html'
      ? {
          ...e,
          data: utf8(
            '<!doctype html><html><head><meta charset="utf-8"><title>x</title><script src="../app.js"></script></head><body>x</body></html>\n',
          ),
        }
      : e,
  );
  entries.push({ path: 'app.js', data: utf8(script) });
  entries.sort((a, b) => (a.path < b.path ? -1 : 1));
  const bytes = writeZip(entries);
  const statement = await statementFieldsFor(bytes, manifest, manifestBytes);
  const signed = await signStatement(statement, [app.partner.key]);
  const exchange = await t.world.upload(t.scope, app, {
    pkg: { bytes, manifestBytes, manifest, entries },
    statementBytes: signed.bytes,
  });
  return exchange;
}

export const reviewCases = [
  serverCase({
    id: 'server.review.first-version-queued',
    description:
      'The first version of an app enters the manual review queue after its automated checks, also when an earlier upload of the app was rejected by them',
    requirements: ['REV-014', 'API-073'],
    why: 'A first version has never been seen by a person; auto-approving it lets anyone publish an app with no human review, for instance after a first upload the automated checks rejected.',
    async run(t) {
      const app = await t.world.freshApp(t.scope, 'q');
      expectStatus(
        await t.world.upload(t.scope, app, await t.world.prepareVersion(app, { versionCode: 1 })),
        201,
      );
      const version = await t.world.settledVersion(t.scope, app, 1);
      if (version.reviewStatus !== 'queued')
        throw new CaseFailure(`the first version ended ${version.reviewStatus}, not queued`);
      // No version of this app was ever approved: the clean upload after a rejected one is still its first.
      const retried = await t.world.freshApp(t.scope, 'q');
      expectStatus(
        await uploadWithScript(
          t,
          retried,
          1,
          'const input = "1 + 1";\nconsole.log(eval(input));\n',
        ),
        201,
      );
      const rejected = await t.world.settledVersion(t.scope, retried, 1);
      if (rejected.reviewStatus !== 'rejected')
        throw new CaseSkip(`a package calling eval ended ${rejected.reviewStatus}, not rejected`);
      expectStatus(
        await t.world.upload(
          t.scope,
          retried,
          await t.world.prepareVersion(retried, { versionCode: 2 }),
        ),
        201,
      );
      const second = await t.world.settledVersion(t.scope, retried, 2);
      if (second.reviewStatus !== 'queued')
        throw new CaseFailure(
          `after version 1 was rejected by the automated checks, version 2 (the first a reviewer could approve) ended ${second.reviewStatus}, not queued`,
        );
    },
  }),
  serverCase({
    id: 'server.review.new-permission-queued',
    description:
      'A version that declares and uses a permission no earlier approved version declared enters the manual review queue, also after a version declaring it was rejected',
    requirements: ['REV-014'],
    why: "A new permission is what changes a user's exposure; letting it through automatically turns an approved app into an unreviewed one.",
    async run(t) {
      const app = await t.world.freshApp(t.scope, 'perm');
      await t.world.approvedVersion(t.scope, app, { versionCode: 1 });
      // The code uses the permission, so no unused-permission warning [REV-117] queues the version instead.
      const script = "MiniAppBridge.call('location.getCurrent', {}).then((p) => console.log(p));\n";
      const permissions = { location: 'To show shops near you.' };
      const queued = async (versionCode: number, what: string) => {
        expectStatus(await uploadWithScript(t, app, versionCode, script, permissions), 201);
        const version = await t.world.settledVersion(t.scope, app, versionCode);
        if (version.reviewStatus !== 'queued') {
          const report = await partnerReport(t, app, versionCode);
          throw new CaseFailure(
            `${what} ended ${version.reviewStatus}, not queued (findings: ${report.findings.map((f) => f.code).join(', ') || 'none'})`,
          );
        }
      };
      await queued(2, 'a version adding the location permission');
      // Rejected, it declared the permission but no approved version did: the next one is new again.
      expectStatus(
        await t.world.decide(
          t.scope,
          app,
          2,
          'reject',
          undefined,
          'Remove the location permission.',
        ),
        200,
      );
      await queued(
        3,
        'after version 2 was rejected, version 3 declaring the same location permission (only an approved version vouches for one)',
      );
    },
  }),
  serverCase({
    id: 'server.review.warning-queued',
    description:
      'A later version whose report holds a warning, and that adds no permission, enters the manual review queue',
    requirements: ['REV-014'],
    why: 'A warning is what the automated checks could not decide; approving it unseen ships exactly the code nobody looked at.',
    async run(t) {
      const app = await t.world.freshApp(t.scope, 'warn');
      await t.world.approvedVersion(t.scope, app, { versionCode: 1 });
      // A bridge method named at run time cannot be checked before release [REV-115].
      const script =
        "const method = ['storage', 'get'].join('.');\nMiniAppBridge.call(method, { key: 'x' });\n";
      expectStatus(await uploadWithScript(t, app, 2, script), 201);
      const version = await t.world.settledVersion(t.scope, app, 2);
      const report = await partnerReport(t, app, 2);
      const warnings = report.findings.filter((f) => f.severity === 'warning');
      const errors = report.findings.filter((f) => f.severity === 'error');
      // Reporting a SHOULD as a warning is itself a SHOULD [REV-150]: without one there is nothing to judge.
      if (warnings.length === 0 || errors.length > 0)
        throw new CaseSkip(
          `the report holds ${warnings.length} warning(s) and ${errors.length} error(s); the case needs warnings only`,
        );
      if (version.reviewStatus !== 'queued')
        throw new CaseFailure(
          `a version whose report holds ${warnings.map((f) => f.code).join(', ')} ended ${version.reviewStatus}, not queued`,
        );
    },
  }),
  serverCase({
    id: 'server.review.queue-order',
    description:
      'The review queue is ordered by the time each version entered it, oldest first, not by app id or versionCode',
    requirements: ['REV-016'],
    why: 'Reviewers work from the top; a queue in another order starves old submissions.',
    async run(t) {
      const reviewer = await t.world.reviewer(t.scope);
      // The version queued first has the app id that sorts last and the greater versionCode, so a
      // queue sorted by either lists it second.
      const first = await t.world.freshApp(t.scope, 'qoz');
      const second = await t.world.freshApp(t.scope, 'qoa');
      for (const [app, versionCode] of [
        [first, 2],
        [second, 1],
      ] as const) {
        expectStatus(
          await t.world.upload(t.scope, app, await t.world.prepareVersion(app, { versionCode })),
          201,
        );
        await t.world.settledVersion(t.scope, app, versionCode);
      }
      const items: QueueItem[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 50; page++) {
        const body = bodyOf<{ items: QueueItem[]; nextCursor?: string }>(
          await t.send({
            path: '/v1/review/queue',
            token: reviewer.credential,
            query: { limit: 100, cursor },
            quiet: page > 0,
          }),
        );
        items.push(...body.items);
        if (!body.nextCursor) break;
        cursor = body.nextCursor;
      }
      for (let i = 1; i < items.length; i++) {
        if (
          Date.parse((items[i] as QueueItem).enteredAt) <
          Date.parse((items[i - 1] as QueueItem).enteredAt)
        ) {
          throw new CaseFailure(
            `item ${i} entered at ${(items[i] as QueueItem).enteredAt}, before item ${i - 1} (${(items[i - 1] as QueueItem).enteredAt})`,
          );
        }
      }
      const a = items.findIndex((i) => i.appId === first.appId);
      const b = items.findIndex((i) => i.appId === second.appId);
      if (a < 0 || b < 0) throw new CaseFailure('the queue does not list both queued versions');
      if (a > b) throw new CaseFailure(`${first.appId}, queued first, comes after ${second.appId}`);
    },
  }),
  serverCase({
    id: 'server.review.decisions-recorded',
    description:
      'A rejection without feedback, or with blank feedback, is refused with 400; a decision is recorded in the report with reviewer, time and feedback, shown to the partner',
    requirements: ['API-083', 'REV-017', 'REV-018', 'REV-010', 'REV-012'],
    why: "The partner can only fix what the reviewer names, and the record of who decided is the platform's audit of review.",
    async run(t) {
      const app = await t.world.freshApp(t.scope, 'dec');
      expectStatus(
        await t.world.upload(t.scope, app, await t.world.prepareVersion(app, { versionCode: 1 })),
        201,
      );
      await t.world.settledVersion(t.scope, app, 1);
      expectStatus(await t.world.decide(t.scope, app, 1, 'reject'), 400, 'API_VALIDATION_FAILED');
      // Blank feedback names nothing to change, like none at all (the contract's pattern \S).
      for (const blank of ['', ' \n\t '])
        expectStatus(
          await t.world.decide(t.scope, app, 1, 'reject', undefined, blank),
          400,
          'API_VALIDATION_FAILED',
        );
      if ((await t.world.settledVersion(t.scope, app, 1)).reviewStatus !== 'queued')
        throw new CaseFailure('a refused decision changed the version');
      const feedback = `Certification ${t.subject.runId}: the entry page names no purpose; describe what the app does.`;
      expectStatus(await t.world.decide(t.scope, app, 1, 'reject', undefined, feedback), 200);
      const report = await partnerReport(t, app, 1);
      const decision = report.decisions.at(-1);
      if (report.status !== 'rejected')
        throw new CaseFailure(`the report status is ${report.status} after a rejection`);
      if (
        !decision ||
        decision.decision !== 'reject' ||
        decision.feedback !== feedback ||
        !decision.reviewer ||
        !decision.decidedAt
      ) {
        throw new CaseFailure(
          `the partner's report does not record the rejection with reviewer, time and feedback: ${JSON.stringify(decision)}`,
        );
      }
      if (!/^\d+\.\d+$/.test(report.specVersion) || !report.ruleSetVersion)
        throw new CaseFailure('the report names no specVersion or ruleSetVersion');
      const approved = await t.world.freshApp(t.scope, 'dec');
      await t.world.approvedVersion(t.scope, approved, { versionCode: 1 });
      const approval = (await reviewerReport(t, approved, 1)).decisions.at(-1);
      if (approval?.decision !== 'approve' || !approval.reviewer || !approval.decidedAt) {
        throw new CaseFailure(
          `the report does not record the approval: ${JSON.stringify(approval)}`,
        );
      }
      // [REV-018] the record names who decided: another reviewer's decision names another reviewer.
      if (t.world.principals.complete) {
        const other = await t.world.principal(t.scope, 'reviewer', 'second');
        const third = await t.world.freshApp(t.scope, 'dec');
        expectStatus(
          await t.world.upload(
            t.scope,
            third,
            await t.world.prepareVersion(third, { versionCode: 1 }),
          ),
          201,
        );
        await t.world.settledVersion(t.scope, third, 1);
        expectStatus(
          await t.world.decide(t.scope, third, 1, 'reject', other.credential, feedback),
          200,
        );
        const byOther = (await partnerReport(t, third, 1)).decisions.at(-1);
        if (!byOther?.reviewer || byOther.reviewer === decision.reviewer)
          throw new CaseFailure(
            `two reviewers' rejections both record the reviewer as ${JSON.stringify(decision.reviewer)}`,
          );
      }
    },
  }),
  serverCase({
    id: 'server.review.countersigned-on-approval',
    description:
      'No release envelope exists for a queued version; once approved and released, its envelope verifies under the release role',
    requirements: ['API-084', 'SIG-030'],
    why: 'The platform signature is the statement that review passed; signing before review, or approving without signing, breaks that meaning.',
    async run(t) {
      const app = await t.world.freshApp(t.scope, 'cs');
      expectStatus(
        await t.world.upload(t.scope, app, await t.world.prepareVersion(app, { versionCode: 1 })),
        201,
      );
      await t.world.settledVersion(t.scope, app, 1);
      expectStatus(
        await t.send({ path: `/v1/releases/${app.appId}/1.release.json` }),
        404,
        'API_NOT_FOUND',
      );
      expectStatus(await t.world.decide(t.scope, app, 1, 'approve'), 200);
      const version = await t.world.settledVersion(t.scope, app, 1);
      if (version.reviewStatus !== 'approved')
        throw new CaseFailure(`the approved version is ${version.reviewStatus}`);
      const prepared = await t.world.prepareVersion(app, { versionCode: 1 });
      await t.world.release(t.scope, {
        app,
        versionCode: 1,
        pkg: prepared.pkg,
        sha256: version.package.sha256,
        statement: prepared.statement,
        statementBytes: prepared.statementBytes,
        minHostVersion: '1.0.0',
      });
      const envelope = await t.send({ path: `/v1/releases/${app.appId}/1.release.json` });
      expectStatus(envelope, 200);
      await verifyRole(
        await currentRoot(t),
        open(envelope.body, payloadTypes.release, 'release envelope'),
        'release',
        'release envelope',
      );
    },
  }),
  serverCase({
    id: 'server.review.decision-needs-queue',
    description:
      'A decision on a version that is not in the queue (approved or rejected) is refused with 409 API_REVIEW_STATE_CONFLICT and changes nothing',
    requirements: ['API-086', 'REV-013'],
    why: 'A second decision would let a reviewer flip a rejection into an approval after the fact.',
    async run(t) {
      const app = await t.world.freshApp(t.scope, 'dq');
      await t.world.approvedVersion(t.scope, app, { versionCode: 1 });
      expectStatus(
        await t.world.decide(t.scope, app, 1, 'approve'),
        409,
        'API_REVIEW_STATE_CONFLICT',
      );
      expectStatus(
        await t.world.decide(t.scope, app, 1, 'reject', undefined, 'late rejection'),
        409,
        'API_REVIEW_STATE_CONFLICT',
      );
      const rejected = await t.world.freshApp(t.scope, 'dq');
      expectStatus(
        await t.world.upload(
          t.scope,
          rejected,
          await t.world.prepareVersion(rejected, { versionCode: 1 }),
        ),
        201,
      );
      await t.world.settledVersion(t.scope, rejected, 1);
      expectStatus(
        await t.world.decide(t.scope, rejected, 1, 'reject', undefined, 'Needs a description.'),
        200,
      );
      expectStatus(
        await t.world.decide(t.scope, rejected, 1, 'approve'),
        409,
        'API_REVIEW_STATE_CONFLICT',
      );
      const after = await t.world.settledVersion(t.scope, rejected, 1);
      if (after.reviewStatus !== 'rejected')
        throw new CaseFailure(`the rejected version became ${after.reviewStatus}`);
    },
  }),
  serverCase({
    id: 'server.review.code-rules-reject',
    description:
      'A package whose script calls eval is rejected by the automated checks with the CODE_EVAL error finding located in that script, and neither approval nor release can change that',
    requirements: ['REV-001', 'REV-011', 'REV-013', 'REV-019', 'API-075'],
    why: 'The automated checks are the first gate; a server that skips a rule of miniapp validate, or lets a reviewer override an error, ships code the rules forbid.',
    async run(t) {
      const app = await t.world.freshApp(t.scope, 'ev');
      expectStatus(
        await uploadWithScript(t, app, 1, 'const input = "1 + 1";\nconsole.log(eval(input));\n'),
        201,
      );
      const version = await t.world.settledVersion(t.scope, app, 1);
      if (version.reviewStatus !== 'rejected')
        throw new CaseFailure(`a package calling eval ended ${version.reviewStatus}`);
      const report = await partnerReport(t, app, 1);
      const finding = report.findings.find((f) => f.code === 'CODE_EVAL');
      if (!finding || finding.severity !== 'error' || finding.requirement !== 'REV-104') {
        throw new CaseFailure(
          `no CODE_EVAL error finding citing REV-104: ${JSON.stringify(report.findings)}`,
        );
      }
      // [REV-011] the location names the file that calls eval, so the partner knows where to look.
      if (!/(^|\/)app\.js$/.test(finding.location?.file ?? '')) {
        throw new CaseFailure(
          `the CODE_EVAL finding does not locate the call in app.js: ${JSON.stringify(finding)}`,
        );
      }
      expectStatus(
        await t.world.decide(t.scope, app, 1, 'approve'),
        409,
        'API_REVIEW_STATE_CONFLICT',
      );
      const release = await t.send({
        method: 'POST',
        path: `/v1/partner/apps/${app.appId}/releases`,
        token: app.partner.token,
        json: { versionCode: 1, channel: 'stable', rolloutPercent: 100 },
      });
      expectStatus(release, 409, 'API_VERSION_NOT_APPROVED');
    },
  }),
  serverCase({
    id: 'server.review.analysis-limit-fails',
    description:
      'A script the automated checks cannot analyse within their nesting limits is a failed check with code CODE_ANALYSIS_LIMIT, never a pass',
    requirements: ['REV-103'],
    why: 'An analyser that gives up and approves is bypassed by anyone who nests deeply enough.',
    async run(t) {
      const app = await t.world.freshApp(t.scope, 'deep');
      const depth = 20_000;
      const script = `const x = ${'['.repeat(depth)}${']'.repeat(depth)};\nconsole.log(x);\n`;
      expectStatus(await uploadWithScript(t, app, 1, script), 201);
      const version = await t.world.settledVersion(t.scope, app, 1);
      if (version.reviewStatus !== 'rejected')
        throw new CaseFailure(`a script nested ${depth} deep ended ${version.reviewStatus}`);
      const report = await partnerReport(t, app, 1);
      if (
        !report.findings.some((f) => f.code === 'CODE_ANALYSIS_LIMIT' && f.severity === 'error')
      ) {
        throw new CaseFailure(
          `no CODE_ANALYSIS_LIMIT error among ${report.findings.map((f) => f.code).join(', ')}`,
        );
      }
    },
  }),
];
