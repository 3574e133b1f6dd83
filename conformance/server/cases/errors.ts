import { CaseFailure } from '../../framework/index.ts';
import { bodyOf, expectStatus, serverCase, type ServerTest } from '../server-case.ts';
import { describeExchange, jsonOf } from '../subject/http-exchange.ts';
import type { FindingRule } from '../subject/http-exchange.ts';

/** A spread of failing requests, so that the problem-document cases judge errors of every kind even when run alone. */
async function provokeErrors(t: ServerTest): Promise<void> {
  await t.world.once('provoked-errors', async () => {
    const device = await t.world.device(t.scope);
    const partner = await t.world.partner(t.scope);
    const shared = await t.world.sharedRelease(t.scope);
    const q = { quiet: true };
    await t.send({ ...q, path: '/v1/partner' });
    await t.send({
      ...q,
      path: '/v1/partner',
      token: `mas_certify-unknown-${t.subject.runId}-0123456789`,
    });
    await t.send({ ...q, path: '/v1/partner', token: device.token });
    await t.send({
      ...q,
      path: '/v1/partner/apps/com.example.does.not.exist',
      token: partner.token,
    });
    await t.send({
      ...q,
      method: 'POST',
      path: '/v1/partner/apps',
      token: partner.token,
      json: { appId: 'Not An Id', name: '', category: 'nope', extra: 1 },
    });
    await t.send({
      ...q,
      method: 'POST',
      path: '/v1/partner/apps',
      token: partner.token,
      body: 'appId=x',
      contentType: 'application/x-www-form-urlencoded',
    });
    await t.send({
      ...q,
      method: 'POST',
      path: '/v1/partner/apps',
      token: partner.token,
      body: '{"appId":',
      contentType: 'application/json',
    });
    await t.send({
      ...q,
      method: 'POST',
      path: '/v1/updates/check',
      token: device.token,
      json: { hostApiVersion: 'one', channel: 'nightly', deviceId: 'x', apps: 'all' },
    });
    await t.send({
      ...q,
      path: `/v1/bundles/sha256/${shared.version.sha256}.ma`,
      headers: { range: 'bytes=999999999-' },
    });
    await t.send({
      ...q,
      path: '/v1/catalog/apps',
      token: device.token,
      query: { cursor: 'forged-cursor-value' },
    });
    await t.send({ ...q, path: '/v1/catalog/apps', token: device.token, query: { limit: '0' } });
    await t.send({
      ...q,
      method: 'POST',
      path: `/v1/review/${shared.version.app.appId}/1/decision`,
      token: (await t.world.reviewer(t.scope)).credential,
      json: { decision: 'approve' },
    });
    await t.send({ ...q, path: '/v1/no/such/route' });
    await t.send({ ...q, path: '/v1/trust/0.root.json' });
  });
}

/** A case that judges every exchange of the run so far against one cross-cutting rule. */
function ledgerCase(
  rule: FindingRule,
  definition: { id: string; description: string; requirements: string[]; why: string },
) {
  return serverCase({
    ...definition,
    timeoutMs: 60_000,
    async run(t) {
      await provokeErrors(t);
      const found = t.subject.ledger.findings(rule);
      const judged = t.subject.ledger.exchanges.filter((e) =>
        rule === 'server-error' || rule === 'nosniff' ? true : e.status >= 400,
      ).length;
      t.note(`${judged} responses of the run judged`);
      if (found.length > 0) {
        const lines = found
          .slice(0, 20)
          .map(
            ({ exchange, finding }) =>
              `${finding.message} — ${describeExchange(exchange)}${exchange.caseId ? ` (in ${exchange.caseId})` : ''}`,
          );
        throw new CaseFailure(`${found.length} response(s) break the rule: ${lines[0]}`, lines);
      }
    },
  });
}

export const errorCases = [
  serverCase({
    id: 'server.errors.every-invalid-member-listed',
    description:
      'A request body with several invalid members is refused with 400 API_VALIDATION_FAILED listing each of them in errors with a location pointer',
    requirements: ['API-013', 'API-015'],
    why: 'A partner fixing a request one error per round trip gives up; a problem that names only the first member hides the others.',
    async run(t) {
      const partner = await t.world.partner(t.scope);
      const exchange = await t.send({
        method: 'POST',
        path: '/v1/partner/apps',
        token: partner.token,
        json: { appId: 'Not An Id!', name: '', category: 'Not A Category', unexpected: true },
      });
      expectStatus(exchange, 400, 'API_VALIDATION_FAILED');
      const errors =
        jsonOf<{ errors?: { code?: string; location?: { pointer?: string } }[] }>(exchange)
          ?.errors ?? [];
      const pointers = new Set(errors.map((e) => e.location?.pointer));
      const missing = ['/appId', '/name', '/category'].filter((p) => !pointers.has(p));
      if (missing.length > 0)
        throw new CaseFailure(
          `errors do not point at ${missing.join(', ')}: ${JSON.stringify(errors).slice(0, 300)}`,
        );
      if (errors.some((e) => typeof e.code !== 'string'))
        throw new CaseFailure('an entry of errors has no code');
    },
  }),
  serverCase({
    id: 'server.errors.validation-before-state-change',
    description:
      'Invalid request bodies are refused with 400 API_VALIDATION_FAILED and change nothing: no app, partner, key or release is created',
    requirements: ['API-015'],
    why: 'A server that writes before it validates leaves half-created objects that later requests trip over.',
    async run(t) {
      const partner = await t.world.partner(t.scope);
      const appId = t.world.appIdFor(t.world.label('inv'));
      expectStatus(
        await t.send({
          method: 'POST',
          path: '/v1/partner/apps',
          token: partner.token,
          json: { appId, name: 'Invalid', category: 'utilities', surplus: 'member' },
        }),
        400,
        'API_VALIDATION_FAILED',
      );
      expectStatus(
        await t.send({ path: `/v1/partner/apps/${appId}`, token: partner.token }),
        404,
        'API_NOT_FOUND',
      );
      expectStatus(
        await t.send({
          method: 'POST',
          path: '/v1/partner/apps',
          token: partner.token,
          json: { appId, name: 'Invalid', category: 'utilities', extra: { nested: [1, 2, 3] } },
        }),
        400,
        'API_VALIDATION_FAILED',
      );
      expectStatus(
        await t.send({ path: `/v1/partner/apps/${appId}`, token: partner.token }),
        404,
        'API_NOT_FOUND',
      );
      for (const body of [{ name: 12 }, { name: 'x'.repeat(201) }, {}]) {
        expectStatus(
          await t.send({
            method: 'POST',
            path: '/v1/admin/partners',
            token: t.adminToken,
            json: body,
          }),
          400,
          'API_VALIDATION_FAILED',
        );
      }
      bodyOf(await t.send({ path: '/v1/partner', token: partner.token }));
    },
  }),
  serverCase({
    id: 'server.errors.unsupported-media-type',
    description:
      'A JSON route sent form data or text (a host route sent text/plain as sendBeacon does included), or an upload sent as JSON, is refused with 415 API_UNSUPPORTED_MEDIA_TYPE',
    requirements: ['API-016'],
    why: 'A server that guesses the media type parses bytes with the wrong parser, the root of many request-smuggling and parser-differential bugs.',
    async run(t) {
      const partner = await t.world.partner(t.scope);
      const device = await t.world.device(t.scope);
      const user = await t.world.user(t.scope);
      const shared = await t.world.sharedRelease(t.scope);
      const probes = [
        {
          method: 'POST',
          path: '/v1/partner/apps',
          token: partner.token,
          body: 'appId=com.example.x',
          contentType: 'application/x-www-form-urlencoded',
        },
        {
          method: 'POST',
          path: '/v1/partner/apps',
          token: partner.token,
          body: '{"appId":"com.example.x"}',
          contentType: 'text/plain',
        },
        {
          method: 'POST',
          path: '/v1/updates/check',
          token: device.token,
          body: '<check/>',
          contentType: 'application/xml',
        },
        {
          method: 'PUT',
          path: `/v1/partner/apps/${shared.version.app.appId}/versions`,
          token: partner.token,
          body: '{}',
          contentType: 'application/json',
        },
        // What navigator.sendBeacon sends for a string: the JSON routes of hosts must refuse it too.
        {
          method: 'POST',
          path: '/v1/analytics/events',
          token: device.token,
          body: JSON.stringify({
            deviceId: device.deviceId,
            sentAt: new Date().toISOString(),
            events: [],
          }),
          contentType: 'text/plain;charset=UTF-8',
        },
        {
          method: 'POST',
          path: '/v1/tokens/app',
          token: user.credential,
          body: JSON.stringify({ appId: shared.version.app.appId, scopes: [] }),
          contentType: 'text/plain;charset=UTF-8',
        },
      ];
      for (const probe of probes) {
        const exchange = await t.send(probe);
        if (
          exchange.status !== 415 ||
          jsonOf<{ code?: string }>(exchange)?.code !== 'API_UNSUPPORTED_MEDIA_TYPE'
        ) {
          throw new CaseFailure(
            `${probe.method} ${probe.path} as ${probe.contentType}: ${describeExchange(exchange)}`,
          );
        }
      }
    },
  }),
  ledgerCase('problem-media-type', {
    id: 'server.errors.problem-media-type',
    description:
      'Every 4xx and 5xx response of the run has the media type application/problem+json',
    requirements: ['API-009'],
    why: 'Clients dispatch on the media type; an error served as text/html or application/json is not recognised as a problem.',
  }),
  ledgerCase('problem-fields', {
    id: 'server.errors.problem-members',
    description:
      'Every 4xx and 5xx body of the run is a problem document with type, title, a status equal to the HTTP status and a code from the registry',
    requirements: ['API-009', 'API-010', 'ERR-001', 'ERR-002'],
    why: 'Tools match errors by code; a missing or unregistered code, or a status member that disagrees with the response, breaks every client.',
  }),
  ledgerCase('problem-type', {
    id: 'server.errors.problem-type-url',
    description:
      'The type of every problem document of the run is https://openminiapp.dev/errors/ followed by its code',
    requirements: ['API-011'],
    why: 'The type URL is the stable identifier RFC 9457 clients key on; any other value splits one error into many.',
  }),
  ledgerCase('problem-leak', {
    id: 'server.errors.no-internals-in-problems',
    description:
      'No problem document of the run holds a stack frame, a server file path, a file URL or a credential the request carried',
    requirements: ['API-014', 'API-090'],
    why: 'Stack traces and paths map the server for an attacker, and an echoed credential ends up in client logs.',
  }),
  ledgerCase('nosniff', {
    id: 'server.errors.nosniff-everywhere',
    description:
      'Every response of the run, whatever its route and status (bundles, icons, trust files, problems, 304s), carries X-Content-Type-Options: nosniff',
    requirements: ['API-175'],
    why: 'A bundle or icon that a browser sniffs as HTML runs script under the platform origin; one response without the header is enough.',
  }),
  ledgerCase('server-error', {
    id: 'server.errors.no-server-error',
    description: 'No request of the run, valid or hostile, was answered with a 5xx status',
    requirements: ['API-090', 'API-015'],
    why: 'Every input the suite sends is either valid or refusable with a 4xx; a 5xx is an unhandled failure an attacker can trigger at will.',
  }),
];
