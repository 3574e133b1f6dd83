import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { distributionContract, type ContractOperation } from '#schemas';
import { bearer } from '../contract-assertions.ts';
import { startTestServer, type TestServer } from '../test-server.ts';

describe('request media types the route does not accept [API-016]', () => {
  let server: TestServer;
  const tokens = new Map<string, string>();

  before(async () => {
    server = await startTestServer();
    tokens.set('portal:partner', (await server.partner()).token);
    tokens.set('portal:reviewer', (await server.reviewer()).token);
    tokens.set('portal:admin', (await server.admin()).token);
    tokens.set('hostDevice', (await server.hostDevice()).token);
    tokens.set('hostUser', (await server.hostUser()).token);
  });
  after(() => server.close());

  /** A credential that passes the operation's security, so that only the media type can fail. */
  const tokenFor = (operation: ContractOperation): string | null => {
    for (const alternative of operation.security) {
      const [scheme, roles = []] = Object.entries(alternative)[0] ?? [];
      if (scheme === undefined) return null;
      const token = tokens.get(roles.length > 0 ? `${scheme}:${roles[0]}` : scheme);
      if (token) return token;
    }
    return null;
  };

  const urlOf = (operation: ContractOperation): string =>
    operation.path.replace(/\{[A-Za-z0-9_]+\}/g, 'x1');

  const send = (operation: ContractOperation, contentType: string | null, payload: string) => {
    const token = tokenFor(operation);
    return server.app.inject({
      method: operation.method,
      url: urlOf(operation),
      headers: {
        ...(token ? bearer(token) : {}),
        ...(contentType === null ? {} : { 'content-type': contentType }),
      },
      payload,
    });
  };

  const withBody = distributionContract().operations.filter((o) => o.requestBody !== null);

  it('refuses every media type but the declared ones on every operation that takes a body, before parsing it', async () => {
    assert.ok(withBody.length > 10, 'the contract has more than 10 operations with a body');
    for (const operation of withBody) {
      const declared = Object.keys(operation.requestBody?.content ?? {});
      for (const contentType of [
        'text/plain',
        'application/x-www-form-urlencoded',
        'application/xml',
        'multipart/form-data; boundary=x',
        'application/json',
      ]) {
        if (declared.includes(contentType.split(';')[0] ?? '')) continue;
        const response = await send(operation, contentType, '{"appId":"com.example.x"}');
        const label = `${operation.operationId} as ${contentType}`;
        assert.equal(response.statusCode, 415, `${label}: ${response.body}`);
        assert.equal(response.json().code, 'API_UNSUPPORTED_MEDIA_TYPE', label);
      }
    }
  });

  it('refuses a body without any Content-Type', async () => {
    const createApp = withBody.find((o) => o.operationId === 'createApp');
    assert.ok(createApp, 'the contract has a createApp operation');
    const response = await server.app.inject({
      method: 'POST',
      url: '/v1/partner/apps',
      headers: { ...bearer(tokens.get('portal:partner') ?? ''), 'content-length': '2' },
      payload: Buffer.from('{}'),
    });
    assert.equal(response.statusCode, 415, response.body);
    assert.equal(response.json().code, 'API_UNSUPPORTED_MEDIA_TYPE');
  });

  it('accepts the declared type with parameters and in any letter case', async () => {
    for (const contentType of ['application/json; charset=utf-8', 'Application/JSON']) {
      const response = await server.app.inject({
        method: 'POST',
        url: '/v1/partner/apps',
        headers: { ...bearer(tokens.get('portal:partner') ?? ''), 'content-type': contentType },
        payload: JSON.stringify({
          appId: `com.example.case${contentType.length}`,
          name: 'Case',
          category: 'utilities',
        }),
      });
      assert.equal(response.statusCode, 201, `${contentType}: ${response.body}`);
    }
  });

  it('answers an anonymous caller 401 first: the media type tells it nothing', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/v1/partner/apps',
      headers: { 'content-type': 'text/plain' },
      payload: 'x',
    });
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().code, 'API_UNAUTHENTICATED');
  });
});
