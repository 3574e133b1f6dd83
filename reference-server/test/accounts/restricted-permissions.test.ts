import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertContract, bearer } from '../contract-assertions.ts';
import { prepareForUploads, uploadTinyVersion } from '../publish/publish-fixture.ts';
import { startTestServer, type TestServer } from '../test-server.ts';

describe("a partner's restricted permissions [PRM-019] [PRM-020]", () => {
  let server: TestServer;
  let admin: string;

  before(async () => {
    server = await startTestServer();
    prepareForUploads(server);
    admin = (await server.admin()).token;
  });
  after(() => server.close());

  const setList = (partnerId: string, body: unknown, token: string | null = admin) =>
    server.app.inject({
      method: 'PUT',
      url: `/v1/admin/partners/${partnerId}/restricted-permissions`,
      headers: token === null ? {} : bearer(token),
      payload: body as object,
    });

  const reviewOf = async (token: string, appId: string, versionCode: number) =>
    (
      await server.app.inject({
        method: 'GET',
        url: `/v1/partner/apps/${appId}/versions/${versionCode}/review`,
        headers: bearer(token),
      })
    ).json() as { status: string; findings: { code: string; severity: string }[] };

  const restrictedErrors = (report: { findings: { code: string; severity: string }[] }) =>
    report.findings.filter(
      (f) => f.code === 'REVIEW_PERMISSION_RESTRICTED' && f.severity === 'error',
    ).length;

  it('lets only an admin replace the list, of restricted names only', async () => {
    const partner = await server.partner();
    const set = await setList(partner.partnerId, { permissions: ['phoneNumber', 'contacts'] });
    assertContract('setRestrictedPermissions', set);
    assert.equal(set.statusCode, 200, set.body);
    assert.deepEqual(set.json(), { permissions: ['contacts', 'phoneNumber'] });
    assert.equal(set.headers['cache-control'], 'no-store');
    const emptied = await setList(partner.partnerId, { permissions: [] });
    assert.deepEqual(emptied.json(), { permissions: [] });

    const anonymous = await setList(partner.partnerId, { permissions: [] }, null);
    assert.equal(anonymous.statusCode, 401);
    assert.equal(anonymous.json().code, 'API_UNAUTHENTICATED');
    const asPartner = await setList(partner.partnerId, { permissions: ['payment'] }, partner.token);
    assert.equal(asPartner.statusCode, 403);
    assert.equal(asPartner.json().code, 'API_FORBIDDEN');
    for (const body of [
      { permissions: ['camera'] },
      { permissions: ['payment', 'payment'] },
      { permissions: 'payment' },
      {},
    ]) {
      const refused = await setList(partner.partnerId, body);
      assert.equal(refused.statusCode, 400, JSON.stringify(body));
      assert.equal(refused.json().code, 'API_VALIDATION_FAILED');
    }
    const unknown = await setList('prt_nobody', { permissions: ['payment'] });
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().code, 'API_NOT_FOUND');
  });

  it('rejects a version declaring a restricted permission its partner may not declare, and the list at upload decides', async () => {
    const partner = await server.partner();
    const appId = 'com.example.restricted';
    const declaring = (versionCode: number) =>
      uploadTinyVersion(server, partner, {
        appId,
        versionCode,
        permissions: {
          phoneNumber: { reason: 'To confirm deliveries by phone.' },
          location: { reason: 'To find the nearest shop.' },
        },
      });

    // A new partner's list is empty: phoneNumber is refused, location (not restricted) is not reported.
    const first = await declaring(1);
    assert.equal(first.response.statusCode, 201, first.response.body);
    assert.equal(first.response.json().reviewStatus, 'rejected');
    assert.equal(restrictedErrors(await reviewOf(partner.token, appId, 1)), 1);

    // Another restricted name on the list does not allow phoneNumber.
    await setList(partner.partnerId, { permissions: ['contacts'] });
    const second = await declaring(2);
    assert.equal(second.response.json().reviewStatus, 'rejected');

    assert.equal(
      (await setList(partner.partnerId, { permissions: ['phoneNumber'] })).statusCode,
      200,
    );
    const third = await declaring(3);
    assert.equal(third.response.statusCode, 201, third.response.body);
    assert.notEqual(third.response.json().reviewStatus, 'rejected');
    assert.equal(restrictedErrors(await reviewOf(partner.token, appId, 3)), 0);
    // The version rejected before the change stays rejected: it can never be released.
    assert.equal((await reviewOf(partner.token, appId, 1)).status, 'rejected');

    // Taking the permission away again rejects the next upload.
    await setList(partner.partnerId, { permissions: [] });
    const fourth = await declaring(4);
    assert.equal(fourth.response.json().reviewStatus, 'rejected');
    assert.equal(restrictedErrors(await reviewOf(partner.token, appId, 4)), 1);
  });
});
