import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { distributionContract } from '#schemas';
import { assertContract, bearer } from '../contract-assertions.ts';
import { startTestServer, type TestServer } from '../test-server.ts';
import { publishApprovedVersion } from '../publish/publish-fixture.ts';

/** Contract findings of issue 7 (items 8 to 11), each checked against the running server. */
describe('contract and server agree where the contract used to be silent', () => {
  let server: TestServer;
  let admin: string;
  let partner: { partnerId: string; token: string };
  let device: { token: string; deviceId: string };
  let reviewer: string;
  const appId = 'com.example.gaps';

  before(async () => {
    server = await startTestServer();
    admin = (await server.admin()).token;
    partner = await server.partner();
    device = await server.hostDevice();
    reviewer = (await server.reviewer()).token;
    await publishApprovedVersion(server, {
      partner,
      appId,
      versionCode: 1,
      reviewerToken: reviewer,
    });
    const release = await server.app.inject({
      method: 'POST',
      url: `/v1/partner/apps/${appId}/releases`,
      headers: bearer(partner.token),
      payload: { versionCode: 1, channel: 'stable', rolloutPercent: 100 },
    });
    assert.equal(release.statusCode, 201, release.body);
  });
  after(() => server.close());

  const call = (
    token: string | null,
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS',
    url: string,
    payload?: unknown,
    headers: Record<string, string> = {},
  ) =>
    server.app.inject({
      method,
      url,
      headers: { ...(token ? bearer(token) : {}), ...headers },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });

  describe('a malformed analytics batch is 400, not 413 [API-015] [API-064]', () => {
    for (const [what, payload] of [
      ['an empty object', {}],
      ['an array', []],
      ['a missing body', undefined],
    ] as const) {
      it(`answers 400 API_VALIDATION_FAILED to ${what}`, async () => {
        const response = await call(
          device.token,
          'POST',
          '/v1/analytics/events',
          payload,
          payload === undefined ? {} : { 'content-type': 'application/json' },
        );
        assertContract('ingestAnalyticsEvents', response);
        assert.equal(response.statusCode, 400, response.body);
        assert.equal(response.json().code, 'API_VALIDATION_FAILED');
      });
    }
  });

  it('answers GET /metrics with Cache-Control: no-store [API-017]', async () => {
    const response = await call(admin, 'GET', '/metrics');
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['cache-control'], 'no-store');
  });

  describe('answers that depend on the credential vary on Authorization [API-020]', () => {
    const routes: [string, () => [string, 'GET' | 'POST', string, unknown?]][] = [
      ['listVersions', () => [partner.token, 'GET', `/v1/partner/apps/${appId}/versions`]],
      ['getVersion', () => [partner.token, 'GET', `/v1/partner/apps/${appId}/versions/1`]],
      [
        'getVersionReview',
        () => [partner.token, 'GET', `/v1/partner/apps/${appId}/versions/1/review`],
      ],
      ['listProducts', () => [partner.token, 'GET', `/v1/partner/apps/${appId}/products`]],
      ['listReleases', () => [partner.token, 'GET', `/v1/partner/apps/${appId}/releases`]],
      ['listReviewQueue', () => [reviewer, 'GET', '/v1/review/queue']],
      ['getReviewReport', () => [reviewer, 'GET', `/v1/review/${appId}/1`]],
      [
        'checkUpdates',
        () => [
          device.token,
          'POST',
          '/v1/updates/check',
          {
            hostApiVersion: '1.0.0',
            channel: 'stable',
            deviceId: device.deviceId,
            apps: [{ appId, versionCode: 0 }],
          },
        ],
      ],
    ];
    for (const [operationId, request] of routes) {
      it(`${operationId}: private or no-store, and Vary: Authorization, in the contract too`, async () => {
        const [token, method, url, payload] = request();
        const response = await call(token, method, url, payload);
        assert.equal(response.statusCode, 200, response.body);
        assertContract(operationId, response);
        assert.match(String(response.headers['cache-control']), /^(no-store|private)/);
        assert.match(String(response.headers.vary), /\bAuthorization\b/);
        const documented = distributionContract().operation(operationId).responses['200'];
        assert.ok(documented?.headers.includes('Vary'), 'the contract documents Vary');
      });
    }
  });

  describe('the contract says what the prose says [API-077] [API-083] [MAN-008] [API-090]', () => {
    it('takes rolloutPercent with two decimals and refuses a third with API_ROLLOUT_INVALID', async () => {
      const three = await call(partner.token, 'POST', `/v1/partner/apps/${appId}/releases`, {
        versionCode: 1,
        channel: 'beta',
        rolloutPercent: 12.345,
      });
      assert.equal(three.statusCode, 400);
      assert.equal(three.json().code, 'API_ROLLOUT_INVALID');
      const two = await call(partner.token, 'POST', `/v1/partner/apps/${appId}/releases`, {
        versionCode: 1,
        channel: 'beta',
        rolloutPercent: 0.07,
      });
      assert.equal(two.statusCode, 201, two.body);
    });

    it('refuses periodDays on a consumable, and a subscription without it', async () => {
      const url = `/v1/partner/apps/${appId}/products/gems`;
      const price = { currency: 'EUR', minor: 100 };
      for (const body of [
        { kind: 'consumable', price, periodDays: 30 },
        { kind: 'subscription', price },
      ]) {
        const response = await call(partner.token, 'PUT', url, body);
        assertContract('putProduct', response);
        assert.equal(response.statusCode, 400, JSON.stringify(body));
        assert.equal(response.json().code, 'API_VALIDATION_FAILED');
      }
    });

    it('refuses a rejection without feedback, or with blank feedback', async () => {
      for (const body of [{ decision: 'reject' }, { decision: 'reject', feedback: '  \n ' }]) {
        const response = await call(reviewer, 'POST', `/v1/review/${appId}/1/decision`, body);
        assertContract('decideReview', response);
        assert.equal(response.statusCode, 400, JSON.stringify(body));
        assert.equal(response.json().code, 'API_VALIDATION_FAILED');
      }
    });

    it('refuses an app id with a label of 64 characters, as the manifest does', async () => {
      const response = await call(partner.token, 'POST', '/v1/partner/apps', {
        appId: `com.${'a'.repeat(64)}`,
        name: 'Too long a label',
        category: 'utilities',
      });
      assertContract('createApp', response);
      assert.equal(response.statusCode, 400);
      assert.equal(response.json().code, 'API_VALIDATION_FAILED');
    });

    it('declares a 500 response on every operation', () => {
      for (const operation of distributionContract().operations) {
        assert.ok(operation.responses['500'], `${operation.operationId} declares no 500`);
      }
    });
  });

  it('ignores a Range of another unit and sends the whole bundle [API-179]', async () => {
    const { rows } = await server.services.db.query<{ package_sha256: string }>(
      'select package_sha256 from versions where app_id = $1 and version_code = 1',
      [appId],
    );
    const sha256 = rows[0]?.package_sha256 ?? '';
    for (const range of ['items=0-1', 'bytes=0-1,4-5', 'bytes=x-y']) {
      const response = await call(null, 'GET', `/v1/bundles/sha256/${sha256}.ma`, undefined, {
        range,
      });
      assertContract('getBundle', response);
      assert.equal(response.statusCode, 200, range);
      assert.equal(response.rawPayload.length, Number(response.headers['content-length']));
    }
  });

  it('answers an undeclared method on a declared path with 405 and Allow [API-178]', async () => {
    const cases: [string, 'DELETE' | 'PATCH' | 'OPTIONS', string][] = [
      [`/v1/partner/apps/${appId}`, 'DELETE', 'GET'],
      ['/v1/updates/check', 'PATCH', 'POST'],
      ['/v1/admin/partners', 'DELETE', 'GET, POST'],
      ['/healthz', 'OPTIONS', 'GET'],
    ];
    for (const [url, method, allow] of cases) {
      const response = await call(partner.token, method, url);
      assert.equal(response.statusCode, 405, `${method} ${url}`);
      assert.equal(response.json().code, 'API_METHOD_NOT_ALLOWED');
      assert.equal(response.headers.allow, allow);
    }
    const unknown = await call(partner.token, 'GET', '/v1/no/such/path');
    assert.equal(unknown.statusCode, 404);
    // The declared method on a URL whose parameter does not route is not 405 (found by the fuzzer).
    const unrouted = await call(null, 'GET', '/v1/trust/%E2%80%A8.root.json');
    assert.equal(unrouted.statusCode, 404);
    assert.equal(unrouted.json().code, 'API_NOT_FOUND');
  });
});
