import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import path from 'node:path';
import fc from 'fast-check';
import { selectUpdate } from '#sdk/distribution/index.ts';
import {
  createBin,
  createDelegation,
  createIndex,
  createRelease,
  createRoot,
  createStatement,
  generateKeyPair,
  loadPrivateKey,
  allBinPrefixes,
  binPrefixOf,
  sha256Hex,
  TrustStore,
  verifyStatement,
  type PrivateKey,
} from '#sdk/signing/index.ts';
import { loadPlatformKeys, type PlatformKeys } from '../../src/trust/platform-keys.ts';
import { assertContract, bearer } from '../contract-assertions.ts';
import { createApp, partnerKeyOf, publishVersion } from '../delivery/delivery-fixture.ts';
import { startTestServer, type TestServer } from '../test-server.ts';

const immutable = 'public, max-age=31536000, immutable';

async function newKey(): Promise<PrivateKey> {
  return loadPrivateKey((await generateKeyPair('Ed25519')).privateKeyPem);
}

/** Platform keys of a root valid for `years`, with the delegation key kept by the caller when offline. */
async function platformKeys(options: { offline: boolean; years: number; now?: Date }) {
  const [root, delegation, release, index] = [
    await newKey(),
    await newKey(),
    await newKey(),
    await newKey(),
  ];
  const signed = createRoot(
    {
      version: 1,
      expires: new Date((options.now ?? new Date()).getTime() + options.years * 365 * 86_400_000),
      roles: {
        root: { keys: [root.publicJwk], threshold: 1 },
        delegation: { keys: [delegation.publicJwk], threshold: 1 },
        release: { keys: [release.publicJwk], threshold: 1 },
        index: { keys: [index.publicJwk], threshold: 1 },
      },
    },
    [root],
  );
  const keys: PlatformKeys = {
    delegation: options.offline ? [] : [delegation],
    release: [release],
    index: [index],
    roots: [{ version: 1, bytes: signed.bytes }],
    development: false,
  };
  return { keys, rootKey: root, delegationKey: delegation, root: signed };
}

/** A host's HTTP reads, through the server's public routes. */
function hostReads(server: TestServer) {
  const get = async (url: string, operation: string) => {
    const response = await server.app.inject({ method: 'GET', url });
    assertContract(operation, response);
    assert.equal(response.statusCode, 200, `${url}: ${response.body}`);
    return new Uint8Array(response.rawPayload);
  };
  return {
    get,
    /** Root, index and the app's bin verified, as at the start of a session. */
    async session(appId: string, now: Date, store?: TrustStore): Promise<TrustStore> {
      const trust =
        store ?? TrustStore.fromBakedRoot(await get('/v1/trust/1.root.json', 'getVersionedRoot'));
      trust.updateRoot([], now);
      trust.verifyIndex(await get('/v1/trust/index.json', 'getSignedIndex'), now);
      const location = trust.binFor(appId);
      trust.verifyBin(await get(location.path, 'getBin'), location.prefix, now);
      return trust;
    },
    /** The rest of an install: delegation, release, statement, package. */
    async install(trust: TrustStore, appId: string, versionCode: number, now: Date) {
      const entry = trust.appEntry(appId);
      assert.ok(entry, `the bin lists ${appId}`);
      trust.verifyDelegation(
        await get(
          `/v1/delegations/${appId}/${entry.delegation.version}.delegation.json`,
          'getDelegation',
        ),
        { appId, now },
      );
      const { release } = trust.verifyRelease(
        await get(`/v1/releases/${appId}/${versionCode}.release.json`, 'getReleaseEnvelope'),
        { appId, channel: 'stable', now },
      );
      trust.verifyStatement(
        await get(`/v1/releases/${appId}/${versionCode}.statement.json`, 'getStatementEnvelope'),
        release,
      );
      trust.verifyPackage(
        await get(`/v1/bundles/sha256/${release.package.sha256}.ma`, 'getBundle'),
        release,
      );
      trust.recordInstall(release);
      return release;
    },
  };
}

describe('the trust model of the reference server', () => {
  let server: TestServer;
  let partner: { partnerId: string; token: string };
  let host: string;
  const appId = 'com.example.trusted';

  before(async () => {
    server = await startTestServer();
    partner = await server.partner();
    host = (await server.hostDevice()).token;
    await createApp(server, partner.partnerId, appId);
  });
  after(() => server.close());

  async function release(body: Record<string, unknown>, app = appId) {
    const response = await server.app.inject({
      method: 'POST',
      url: `/v1/partner/apps/${app}/releases`,
      headers: bearer(partner.token),
      payload: body,
    });
    assertContract('createRelease', response);
    return response;
  }

  it('serves every index and bin at an immutable address of its own, re-signing only the bin that changed [API-102] [API-103] [SIG-103]', async () => {
    await publishVersion(server, { appId, versionCode: 1 });
    assert.equal(
      (await release({ versionCode: 1, channel: 'stable', rolloutPercent: 100 })).statusCode,
      201,
    );
    const first = await server.services.trust.currentIndex();
    await publishVersion(server, { appId, versionCode: 2 });
    assert.equal(
      (await release({ versionCode: 2, channel: 'beta', rolloutPercent: 100 })).statusCode,
      201,
    );
    const second = await server.services.trust.currentIndex();
    assert.ok(
      second.version > first.version,
      `the index moves past version ${first.version}, not to ${second.version}`,
    );

    const old = await server.app.inject({
      method: 'GET',
      url: `/v1/trust/${first.version}.index.json`,
    });
    assertContract('getVersionedIndex', old);
    assert.equal(old.headers['cache-control'], immutable);
    assert.deepEqual(new Uint8Array(old.rawPayload), first.bytes);
    const prefix = binPrefixOf(appId, second.binPrefixLength);
    for (const bin of first.bins.values()) {
      const served = await server.app.inject({
        method: 'GET',
        url: `/v1/trust/bins/${bin.prefix}/${bin.version}.bin.json`,
      });
      assertContract('getBin', served);
      assert.equal(served.headers['cache-control'], immutable);
      assert.equal(sha256Hex(new Uint8Array(served.rawPayload)), bin.sha256);
      const now = second.bins.get(bin.prefix);
      // Only the app's bin changed between the two indexes.
      if (bin.prefix === prefix)
        assert.ok(
          (now?.version ?? 0) > bin.version,
          `the app's bin ${bin.prefix} is newer in the second index`,
        );
      else assert.equal(now?.sha256, bin.sha256);
    }
    for (const url of [
      '/v1/trust/999999.index.json',
      '/v1/trust/bins/all/1.bin.json',
      `/v1/trust/bins/${prefix}/999.bin.json`,
    ]) {
      const missing = await server.app.inject({ method: 'GET', url });
      assert.equal(missing.statusCode, 404, url);
      assert.equal(missing.json().code, 'API_NOT_FOUND');
    }
  });

  it('serves the statement exactly as uploaded and the delegation a bin pins, publicly and immutably [API-104] [API-105] [API-041]', async () => {
    const stored = await server.services.db.query<{
      statement: Uint8Array;
      statement_sha256: string;
    }>('select statement, statement_sha256 from versions where app_id = $1 and version_code = 1', [
      appId,
    ]);
    const statement = await server.app.inject({
      method: 'GET',
      url: `/v1/releases/${appId}/1.statement.json`,
    });
    assertContract('getStatementEnvelope', statement);
    assert.equal(statement.headers['cache-control'], immutable);
    assert.deepEqual(
      new Uint8Array(statement.rawPayload),
      new Uint8Array(stored.rows[0]?.statement ?? []),
    );
    assert.equal(sha256Hex(new Uint8Array(statement.rawPayload)), stored.rows[0]?.statement_sha256);

    const entry = (await server.services.trust.currentIndex()).entry(appId);
    assert.ok(entry, `the index has an entry for ${appId}`);
    const delegation = await server.app.inject({
      method: 'GET',
      url: `/v1/delegations/${appId}/${entry.delegation.version}.delegation.json`,
    });
    assertContract('getDelegation', delegation);
    assert.equal(sha256Hex(new Uint8Array(delegation.rawPayload)), entry.delegation.sha256);

    await publishVersion(server, { appId, versionCode: 3, status: 'queued' });
    const queued = await server.app.inject({
      method: 'GET',
      url: `/v1/releases/${appId}/3.statement.json`,
    });
    assertContract('getStatementEnvelope', queued);
    assert.equal(queued.statusCode, 404);
  });

  it('answers every update check as the host decides on the signed bin, batch or single [API-100] [API-101] [API-031]', async () => {
    const app = 'com.example.staged';
    await createApp(server, partner.partnerId, app);
    for (const versionCode of [1, 2, 3, 4]) {
      await publishVersion(server, {
        appId: app,
        versionCode,
        minHostVersion: versionCode === 4 ? '1.2.0' : '1.0.0',
      });
    }
    await release({ versionCode: 1, channel: 'stable', rolloutPercent: 100 }, app);
    await release({ versionCode: 2, channel: 'stable', rolloutPercent: 40, mandatory: true }, app);
    const paused = (
      await release({ versionCode: 3, channel: 'stable', rolloutPercent: 60 }, app)
    ).json().releaseId;
    await server.app.inject({
      method: 'POST',
      url: `/v1/partner/apps/${app}/releases/${paused}/pause`,
      headers: bearer(partner.token),
    });
    await release({ versionCode: 4, channel: 'stable', rolloutPercent: 70 }, app);

    const reads = hostReads(server);
    const now = new Date();
    const trust = await reads.session(app, now);
    const entry = trust.appEntry(app);
    assert.ok(entry, `the host session has an entry for ${app}`);
    assert.deepEqual(
      entry.releases.map((r) => [r.versionCode, r.paused]),
      [
        [1, false],
        [2, false],
        [3, true],
        [4, false],
      ],
    );
    await fc.assert(
      fc.asyncProperty(
        fc.stringMatching(/^[A-Za-z0-9_-]{16,24}$/),
        fc.constantFrom(0, 1, 2, 3, 4),
        fc.constantFrom('1.0.0', '1.1.0', '1.2.0', '2.0.0'),
        async (deviceId, installed, hostApiVersion) => {
          const single = await server.app.inject({
            method: 'GET',
            url: `/v1/apps/${app}/update`,
            query: { hostApiVersion, channel: 'stable', deviceId, versionCode: String(installed) },
            headers: bearer(host),
          });
          const batch = await server.app.inject({
            method: 'POST',
            url: '/v1/updates/check',
            headers: bearer(host),
            payload: {
              hostApiVersion,
              channel: 'stable',
              deviceId,
              apps: [
                { appId, versionCode: 0 },
                { appId: app, versionCode: installed },
              ],
            },
          });
          const answer = single.json() as {
            kind: string;
            update?: { versionCode: number; mandatory: boolean };
            minHostVersion?: string;
          };
          assert.deepEqual(batch.json().results[1], answer);
          const decided = selectUpdate({
            appId: app,
            entry,
            channel: 'stable',
            deviceId,
            hostApiVersion,
            installed: installed > 0 ? { versionCode: installed, revoked: false } : null,
          });
          assert.equal(answer.kind, decided.kind);
          if (decided.kind === 'update') {
            assert.equal(answer.update?.versionCode, decided.release.versionCode);
            assert.equal(answer.update?.mandatory, decided.mandatory);
          }
          if (decided.kind === 'incompatible')
            assert.equal(answer.minHostVersion, decided.minHostVersion);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('refuses to release a version whose statement no delegation of the app covers [API-112]', async () => {
    const app = 'com.example.undelegated';
    // An app whose partner has registered no key has no delegation at all.
    const loner = await server.partner();
    await server.services.db.query('insert into apps (app_id, partner_id) values ($1, $2)', [
      app,
      loner.partnerId,
    ]);
    const key = await newKey();
    await server.services.db.query(
      'insert into partner_keys (keyid, partner_id, jwk) values ($1, $2, $3)',
      [key.keyid, loner.partnerId, JSON.stringify(key.publicJwk)],
    );
    // The key was registered behind the server's back: no delegation lists it yet.
    const published = await publishVersionSignedBy(server, app, 1, key);
    assert.ok(published, 'the version signed by the unlisted key is published');
    const refused = await server.app.inject({
      method: 'POST',
      url: `/v1/partner/apps/${app}/releases`,
      headers: bearer(loner.token),
      payload: { versionCode: 1, channel: 'stable', rolloutPercent: 100 },
    });
    assertContract('createRelease', refused);
    assert.equal(refused.statusCode, 409);
    assert.equal(refused.json().code, 'API_DELEGATION_MISSING');
    // Once the platform delegates the app to the key, the release goes through.
    await server.services.trust.delegations.sync([app]);
    const accepted = await server.app.inject({
      method: 'POST',
      url: `/v1/partner/apps/${app}/releases`,
      headers: bearer(loner.token),
      payload: { versionCode: 1, channel: 'stable', rolloutPercent: 100 },
    });
    assert.equal(accepted.statusCode, 201, accepted.body);
  });

  it('cannot get a package installed with every online key of the server but no partner key [SIG-090] [SIG-091] [SIG-072]', async () => {
    // The attacker owns the server: its release and index keys, its store and its routes.
    const stolen = await loadPlatformKeys(path.join(server.dataDir, 'trust'));
    const reads = hostReads(server);
    const now = new Date();
    const genuine = (await server.services.trust.currentIndex()).entry(appId);
    assert.ok(genuine, `the index has an entry for ${appId}`);
    const thief = await newKey();
    const evil = await statementAndPackage(appId, 99, thief);
    const evilRelease = createRelease(
      { statement: evil.verified, minHostVersion: '1.0.0', permissions: [], issuedAt: now },
      stolen.release,
    );
    const forgedEntry = {
      ...genuine,
      releases: [
        ...genuine.releases,
        {
          channel: 'stable',
          versionCode: 99,
          sha256: evilRelease.sha256,
          minHostVersion: '1.0.0',
          rolloutPercent: 100,
          mandatory: false,
          paused: false,
        },
      ],
    };
    const prefix = binPrefixOf(appId, 1);
    const bins = allBinPrefixes(1).map((p) =>
      createBin(
        {
          prefix: p,
          version: 1000,
          issuedAt: now,
          apps: p === prefix ? { [appId]: forgedEntry } : {},
        },
        stolen.index,
      ),
    );
    const index = createIndex(
      {
        version: 1_000_000,
        issuedAt: now,
        binPrefixLength: 1,
        bins: bins.map((b) => ({ prefix: b.payload.prefix, version: 1000, sha256: b.sha256 })),
      },
      stolen.index,
    );
    const trust = TrustStore.fromBakedRoot(
      await reads.get('/v1/trust/1.root.json', 'getVersionedRoot'),
    );
    trust.verifyIndex(index.bytes, now);
    const bin = bins.find((b) => b.payload.prefix === prefix);
    assert.ok(bin, `a bin has the prefix ${prefix}`);
    trust.verifyBin(bin.bytes, prefix, now);
    // The genuine delegation, pinned by the forged bin, still names only the partner's key.
    trust.verifyDelegation(
      await reads.get(
        `/v1/delegations/${appId}/${genuine.delegation.version}.delegation.json`,
        'getDelegation',
      ),
      { appId, now },
    );
    const { release } = trust.verifyRelease(evilRelease.bytes, { appId, channel: 'stable', now });
    assert.throws(() => trust.verifyStatement(evil.statement.bytes, release), {
      code: 'SIG_UNKNOWN_KEY',
    });
    assert.throws(() => trust.verifyPackage(evil.packageBytes, release), { code: 'USAGE' });

    // Nor can the online keys sign a delegation of their own.
    const forged = createDelegation(
      { appId, version: 99, issuedAt: now, keys: [thief.publicJwk] },
      [...stolen.release, ...stolen.index],
    );
    const forgedBin = createBin(
      {
        prefix,
        version: 1001,
        issuedAt: now,
        apps: { [appId]: { ...forgedEntry, delegation: { version: 99, sha256: forged.sha256 } } },
      },
      stolen.index,
    );
    const forgedIndex = createIndex(
      {
        version: 1_000_001,
        issuedAt: now,
        binPrefixLength: 1,
        bins: bins.map((b) =>
          b.payload.prefix === prefix
            ? { prefix, version: 1001, sha256: forgedBin.sha256 }
            : { prefix: b.payload.prefix, version: 1000, sha256: b.sha256 },
        ),
      },
      stolen.index,
    );
    trust.verifyIndex(forgedIndex.bytes, now);
    trust.verifyBin(forgedBin.bytes, prefix, now);
    assert.throws(() => trust.verifyDelegation(forged.bytes, { appId, now }), {
      code: 'SIG_UNKNOWN_KEY',
    });
  });

  it('drops a revoked partner key from the next delegation and from the bin, and answers its versions revoked [SIG-104] [SIG-105] [API-079]', async () => {
    const app = 'com.example.rotated';
    const owner = await server.partner();
    await createApp(server, owner.partnerId, app);
    await publishVersion(server, { appId: app, versionCode: 1 });
    const releaseOf = (versionCode: number) =>
      server.app.inject({
        method: 'POST',
        url: `/v1/partner/apps/${app}/releases`,
        headers: bearer(owner.token),
        payload: { versionCode, channel: 'stable', rolloutPercent: 100 },
      });
    assert.equal((await releaseOf(1)).statusCode, 201);
    const old = await partnerKeyOf(server, app);
    // The partner registers a second key, then revokes the first.
    const second = await newKey();
    const registered = await server.app.inject({
      method: 'POST',
      url: '/v1/partner/keys',
      headers: bearer(owner.token),
      payload: { jwk: second.publicJwk },
    });
    assert.equal(registered.statusCode, 201);
    const before = (await server.services.trust.currentIndex()).entry(app);
    assert.ok(before, `the index has an entry for ${app} before the key change`);
    const revoked = await server.app.inject({
      method: 'POST',
      url: `/v1/partner/keys/${old.keyid}/revoke`,
      headers: bearer(owner.token),
    });
    assert.equal(revoked.statusCode, 200);
    const after = (await server.services.trust.currentIndex()).entry(app);
    assert.ok(after, `the index has an entry for ${app} after the key change`);
    assert.deepEqual(after.revokedKeys, [old.keyid]);
    assert.ok(
      after.delegation.version > before.delegation.version,
      'the key change made a newer delegation',
    );
    assert.deepEqual(after.releases, []);
    const latest = await server.services.trust.delegations.latest(server.services.db, app);
    assert.deepEqual(latest?.keyids, [second.keyid]);
    const check = await server.app.inject({
      method: 'GET',
      url: `/v1/apps/${app}/update`,
      query: {
        hostApiVersion: '1.0.0',
        channel: 'stable',
        deviceId: 'device-0001-aaaaaaaa',
        versionCode: '1',
      },
      headers: bearer(host),
    });
    assert.equal(check.json().kind, 'revoked');
  });
});

describe('a server that keeps its delegation key offline [SIG-072] [API-108] [API-109] [API-110]', () => {
  let server: TestServer;
  let platform: Awaited<ReturnType<typeof platformKeys>>;
  let partner: { partnerId: string; token: string };
  let admin: { token: string };
  const appId = 'com.example.offline';

  before(async () => {
    platform = await platformKeys({ offline: true, years: 1 });
    server = await startTestServer({ keys: platform.keys });
    partner = await server.partner();
    admin = await server.admin();
    await createApp(server, partner.partnerId, appId);
    await publishVersion(server, { appId, versionCode: 1 });
  });
  after(() => server.close());

  const pending = async () => {
    const response = await server.app.inject({
      method: 'GET',
      url: '/v1/admin/delegations/pending',
      headers: bearer(admin.token),
    });
    assertContract('listPendingDelegations', response);
    assert.equal(response.statusCode, 200);
    return response.json().items as { appId: string; version: number; payload: string }[];
  };
  const put = async (app: string, body: unknown) => {
    const response = await server.app.inject({
      method: 'PUT',
      url: `/v1/admin/delegations/${app}`,
      headers: bearer(admin.token),
      payload: body as object,
    });
    assertContract('importDelegation', response);
    return response;
  };
  const releaseV1 = () =>
    server.app.inject({
      method: 'POST',
      url: `/v1/partner/apps/${appId}/releases`,
      headers: bearer(partner.token),
      payload: { versionCode: 1, channel: 'stable', rolloutPercent: 100 },
    });

  it('signs nothing itself: no delegation, so no release, until one signed offline is imported', async () => {
    assert.equal(await server.services.trust.delegations.latest(server.services.db, appId), null);
    const refused = await releaseV1();
    assert.equal(refused.json().code, 'API_DELEGATION_MISSING');
  });

  it('lists the exact payload to sign, imports it signed offline, and the next index pins it', async () => {
    const [item] = (await pending()).filter((i) => i.appId === appId);
    assert.ok(item, `a pending delegation is listed for ${appId}`);
    assert.equal(item.version, 1);
    const { signDelegationPayload, decodeSignedPayload } = await import('#sdk/signing/index.ts');
    const bytes = new Uint8Array(Buffer.from(item.payload, 'base64'));
    const payload = decodeSignedPayload<Parameters<typeof signDelegationPayload>[0]>(
      bytes,
      'signing/delegation.schema.json',
      'd',
    );
    assert.deepEqual(Object.keys(payload.keys), [(await partnerKeyOf(server, appId)).keyid]);
    const signed = signDelegationPayload(payload, bytes, [platform.delegationKey]);
    const stored = await put(appId, signed.envelope);
    assert.equal(stored.statusCode, 201, stored.body);
    assert.equal(stored.json().sha256, signed.sha256);
    assert.deepEqual(
      (await pending()).filter((i) => i.appId === appId),
      [],
    );
    assert.equal(
      (await server.services.trust.currentIndex()).entry(appId)?.delegation.sha256,
      signed.sha256,
    );
    assert.equal((await releaseV1()).statusCode, 201);
  });

  it('refuses a delegation of another app, a stale version, a key of the root, or one signed by an online key', async () => {
    const key = await partnerKeyOf(server, appId);
    const now = new Date();
    const sign = (
      input: Partial<Parameters<typeof createDelegation>[0]>,
      signers = [platform.delegationKey],
    ) =>
      createDelegation(
        { appId, version: 5, issuedAt: now, keys: [key.publicJwk], ...input },
        signers,
      ).envelope;
    const foreign = await put(appId, sign({ appId: 'com.example.other' }));
    assert.equal(foreign.statusCode, 422);
    assert.equal(foreign.json().code, 'SIG_WRONG_APP');
    const stale = await put(appId, sign({ version: 1 }));
    assert.equal(stale.statusCode, 409);
    assert.equal(stale.json().code, 'API_DELEGATION_CONFLICT');
    const rootKey = await put(appId, sign({ keys: [platform.rootKey.publicJwk] }));
    assert.equal(rootKey.json().code, 'SIG_KEY_REUSED');
    const online = await put(appId, sign({}, platform.keys.release));
    assert.equal(online.statusCode, 422);
    assert.equal(online.json().code, 'SIG_UNKNOWN_KEY');
    const partnerOnly = await server.app.inject({
      method: 'GET',
      url: '/v1/admin/delegations/pending',
      headers: bearer(partner.token),
    });
    assert.equal(partnerOnly.statusCode, 403);
  });
});

describe('no self-inflicted freeze [SIG-095] [SIG-084]', () => {
  it('installs, two years later, a release countersigned at the start, under a renewed delegation and a fresh index', async () => {
    let now = new Date();
    const platform = await platformKeys({ offline: false, years: 5, now });
    const server = await startTestServer({ keys: platform.keys, clock: () => now });
    try {
      const partner = await server.partner();
      const appId = 'com.example.evergreen';
      await createApp(server, partner.partnerId, appId);
      await publishVersion(server, { appId, versionCode: 1 });
      const created = await server.app.inject({
        method: 'POST',
        url: `/v1/partner/apps/${appId}/releases`,
        headers: bearer(partner.token),
        payload: { versionCode: 1, channel: 'stable', rolloutPercent: 100 },
      });
      assert.equal(created.statusCode, 201);
      const reads = hostReads(server);
      const envelope = await reads.get(
        `/v1/releases/${appId}/1.release.json`,
        'getReleaseEnvelope',
      );
      const firstDelegation = (await server.services.trust.currentIndex()).entry(appId)?.delegation
        .version;

      now = new Date(now.getTime() + 2 * 365 * 86_400_000);
      const trust = await reads.session(appId, now);
      const release = await reads.install(trust, appId, 1, now);
      assert.equal(release.versionCode, 1);
      // The envelope never changed; the delegation was renewed before it expired.
      assert.deepEqual(
        await reads.get(`/v1/releases/${appId}/1.release.json`, 'getReleaseEnvelope'),
        envelope,
      );
      assert.ok(
        (trust.appEntry(appId)?.delegation.version ?? 0) > (firstDelegation ?? 0),
        'the imported delegation is newer than the first',
      );
    } finally {
      await server.close();
    }
  });
});

/** A package and a statement for it signed by the given key, verified as a server would. */
async function statementAndPackage(appId: string, versionCode: number, key: PrivateKey) {
  const { zipSync } = await import('fflate');
  const manifestBytes = new TextEncoder().encode(
    JSON.stringify({ id: appId, version: `9.${versionCode}.0`, versionCode }),
  );
  const packageBytes = zipSync({
    'manifest.json': manifestBytes,
    'pages/index.html': new TextEncoder().encode('<p>evil</p>'),
  });
  const statement = createStatement(
    { appId, version: `9.${versionCode}.0`, versionCode, packageBytes, manifestBytes },
    key,
  );
  const verified = verifyStatement(
    statement.bytes,
    { [key.keyid]: key.publicJwk },
    {
      appId,
      package: { sha256: sha256Hex(packageBytes), length: packageBytes.length },
    },
  );
  return { statement, verified, packageBytes };
}

/** Inserts an approved, countersigned version whose statement the given key signed. */
async function publishVersionSignedBy(
  server: TestServer,
  appId: string,
  versionCode: number,
  key: PrivateKey,
) {
  const { statement, verified, packageBytes } = await statementAndPackage(appId, versionCode, key);
  const stored = await server.services.bundles.put(
    packageBytes,
    packageBytes.length,
    () => new Error('too large'),
  );
  const release = await server.services.trust.countersign({
    statement: verified,
    minHostVersion: '1.0.0',
    permissions: [],
    url: '',
  });
  await server.services.db.query(
    `insert into versions (app_id, version_code, version, package_sha256, package_length, manifest, statement,
                           statement_sha256, statement_keyid, status, review_report, release_envelope, release_sha256)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'approved', '{}'::jsonb, $10, $11)`,
    [
      appId,
      versionCode,
      `9.${versionCode}.0`,
      stored.sha256,
      stored.length,
      JSON.stringify({ minHostVersion: '1.0.0' }),
      Buffer.from(statement.bytes),
      statement.sha256,
      verified.keyid,
      Buffer.from(release.bytes),
      release.sha256,
    ],
  );
  return release;
}
