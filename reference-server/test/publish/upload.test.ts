import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { zipSync } from 'fflate';
import { createStatement } from '#sdk/signing/index.ts';
import { assertContract, bearer } from '../contract-assertions.ts';
import { localBundles, startTestServer, type TestServer } from '../test-server.ts';
import {
  ensureApp,
  filesUnder,
  multipartBody,
  partnerSigningKey,
  prepareForUploads,
  tinyPackage,
  unregisteredKey,
  uploadPackage,
  uploadTinyVersion,
  type FixturePartner,
} from './publish-fixture.ts';

describe('uploading a version [API-069] to [API-074]', () => {
  let server: TestServer;
  let owner: FixturePartner;
  let other: FixturePartner;
  const appId = 'com.example.upload';

  before(async () => {
    server = await startTestServer();
    prepareForUploads(server);
    owner = await server.partner();
    other = await server.partner();
    await ensureApp(server, owner.partnerId, appId);
  });
  after(() => server.close());

  const bundleFiles = () => filesUnder(localBundles(server.services).root);
  const scratchFiles = () => filesUnder(server.services.bundles.scratch);

  it('stores a signed package as a queued first version with its report [API-073] [REV-014]', async () => {
    const { response, pkg } = await uploadTinyVersion(server, owner, { appId, versionCode: 1 });
    assertContract('uploadVersion', response);
    assert.equal(response.statusCode, 201);
    const version = response.json();
    assert.equal(version.reviewStatus, 'queued');
    assert.deepEqual(version.package, { sha256: pkg.sha256, length: pkg.bytes.length });
    assert.equal(response.headers.location, `/v1/partner/apps/${appId}/versions/1`);
    assert.ok(await server.services.bundles.stat(pkg.sha256), 'the bundle is in the store');

    const review = await server.app.inject({
      method: 'GET',
      url: version.reviewUrl,
      headers: bearer(owner.token),
    });
    assertContract('getVersionReview', review);
    assert.equal(review.json().status, 'queued');
    assert.deepEqual(review.json().findings, []);
    const got = await server.app.inject({
      method: 'GET',
      url: `/v1/partner/apps/${appId}/versions/1`,
      headers: bearer(owner.token),
    });
    assertContract('getVersion', got);
    assert.deepEqual(got.json(), version);
  });

  it('answers the same bytes again with the same version, 200, and changes nothing [API-072]', async () => {
    const before = await server.services.db.query('select * from versions where app_id = $1', [
      appId,
    ]);
    const { response } = await uploadTinyVersion(server, owner, { appId, versionCode: 1 });
    assertContract('uploadVersion', response);
    assert.equal(response.statusCode, 200);
    assert.equal(response.json().versionCode, 1);
    const afterRows = await server.services.db.query('select * from versions where app_id = $1', [
      appId,
    ]);
    assert.deepEqual(afterRows.rows, before.rows);
  });

  it('refuses a versionCode that does not increase with VERSION_CODE_NOT_INCREASING [API-074] [SIG-022]', async () => {
    const { response } = await uploadTinyVersion(server, owner, {
      appId,
      versionCode: 1,
      version: '1.0.9',
    });
    assertContract('uploadVersion', response);
    assert.equal(response.statusCode, 409);
    assert.equal(response.json().code, 'VERSION_CODE_NOT_INCREASING');
  });

  it('refuses a versionCode more than 10,000,000 above the highest one, but not the first version of an app [VER-020] [API-111]', async () => {
    const jump = await uploadTinyVersion(server, owner, { appId, versionCode: 10_000_002 });
    assertContract('uploadVersion', jump.response);
    assert.equal(jump.response.statusCode, 409);
    assert.equal(jump.response.json().code, 'VERSION_CODE_JUMP_TOO_LARGE');
    const fresh = 'com.example.upload.first';
    await ensureApp(server, owner.partnerId, fresh);
    const first = await uploadTinyVersion(server, owner, {
      appId: fresh,
      versionCode: 2_000_000_000,
    });
    assert.equal(first.response.statusCode, 201, first.response.body);
  });

  it("answers another partner's app as not found on every partner route [API-003]", async () => {
    const { response } = await uploadTinyVersion(server, other, { appId, versionCode: 50 });
    // uploadTinyVersion's ensureApp does not take the app over: it stays the owner's.
    assertContract('uploadVersion', response);
    assert.equal(response.statusCode, 404);
    assert.equal(response.json().code, 'API_NOT_FOUND');
    for (const [operationId, url] of [
      ['listVersions', `/v1/partner/apps/${appId}/versions`],
      ['getVersion', `/v1/partner/apps/${appId}/versions/1`],
      ['getVersionReview', `/v1/partner/apps/${appId}/versions/1/review`],
    ] as const) {
      const answer = await server.app.inject({ method: 'GET', url, headers: bearer(other.token) });
      assertContract(operationId, answer);
      assert.equal(answer.statusCode, 404, url);
      assert.equal(answer.json().code, 'API_NOT_FOUND');
    }
  });

  it('refuses callers without a partner credential [API-001] [API-002]', async () => {
    const pkg = await tinyPackage({ appId, versionCode: 60 });
    const body = await multipartBody([
      { name: 'package', type: 'application/zip', bytes: pkg.bytes },
    ]);
    const anonymous = await server.app.inject({
      method: 'PUT',
      url: `/v1/partner/apps/${appId}/versions`,
      headers: body.headers,
      payload: body.payload,
    });
    assertContract('uploadVersion', anonymous);
    assert.equal(anonymous.statusCode, 401);
    const reviewer = await server.reviewer();
    const forbidden = await server.app.inject({
      method: 'PUT',
      url: `/v1/partner/apps/${appId}/versions`,
      headers: { ...body.headers, ...bearer(reviewer.token) },
      payload: body.payload,
    });
    assertContract('uploadVersion', forbidden);
    assert.equal(forbidden.statusCode, 403);
    assert.equal(forbidden.json().code, 'API_FORBIDDEN');
  });

  it('refuses a statement signed by an unregistered or revoked key with SIG_UNKNOWN_KEY [SIG-020] [API-067]', async () => {
    const pkg = await tinyPackage({ appId, versionCode: 2 });
    const statementInput = {
      appId,
      version: '1.0.2',
      versionCode: 2,
      packageBytes: pkg.bytes,
      manifestBytes: pkg.manifestBytes,
    };
    const stranger = createStatement(statementInput, await unregisteredKey());
    const unknown = await uploadPackage(server, owner.token, appId, stranger.bytes, pkg.bytes);
    assertContract('uploadVersion', unknown);
    assert.equal(unknown.statusCode, 422);
    assert.equal(unknown.json().code, 'SIG_UNKNOWN_KEY');

    const revokedPartner = await server.partner();
    const revokedApp = 'com.example.revoked';
    await ensureApp(server, revokedPartner.partnerId, revokedApp);
    const key = await partnerSigningKey(server, revokedPartner.partnerId);
    await server.services.db.query('update partner_keys set revoked_at = now() where keyid = $1', [
      key.keyid,
    ]);
    const own = await tinyPackage({ appId: revokedApp, versionCode: 1 });
    const signed = createStatement(
      {
        appId: revokedApp,
        version: '1.0.1',
        versionCode: 1,
        packageBytes: own.bytes,
        manifestBytes: own.manifestBytes,
      },
      key,
    );
    const revoked = await uploadPackage(
      server,
      revokedPartner.token,
      revokedApp,
      signed.bytes,
      own.bytes,
    );
    assertContract('uploadVersion', revoked);
    assert.equal(revoked.json().code, 'SIG_UNKNOWN_KEY');
  });

  it('refuses a statement over other bytes: digest, length and manifest [API-071] [SIG-021]', async () => {
    const key = await partnerSigningKey(server, owner.partnerId);
    const signed = await tinyPackage({ appId, versionCode: 3 });
    const uploaded = await tinyPackage({ appId, versionCode: 3, files: { 'extra.txt': 'more' } });
    const statementFor = (pkg: typeof signed, overrides: Record<string, unknown> = {}) =>
      createStatement(
        {
          appId,
          version: '1.0.3',
          versionCode: 3,
          packageBytes: pkg.bytes,
          manifestBytes: pkg.manifestBytes,
          ...overrides,
        },
        key,
      ).bytes;
    // Longer than the statement announces: refused while streaming, as a length mismatch [API-071].
    assert.ok(
      uploaded.bytes.length > signed.bytes.length,
      'the uploaded package is longer than the one the statement signs',
    );
    const longer = await uploadPackage(
      server,
      owner.token,
      appId,
      statementFor(signed),
      uploaded.bytes,
    );
    assertContract('uploadVersion', longer);
    assert.equal(longer.statusCode, 422);
    assert.equal(longer.json().code, 'SIG_LENGTH_MISMATCH');
    const shorter = await uploadPackage(
      server,
      owner.token,
      appId,
      statementFor(signed),
      signed.bytes.subarray(0, signed.bytes.length - 1),
    );
    assertContract('uploadVersion', shorter);
    assert.equal(shorter.json().code, 'SIG_LENGTH_MISMATCH');
    const flipped = Buffer.from(signed.bytes);
    flipped[10] = (flipped[10] ?? 0) ^ 0xff;
    const tampered = await uploadPackage(server, owner.token, appId, statementFor(signed), flipped);
    assertContract('uploadVersion', tampered);
    assert.equal(tampered.json().code, 'SIG_DIGEST_MISMATCH');
    const wrongVersion = await uploadPackage(
      server,
      owner.token,
      appId,
      statementFor(signed, { version: '9.9.9' }),
      signed.bytes,
    );
    assertContract('uploadVersion', wrongVersion);
    assert.equal(wrongVersion.json().code, 'SIG_MANIFEST_MISMATCH');
    const wrongManifest = await uploadPackage(
      server,
      owner.token,
      appId,
      statementFor(signed, { manifestBytes: Buffer.from('{}') }),
      signed.bytes,
    );
    assert.equal(wrongManifest.json().code, 'SIG_MANIFEST_MISMATCH');
    assert.equal(await server.services.bundles.stat(signed.sha256), null);
  });

  it('refuses a package whose manifest names another app with REVIEW_APP_ID_MISMATCH [REV-005]', async () => {
    const key = await partnerSigningKey(server, owner.partnerId);
    const pkg = await tinyPackage({
      appId,
      versionCode: 4,
      manifest: { id: 'com.example.elsewhere' },
    });
    const statement = createStatement(
      {
        appId,
        version: '1.0.4',
        versionCode: 4,
        packageBytes: pkg.bytes,
        manifestBytes: pkg.manifestBytes,
      },
      key,
    );
    const response = await uploadPackage(server, owner.token, appId, statement.bytes, pkg.bytes);
    assertContract('uploadVersion', response);
    assert.equal(response.statusCode, 422);
    assert.equal(response.json().code, 'REVIEW_APP_ID_MISMATCH');
  });

  it('refuses parts out of order and bodies that are not multipart [API-069] [API-016]', async () => {
    const key = await partnerSigningKey(server, owner.partnerId);
    const pkg = await tinyPackage({ appId, versionCode: 5 });
    const statement = createStatement(
      {
        appId,
        version: '1.0.5',
        versionCode: 5,
        packageBytes: pkg.bytes,
        manifestBytes: pkg.manifestBytes,
      },
      key,
    );
    const reversed = await multipartBody([
      { name: 'package', type: 'application/miniapp-pkg+zip', bytes: pkg.bytes },
      { name: 'statement', type: 'application/json', bytes: statement.bytes },
    ]);
    const response = await server.app.inject({
      method: 'PUT',
      url: `/v1/partner/apps/${appId}/versions`,
      headers: { ...bearer(owner.token), ...reversed.headers },
      payload: reversed.payload,
    });
    assertContract('uploadVersion', response);
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().code, 'API_VALIDATION_FAILED');
    const json = await server.app.inject({
      method: 'PUT',
      url: `/v1/partner/apps/${appId}/versions`,
      headers: bearer(owner.token),
      payload: { statement: {}, package: 'x' },
    });
    assertContract('uploadVersion', json);
    assert.equal(json.statusCode, 415);
    assert.equal(json.json().code, 'API_UNSUPPORTED_MEDIA_TYPE');
  });

  it('stops an oversize package at the archive limit with 413 and keeps nothing [API-070] [PKG-045]', async () => {
    const key = await partnerSigningKey(server, owner.partnerId);
    const huge = new Uint8Array(25 * 1024 * 1024 + 1);
    const statement = createStatement(
      {
        appId,
        version: '1.0.6',
        versionCode: 6,
        packageBytes: huge,
        manifestBytes: Buffer.from('{}'),
      },
      key,
    );
    const before = await bundleFiles();
    const response = await uploadPackage(server, owner.token, appId, statement.bytes, huge);
    assertContract('uploadVersion', response);
    assert.equal(response.statusCode, 413);
    assert.equal(response.json().code, 'API_PAYLOAD_TOO_LARGE');
    assert.deepEqual(await bundleFiles(), before);
    assert.deepEqual(await scratchFiles(), []);
  });

  it('refuses hostile archives with their PKG_ codes before they reach the store [PKG-020] [PKG-044]', async () => {
    const key = await partnerSigningKey(server, owner.partnerId);
    const manifest = (await tinyPackage({ appId, versionCode: 7 })).manifestBytes;
    const slip = zipSync({ 'manifest.json': manifest, '../escape.txt': Buffer.from('x') });
    const bomb = zipSync(
      { 'manifest.json': manifest, 'zeros.bin': new Uint8Array(8 * 1024 * 1024) },
      { level: 9 },
    );
    for (const [bytes, code] of [
      [slip, 'PKG_UNSAFE_PATH'],
      [bomb, 'PKG_COMPRESSION_RATIO'],
    ] as const) {
      const statement = createStatement(
        { appId, version: '1.0.7', versionCode: 7, packageBytes: bytes, manifestBytes: manifest },
        key,
      );
      const before = await bundleFiles();
      const response = await uploadPackage(server, owner.token, appId, statement.bytes, bytes);
      assertContract('uploadVersion', response);
      assert.equal(response.statusCode, 422, response.body);
      assert.equal(response.json().code, code);
      assert.doesNotMatch(
        response.body,
        /scratch|\/tmp\//,
        'no server path in the problem [API-014]',
      );
      assert.deepEqual(await bundleFiles(), before);
      assert.deepEqual(await scratchFiles(), []);
    }
  });

  it('stores a package that breaks a code rule as rejected, with the finding [REV-001] [REV-013]', async () => {
    const { response } = await uploadTinyVersion(server, owner, {
      appId,
      versionCode: 8,
      files: {
        'pages/index.html':
          '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title>' +
          '<script src="../app.js"></script></head><body></body></html>',
        'app.js': 'eval("1 + 1");\n',
      },
    });
    assertContract('uploadVersion', response);
    assert.equal(response.statusCode, 201);
    assert.equal(response.json().reviewStatus, 'rejected');
    const review = await server.app.inject({
      method: 'GET',
      url: response.json().reviewUrl,
      headers: bearer(owner.token),
    });
    assertContract('getVersionReview', review);
    const codes = review.json().findings.map((f: { code: string }) => f.code);
    assert.ok(codes.includes('CODE_EVAL'), codes.join(','));
  });

  it('lists versions newest first, page by page [API-048] [API-049]', async () => {
    const first = await server.app.inject({
      method: 'GET',
      url: `/v1/partner/apps/${appId}/versions?limit=1`,
      headers: bearer(owner.token),
    });
    assertContract('listVersions', first);
    assert.equal(first.json().items[0].versionCode, 8);
    const second = await server.app.inject({
      method: 'GET',
      url: `/v1/partner/apps/${appId}/versions?limit=1&cursor=${first.json().nextCursor}`,
      headers: bearer(owner.token),
    });
    assertContract('listVersions', second);
    assert.equal(second.json().items[0].versionCode, 1);
    assert.equal(second.json().nextCursor, undefined);
    const bad = await server.app.inject({
      method: 'GET',
      url: `/v1/partner/apps/${appId}/versions?cursor=not-a-cursor`,
      headers: bearer(owner.token),
    });
    assertContract('listVersions', bad);
    assert.equal(bad.json().code, 'API_CURSOR_INVALID');
  });
});
