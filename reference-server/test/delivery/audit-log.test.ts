import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { secretDigest } from '../../src/http/authentication.ts';
import { assertContract, bearer } from '../contract-assertions.ts';
import { startTestServer, type TestServer } from '../test-server.ts';
import { createApp, publishVersion } from './delivery-fixture.ts';

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

describe('the audit log of release actions [API-080] [API-158] [API-159]', () => {
  let server: TestServer;
  let partner: { partnerId: string; token: string };
  let admin: string;

  before(async () => {
    server = await startTestServer();
    partner = await server.partner();
    admin = (await server.admin()).token;
  });
  after(() => server.close());

  const credentialIdOf = async (token: string): Promise<string> => {
    const { rows } = await server.services.db.query<{ id: string }>(
      'select id from credentials where secret_sha256 = $1',
      [secretDigest(token)],
    );
    return rows[0]?.id ?? '';
  };

  const send = async (
    method: 'GET' | 'POST' | 'PATCH',
    url: string,
    token: string,
    body?: object,
  ) =>
    server.app.inject({ method, url, headers: bearer(token), ...(body ? { payload: body } : {}) });

  /** Every entry, read page by page with `limit`. */
  const readAll = async (query: string, limit: number): Promise<Entry[]> => {
    const entries: Entry[] = [];
    let cursor: string | undefined;
    for (;;) {
      const response = await send(
        'GET',
        `/v1/admin/audit?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
        admin,
      );
      assertContract('listAuditEntries', response);
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.headers['cache-control'], 'no-store');
      const page = response.json() as { items: Entry[]; nextCursor?: string };
      assert.ok(page.items.length <= limit, `a page holds at most ${limit} entries`);
      entries.push(...page.items);
      if (!page.nextCursor) return entries;
      cursor = page.nextCursor;
    }
  };

  it('records every successful action with its principal and states, oldest first, and only grows', async () => {
    const appId = 'com.example.audited';
    const otherApp = 'com.example.unaudited';
    await createApp(server, partner.partnerId, appId);
    await createApp(server, partner.partnerId, otherApp);
    await publishVersion(server, { appId, versionCode: 1 });
    await publishVersion(server, { appId: otherApp, versionCode: 1 });

    const created = await send('POST', `/v1/partner/apps/${appId}/releases`, partner.token, {
      versionCode: 1,
      channel: 'stable',
      rolloutPercent: 10,
    });
    assert.equal(created.statusCode, 201, created.body);
    const releaseId = (created.json() as { releaseId: string }).releaseId;
    const base = `/v1/partner/apps/${appId}/releases/${releaseId}`;
    const before = await readAll(`appId=${appId}`, 100);

    await send('POST', `/v1/partner/apps/${otherApp}/releases`, partner.token, {
      versionCode: 1,
      channel: 'stable',
      rolloutPercent: 100,
    });
    assert.equal(
      (await send('PATCH', base, partner.token, { rolloutPercent: 20 })).statusCode,
      200,
    );
    assert.equal((await send('POST', `${base}/pause`, partner.token)).statusCode, 200);
    // A refused action (a paused release cannot pause) is not an action the log records.
    assert.equal((await send('POST', `${base}/pause`, partner.token)).statusCode, 409);
    assert.equal((await send('POST', `${base}/resume`, partner.token)).statusCode, 200);
    assert.equal((await send('POST', `${base}/complete`, partner.token)).statusCode, 200);
    const revoked = await send('POST', `/v1/admin/releases/${appId}/1/revoke`, admin, {
      reason: 'malware',
    });
    assert.equal(revoked.statusCode, 200, revoked.body);

    const entries = await readAll(`appId=${appId}`, 2);
    assert.deepEqual(
      entries.map((e) => [e.action, e.from, e.to]),
      [
        ['create', null, 'rollingOut'],
        ['rollout', 'rollingOut', 'rollingOut'],
        ['pause', 'rollingOut', 'paused'],
        ['resume', 'paused', 'rollingOut'],
        ['complete', 'rollingOut', 'completed'],
        ['revoke', 'completed', 'revoked'],
      ],
    );
    const partnerCredential = await credentialIdOf(partner.token);
    for (const entry of entries) {
      assert.equal(entry.appId, appId);
      assert.equal(entry.versionCode, 1);
      assert.equal(entry.releaseId, releaseId);
      assert.match(entry.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.deepEqual(
        entry.principal,
        entry.action === 'revoke'
          ? { role: 'admin', principalId: await credentialIdOf(admin) }
          : { role: 'partner', principalId: partnerCredential },
      );
    }
    for (let i = 1; i < entries.length; i++)
      assert.ok(
        Date.parse(entries[i]?.at ?? '') >= Date.parse(entries[i - 1]?.at ?? ''),
        `audit entries ${i - 1} and ${i} are in time order`,
      );
    // [API-159] what an earlier read returned comes back unchanged, in order, as a prefix.
    assert.deepEqual(entries.slice(0, before.length), before);

    // Without a filter the log holds both apps' entries, still oldest first and paged the same way.
    const all = await readAll('', 3);
    assert.deepEqual(
      all.filter((e) => e.appId === appId),
      entries,
    );
    assert.equal(all.filter((e) => e.appId === otherApp).length, 1);
  });

  it('is an admin list: anonymous 401, partner 403, cursor bound to its filter', async () => {
    const anonymous = await server.app.inject({ method: 'GET', url: '/v1/admin/audit' });
    assertContract('listAuditEntries', anonymous);
    assert.equal(anonymous.statusCode, 401);
    assert.equal(anonymous.json().code, 'API_UNAUTHENTICATED');
    const asPartner = await send('GET', '/v1/admin/audit', partner.token);
    assertContract('listAuditEntries', asPartner);
    assert.equal(asPartner.statusCode, 403);
    assert.equal(asPartner.json().code, 'API_FORBIDDEN');

    const first = await send('GET', '/v1/admin/audit?limit=1', admin);
    const cursor = (first.json() as { nextCursor?: string }).nextCursor;
    assert.ok(cursor, 'more than one entry exists');
    const moved = await send(
      'GET',
      `/v1/admin/audit?appId=com.example.audited&cursor=${cursor}`,
      admin,
    );
    assert.equal(moved.statusCode, 400);
    assert.equal(moved.json().code, 'API_CURSOR_INVALID');
    const badId = await send('GET', '/v1/admin/audit?appId=Not%20An%20Id', admin);
    assert.equal(badId.statusCode, 400);
    assert.equal(badId.json().code, 'API_VALIDATION_FAILED');
  });

  it('cannot be changed or shortened, even by the store [API-159]', async () => {
    await assert.rejects(server.services.db.query('delete from release_events'));
    await assert.rejects(server.services.db.query("update release_events set principal = 'x'"));
  });
});
