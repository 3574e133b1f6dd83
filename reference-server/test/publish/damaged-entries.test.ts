import { deflateRawSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readArchive } from '#sdk/package/index.ts';
import { buildZip, unicodePathField, type RawEntry } from '#sdk/package/test/hostile-zip.ts';
import { createStatement } from '#sdk/signing/index.ts';
import { assertContract } from '../contract-assertions.ts';
import { startTestServer, type TestServer } from '../test-server.ts';
import type { BundleStore } from '../../src/bundles/bundle-store.ts';
import {
  ensureApp,
  filesUnder,
  partnerSigningKey,
  prepareForUploads,
  tinyPackage,
  uploadPackage,
  uploadTinyVersion,
  type FixturePartner,
} from './publish-fixture.ts';

/**
 * Attacks of issue 7: a package that passes every review rule but carries one damaged entry, or a
 * second reading of its names, must be refused at upload, before review, countersignature or store.
 */
describe('uploads with damaged or disguised entries [PKG-172] [PKG-170] [PKG-171]', () => {
  let server: TestServer;
  let owner: FixturePartner;
  const appId = 'com.example.damaged';
  let versionCode = 0;

  before(async () => {
    server = await startTestServer();
    prepareForUploads(server);
    owner = await server.partner();
    await ensureApp(server, owner.partnerId, appId);
  });
  after(() => server.close());

  /** The entries of a valid tiny app (every one auto-approvable), plus `extra`, signed and uploaded. */
  async function uploadWith(
    extra: RawEntry[],
    options: Parameters<typeof buildZip>[1] = {},
  ): Promise<{ status: number; code: string | undefined }> {
    versionCode += 1;
    const pkg = await tinyPackage({ appId, versionCode });
    const archive = readArchive(pkg.bytes);
    const entries: RawEntry[] = archive.files.map((f) => ({
      name: f.path,
      data: archive.read(f.path),
    }));
    const bytes = buildZip([...entries, ...extra], options);
    const key = await partnerSigningKey(server, owner.partnerId);
    const statement = createStatement(
      {
        appId,
        version: `1.0.${versionCode}`,
        versionCode,
        packageBytes: bytes,
        manifestBytes: pkg.manifestBytes,
      },
      key,
    );
    const bundlesBefore = await filesUnder((server.services.bundles as BundleStore).root);
    const response = await uploadPackage(server, owner.token, appId, statement.bytes, bytes);
    assertContract('uploadVersion', response);
    if (response.statusCode >= 400) {
      // Nothing was stored, countersigned or left behind.
      assert.deepEqual(
        await filesUnder((server.services.bundles as BundleStore).root),
        bundlesBefore,
      );
      assert.deepEqual(await filesUnder(server.services.bundles.scratch), []);
      const rows = await server.services.db.query(
        'select 1 from versions where app_id = $1 and version_code = $2',
        [appId, versionCode],
      );
      assert.equal(rows.rows.length, 0);
    }
    return {
      status: response.statusCode,
      code: response.statusCode >= 400 ? (response.json() as { code: string }).code : undefined,
    };
  }

  it('accepts the same package rebuilt without the damaged entry (the control)', async () => {
    const outcome = await uploadWith([{ name: 'assets/data.bin', data: new Uint8Array(1000) }]);
    assert.equal(outcome.status, 201);
  });

  it('refuses an entry that inflates to 20 MiB while its headers declare 1,000 bytes and CRC 0', async () => {
    const compressed = deflateRawSync(new Uint8Array(20 * 1024 * 1024));
    const outcome = await uploadWith([
      { name: 'assets/data.bin', compressed, declaredSize: 1000, crc: 0 },
    ]);
    assert.deepEqual(outcome, { status: 422, code: 'PKG_SIZE_MISMATCH' });
  });

  it('refuses a wrong CRC-32 in a file that no review rule reads', async () => {
    const outcome = await uploadWith([
      { name: 'assets/photo.bin', data: new Uint8Array(4096).fill(7), method: 0, crc: 0x1234 },
    ]);
    assert.deepEqual(outcome, { status: 422, code: 'PKG_CRC_MISMATCH' });
  });

  it('refuses a package with an HTML prefix (a polyglot)', async () => {
    const outcome = await uploadWith([], {
      prefix: new TextEncoder().encode('<html><script>alert(document.cookie)</script>'),
    });
    assert.deepEqual(outcome, { status: 422, code: 'PKG_EXTRA_BYTES' });
  });

  it('keeps a manifest holding U+0000 out of the store as text: rejected, with MANIFEST_NUL_CHARACTER [MAN-170]', async () => {
    versionCode += 1;
    const { response } = await uploadTinyVersion(server, owner, {
      appId,
      versionCode,
      manifest: { description: 'a\u0000b', 'x-acme-note': 'c\u0000d' },
    });
    assertContract('uploadVersion', response);
    assert.equal(response.statusCode, 201, response.body);
    assert.equal(response.json().reviewStatus, 'rejected');
    const review = await server.app.inject({
      method: 'GET',
      url: response.json().reviewUrl,
      headers: { authorization: `Bearer ${owner.token}` },
    });
    const codes = (review.json() as { findings: { code: string }[] }).findings.map((f) => f.code);
    assert.ok(codes.includes('MANIFEST_NUL_CHARACTER'), codes.join(', '));
  });

  it('refuses a Unicode Path extra field that names ../../x', async () => {
    const outcome = await uploadWith([
      {
        name: 'assets/a.txt',
        data: new Uint8Array([1]),
        extra: unicodePathField('assets/a.txt', '../../x'),
      },
    ]);
    assert.deepEqual(outcome, { status: 422, code: 'PKG_UNICODE_PATH_MISMATCH' });
  });
});
