import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { zipSync } from 'fflate';
import { readPackageStream } from '../bounded-download.ts';
import { encodeEnvelope } from '../envelope.ts';
import { createRoot } from '../root.ts';
import { TrustStore } from '../trust-store.ts';
import type { PrivateKey } from '../key-pair.ts';
import { createRelease, type ReleaseInput } from '../release.ts';
import { sha256Hex as sha } from '../digest.ts';
import { hoursFromNow, newKey, now, ReleaseWorld, type Published } from './release-world.ts';

function releaseInputOf(published: Published): ReleaseInput {
  return {
    statement: published.verified,
    minHostVersion: '1.0.0',
    permissions: [],
    issuedAt: hoursFromNow(-1),
    expires: hoursFromNow(100),
  };
}

describe('host trust store', () => {
  let world: ReleaseWorld;
  let shop: Published;

  before(async () => {
    world = await ReleaseWorld.create();
    shop = world.publish({ versionCode: 3, version: '1.3.0' });
  });

  function store(): TrustStore {
    return TrustStore.fromBakedRoot(world.root.bytes);
  }

  function sessionWith(pin: Published[], indexVersion = 1): TrustStore {
    const trust = store();
    trust.verifyIndex(world.index({ version: indexVersion, pin }).bytes, now);
    return trust;
  }

  function rotation(
    version: number,
    signers: PrivateKey[],
    rootKeys: PrivateKey[],
    indexKeys = world.indexKeys,
  ): Uint8Array {
    return createRoot(
      {
        version,
        expires: hoursFromNow(24 * 365),
        roles: {
          root: { keys: rootKeys.map((k) => k.publicJwk), threshold: 2 },
          release: { keys: world.releaseKeys.map((k) => k.publicJwk), threshold: 2 },
          index: { keys: indexKeys.map((k) => k.publicJwk), threshold: 1 },
        },
      },
      signers,
    ).bytes;
  }

  describe('the whole update session', () => {
    it('accepts a release pinned by a fresh index and its package, and records the install [SIG-065] [SIG-068]', () => {
      const trust = sessionWith([shop]);
      const { release, sha256 } = trust.verifyRelease(shop.release.bytes, {
        appId: 'com.example.shop',
        channel: 'stable',
        now,
      });
      assert.equal(sha256, shop.release.sha256);
      trust.verifyPackage(shop.packageBytes, release);
      trust.recordInstall(release);
      assert.deepEqual(trust.state.installed, { 'com.example.shop': 3 });
      assert.equal(trust.state.indexVersion, 1);
    });

    it('restores the same trust from persisted JSON state [SIG-068]', () => {
      const trust = sessionWith([shop], 5);
      trust.recordInstall(shop.release.payload);
      const restored = new TrustStore(JSON.parse(JSON.stringify(trust.state)));
      assert.deepEqual(restored.state, trust.state);
      assert.equal(restored.root.version, 1);
    });

    it('refuses persisted state whose root is not signed by its own root keys [SIG-050]', async () => {
      const forged = createRoot(
        {
          version: 1,
          expires: hoursFromNow(24),
          roles: {
            root: { keys: world.rootKeys.map((k) => k.publicJwk), threshold: 2 },
            release: { keys: world.releaseKeys.map((k) => k.publicJwk), threshold: 1 },
            index: { keys: world.indexKeys.map((k) => k.publicJwk), threshold: 1 },
          },
        },
        [await newKey()],
      );
      assert.throws(() => TrustStore.fromBakedRoot(forged.bytes), { code: 'SIG_UNKNOWN_KEY' });
    });
  });

  describe('arbitrary installation and key compromise below threshold', () => {
    it('rejects a release signed by only one of the two release keys [SIG-013] [SIG-033]', () => {
      const forged = createRelease(releaseInputOf(shop), [world.releaseKeys[0] as PrivateKey]);
      const trust = sessionWith([{ ...shop, release: forged }]);
      assert.throws(
        () =>
          trust.verifyRelease(forged.bytes, { appId: 'com.example.shop', channel: 'stable', now }),
        {
          code: 'SIG_THRESHOLD_NOT_MET',
        },
      );
    });

    it('rejects a release signed by one release key twice [SIG-013]', () => {
      const once = createRelease(releaseInputOf(shop), [world.releaseKeys[0] as PrivateKey]);
      const doubled = {
        ...once.envelope,
        signatures: [...once.envelope.signatures, ...once.envelope.signatures],
      };
      const bytes = encodeEnvelope(doubled);
      const trust = store();
      trust.verifyIndex(
        world.index({
          version: 1,
          pin: [{ ...shop, release: { ...once, bytes, sha256: sha(bytes) } }],
        }).bytes,
        now,
      );
      assert.throws(
        () => trust.verifyRelease(bytes, { appId: 'com.example.shop', channel: 'stable', now }),
        {
          code: 'SIG_THRESHOLD_NOT_MET',
        },
      );
    });

    it('rejects a release signed by the partner key instead of the platform [SIG-033]', () => {
      const forged = createRelease(releaseInputOf(shop), [world.partner]);
      const trust = sessionWith([{ ...shop, release: forged }]);
      assert.throws(
        () =>
          trust.verifyRelease(forged.bytes, { appId: 'com.example.shop', channel: 'stable', now }),
        {
          code: 'SIG_UNKNOWN_KEY',
        },
      );
    });

    it('rejects an index signed by release keys rather than index keys [SIG-060]', () => {
      const trust = store();
      const forged = world.index({ version: 1, pin: [shop], keys: world.releaseKeys });
      assert.throws(() => trust.verifyIndex(forged.bytes, now), { code: 'SIG_UNKNOWN_KEY' });
    });

    it('rejects a statement presented as a release even when the index pins its bytes [SIG-012]', () => {
      const confused = {
        ...shop,
        release: { ...shop.release, bytes: shop.statement.bytes, sha256: shop.statement.sha256 },
      };
      const trust = sessionWith([confused]);
      assert.throws(
        () =>
          trust.verifyRelease(shop.statement.bytes, {
            appId: 'com.example.shop',
            channel: 'stable',
            now,
          }),
        {
          code: 'SIG_PAYLOAD_TYPE_MISMATCH',
        },
      );
    });
  });

  describe('freeze, rollback and fast-forward', () => {
    it('rejects an expired index at the session time [SIG-063]', () => {
      const stale = world.index({ version: 1, pin: [shop], issuedAt: hoursFromNow(-30) });
      assert.throws(() => store().verifyIndex(stale.bytes, now), { code: 'SIG_EXPIRED' });
    });

    it('accepts the same index one second before it expires and rejects it at the instant of expiry [SIG-063]', () => {
      const index = world.index({ version: 1, pin: [shop] });
      const expiry = new Date(index.payload.expires);
      assert.doesNotThrow(() =>
        store().verifyIndex(index.bytes, new Date(expiry.getTime() - 1000)),
      );
      assert.throws(() => store().verifyIndex(index.bytes, expiry), { code: 'SIG_EXPIRED' });
    });

    it('rejects an expired release even when pinned by a fresh index [SIG-063]', () => {
      const old = world.publish({ versionCode: 4, expires: hoursFromNow(-0.5) });
      const trust = sessionWith([old]);
      assert.throws(
        () =>
          trust.verifyRelease(old.release.bytes, {
            appId: 'com.example.shop',
            channel: 'stable',
            now,
          }),
        {
          code: 'SIG_EXPIRED',
        },
      );
    });

    it('rejects everything once the trusted root has expired [SIG-054]', () => {
      const trust = store();
      const later = new Date(now.getTime() + 400 * 24 * 3_600_000);
      assert.throws(() => trust.verifyIndex(world.index({ version: 1 }).bytes, later), {
        code: 'SIG_EXPIRED',
      });
    });

    it('refuses to verify a release without an index in the session [SIG-064]', () => {
      assert.throws(
        () =>
          store().verifyRelease(shop.release.bytes, {
            appId: 'com.example.shop',
            channel: 'stable',
            now,
          }),
        {
          code: 'SIG_NOT_IN_INDEX',
        },
      );
    });

    it('refuses a release once the session index has expired [SIG-064]', () => {
      const trust = sessionWith([shop]);
      assert.throws(
        () =>
          trust.verifyRelease(shop.release.bytes, {
            appId: 'com.example.shop',
            channel: 'stable',
            now: hoursFromNow(30),
          }),
        {
          code: 'SIG_EXPIRED',
        },
      );
    });

    it('rejects an index with a lower version than one already trusted [SIG-062]', () => {
      const trust = sessionWith([shop], 7);
      assert.throws(() => trust.verifyIndex(world.index({ version: 6, pin: [shop] }).bytes, now), {
        code: 'SIG_ROLLBACK',
      });
      assert.equal(trust.state.indexVersion, 7);
    });

    it('rejects a release older than the installed versionCode of the app [SIG-035]', () => {
      const older = world.publish({ versionCode: 2, version: '1.2.0' });
      const trust = sessionWith([older]);
      trust.recordInstall(shop.release.payload);
      assert.throws(
        () =>
          trust.verifyRelease(older.release.bytes, {
            appId: 'com.example.shop',
            channel: 'stable',
            now,
          }),
        {
          code: 'SIG_ROLLBACK',
        },
      );
    });

    it('forgets the trusted index version when a root rotation replaces the index keys [SIG-056]', async () => {
      const newIndexKey = await newKey();
      const trust = sessionWith([shop], 1_000_000);
      trust.updateRoot([rotation(2, world.rootKeys, world.rootKeys, [newIndexKey])], now);
      assert.equal(trust.state.indexVersion, 0);
      assert.doesNotThrow(() =>
        trust.verifyIndex(world.index({ version: 1, keys: [newIndexKey] }).bytes, now),
      );
    });
  });

  describe('mix-and-match, wrong app and revocation', () => {
    it('rejects a genuine release that the current index does not pin [SIG-065]', () => {
      const newer = world.publish({ versionCode: 5, version: '1.5.0' });
      const trust = sessionWith([newer]);
      assert.throws(
        () =>
          trust.verifyRelease(shop.release.bytes, {
            appId: 'com.example.shop',
            channel: 'stable',
            now,
          }),
        {
          code: 'SIG_NOT_IN_INDEX',
        },
      );
    });

    it('rejects a release pinned for another channel than it was requested on [SIG-065]', () => {
      const beta = world.publish({ versionCode: 6, channel: 'beta' });
      const trust = sessionWith([beta]);
      assert.throws(
        () =>
          trust.verifyRelease(beta.release.bytes, {
            appId: 'com.example.shop',
            channel: 'stable',
            now,
          }),
        {
          code: 'SIG_NOT_IN_INDEX',
        },
      );
    });

    it('rejects app A release metadata when app B was requested [SIG-034]', () => {
      const trust = sessionWith([shop]);
      assert.throws(
        () =>
          trust.verifyRelease(shop.release.bytes, {
            appId: 'com.example.bank',
            channel: 'stable',
            now,
          }),
        {
          code: 'SIG_WRONG_APP',
        },
      );
    });

    it('rejects a revoked release [SIG-066]', () => {
      const trust = store();
      trust.verifyIndex(
        world.index({ version: 1, pin: [shop], revokedReleases: [shop.release.sha256] }).bytes,
        now,
      );
      assert.throws(
        () =>
          trust.verifyRelease(shop.release.bytes, {
            appId: 'com.example.shop',
            channel: 'stable',
            now,
          }),
        {
          code: 'SIG_REVOKED_RELEASE',
        },
      );
    });

    it('rejects a release whose statement was signed by a revoked partner key [SIG-067]', () => {
      const trust = store();
      trust.verifyIndex(
        world.index({ version: 1, pin: [shop], revokedKeys: [world.partner.keyid] }).bytes,
        now,
      );
      assert.throws(
        () =>
          trust.verifyRelease(shop.release.bytes, {
            appId: 'com.example.shop',
            channel: 'stable',
            now,
          }),
        {
          code: 'SIG_REVOKED_KEY',
        },
      );
    });
  });

  describe('package bytes', () => {
    it('rejects a package with one byte changed [SIG-041]', () => {
      const tampered = new Uint8Array(shop.packageBytes);
      tampered[10] = (tampered[10] ?? 0) ^ 0xff;
      assert.throws(() => store().verifyPackage(tampered, shop.release.payload), {
        code: 'SIG_DIGEST_MISMATCH',
      });
    });

    it('rejects a package longer than the signed length [SIG-041]', () => {
      const longer = new Uint8Array([...shop.packageBytes, 0]);
      assert.throws(() => store().verifyPackage(longer, shop.release.payload), {
        code: 'SIG_LENGTH_MISMATCH',
      });
    });

    it('stops reading an endless download just past the signed length [SIG-040]', async () => {
      let pulled = 0;
      async function* endless(): AsyncGenerator<Uint8Array> {
        for (;;) {
          pulled++;
          yield new Uint8Array(1024);
        }
      }
      await assert.rejects(readPackageStream(endless(), { length: 4096 }), {
        code: 'SIG_LENGTH_MISMATCH',
      });
      assert.equal(pulled, 5);
    });

    it('reads a download of exactly the signed length and rejects a short one [SIG-040]', async () => {
      async function* chunks(total: number): AsyncGenerator<Uint8Array> {
        for (let sent = 0; sent < total; sent += 100)
          yield new Uint8Array(Math.min(100, total - sent));
      }
      assert.equal((await readPackageStream(chunks(250), { length: 250 })).length, 250);
      await assert.rejects(readPackageStream(chunks(200), { length: 250 }), {
        code: 'SIG_LENGTH_MISMATCH',
      });
    });

    it('rejects a package whose manifest names another app than the signed metadata [SIG-042]', () => {
      // The platform signed a package whose manifest names another app: identity comes from inside the archive.
      const manifestBytes = new TextEncoder().encode(
        JSON.stringify({ id: 'com.example.bank', version: '1.3.0', versionCode: 3 }),
      );
      const bytes = zipSync({ 'manifest.json': manifestBytes });
      const release = {
        ...shop.release.payload,
        package: { sha256: sha(bytes), length: bytes.length },
        manifestSha256: sha(manifestBytes),
      };
      assert.throws(() => store().verifyPackage(bytes, release), { code: 'SIG_MANIFEST_MISMATCH' });
    });

    it('rejects a package whose manifest bytes differ from the signed manifest digest [SIG-042]', () => {
      const release = { ...shop.release.payload, manifestSha256: '0'.repeat(64) };
      assert.throws(() => store().verifyPackage(shop.packageBytes, release), {
        code: 'SIG_MANIFEST_MISMATCH',
      });
    });
  });

  describe('root rotation', () => {
    let nextRootKeys: PrivateKey[];
    before(async () => {
      nextRootKeys = [await newKey(), await newKey('RSA-PSS')];
    });

    it('walks root versions 2 and 3 signed by old and new thresholds [SIG-052] [SIG-053]', async () => {
      const thirdKeys = [await newKey(), await newKey()];
      const trust = store();
      const root = trust.updateRoot(
        [
          rotation(2, [...world.rootKeys, ...nextRootKeys], nextRootKeys),
          rotation(3, [...nextRootKeys, ...thirdKeys], thirdKeys),
        ],
        now,
      );
      assert.equal(root.version, 3);
      assert.equal(new TrustStore(trust.state).root.version, 3);
    });

    it('rejects a new root signed only by the new root keys [SIG-052]', () => {
      assert.throws(() => store().updateRoot([rotation(2, nextRootKeys, nextRootKeys)], now), {
        code: 'SIG_ROOT_ROTATION_INVALID',
      });
    });

    it('rejects a new root signed only by the old root keys [SIG-052]', () => {
      assert.throws(() => store().updateRoot([rotation(2, world.rootKeys, nextRootKeys)], now), {
        code: 'SIG_ROOT_ROTATION_INVALID',
      });
    });

    it('rejects a new root signed by only one old root key and the new keys [SIG-052]', () => {
      const signers = [world.rootKeys[0] as PrivateKey, ...nextRootKeys];
      assert.throws(() => store().updateRoot([rotation(2, signers, nextRootKeys)], now), {
        code: 'SIG_ROOT_ROTATION_INVALID',
      });
    });

    it('rejects a root that skips a version, even when correctly signed [SIG-053]', () => {
      assert.throws(() => store().updateRoot([rotation(3, world.rootKeys, world.rootKeys)], now), {
        code: 'SIG_ROOT_ROTATION_INVALID',
      });
    });

    it('rejects a replay of the current root version [SIG-053]', () => {
      const trust = store();
      assert.throws(() => trust.updateRoot([world.root.bytes], now), {
        code: 'SIG_ROOT_ROTATION_INVALID',
      });
      assert.equal(trust.root.version, 1);
    });

    it('rejects a final root that has expired while accepting it as an intermediate step [SIG-054]', () => {
      const expired = createRoot(
        {
          version: 2,
          expires: hoursFromNow(-1),
          roles: {
            root: { keys: world.rootKeys.map((k) => k.publicJwk), threshold: 2 },
            release: { keys: world.releaseKeys.map((k) => k.publicJwk), threshold: 2 },
            index: { keys: world.indexKeys.map((k) => k.publicJwk), threshold: 1 },
          },
        },
        world.rootKeys,
      ).bytes;
      assert.throws(() => store().updateRoot([expired], now), { code: 'SIG_EXPIRED' });
      const root = store().updateRoot([expired, rotation(3, world.rootKeys, world.rootKeys)], now);
      assert.equal(root.version, 3);
    });

    it('rejects a root whose threshold exceeds its keys [SIG-051]', () => {
      assert.throws(
        () =>
          createRoot(
            {
              version: 2,
              expires: hoursFromNow(10),
              roles: {
                root: { keys: world.rootKeys.map((k) => k.publicJwk), threshold: 3 },
                release: { keys: world.releaseKeys.map((k) => k.publicJwk), threshold: 2 },
                index: { keys: world.indexKeys.map((k) => k.publicJwk), threshold: 1 },
              },
            },
            world.rootKeys,
          ),
        { code: 'SIG_MALFORMED' },
      );
    });
  });
});
