import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertContract, bearer } from './contract-assertions.ts';
import { startTestServer, type TestServer } from './test-server.ts';

describe('operations endpoints', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('answers /healthz and /readyz when the store is up [API-086] [API-087]', async () => {
    const health = await server.app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(health.statusCode, 200);
    assertContract('getHealth', health);
    const ready = await server.app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(ready.statusCode, 200);
    assertContract('getReadiness', ready);
  });

  it('turns unready with API_UNAVAILABLE once shutdown begins [API-088]', async () => {
    server.services.shuttingDown.value = true;
    try {
      const ready = await server.app.inject({ method: 'GET', url: '/readyz' });
      assert.equal(ready.statusCode, 503);
      assert.equal(ready.json().code, 'API_UNAVAILABLE');
      assertContract('getReadiness', ready);
    } finally {
      server.services.shuttingDown.value = false;
    }
  });

  it('answers an unknown route with a problem document [API-009] [API-011]', async () => {
    const response = await server.app.inject({ method: 'GET', url: '/v1/nothing-here' });
    assert.equal(response.statusCode, 404);
    assert.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8');
    const problem = response.json();
    assert.equal(problem.code, 'API_NOT_FOUND');
    assert.equal(problem.type, 'https://openminiapp.dev/errors/API_NOT_FOUND');
    assert.equal(problem.status, 404);
  });

  it('refuses /metrics without a credential, with a bad one, and to a partner; serves it to an admin [API-002]', async () => {
    const anonymous = await server.app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(anonymous.statusCode, 401);
    assert.equal(anonymous.json().code, 'API_UNAUTHENTICATED');
    assert.match(String(anonymous.headers['www-authenticate']), /^Bearer/);
    assertContract('getMetrics', anonymous);
    const forged = await server.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: bearer('mas_notarealtokenatall000000000'),
    });
    assert.equal(forged.statusCode, 401);
    const partner = await server.partner();
    const forbidden = await server.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: bearer(partner.token),
    });
    assert.equal(forbidden.statusCode, 403);
    assert.equal(forbidden.json().code, 'API_FORBIDDEN');
    const admin = await server.admin();
    const metrics = await server.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: bearer(admin.token),
    });
    assert.equal(metrics.statusCode, 200);
    assert.match(
      metrics.body,
      /miniapp_http_requests_total\{operation="getHealth",status="200"\} 1/,
    );
  });
});
