import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { zipSync } from 'fflate';
import { readPackageStream } from '../bounded-download.ts';
import { encodeEnvelope, payloadTypes, signDocument, type SignedDocument } from '../envelope.ts';
import { TrustStore } from '../trust-store.ts';
import type { PrivateKey } from '../key-pair.ts';
import { createRelease, type ReleaseInput } from '../release.ts';
import { createStatement } from '../statement.ts';
import { createBin } from '../bin.ts';
import { createIndex } from '../release-index.ts';
import type { Delegation } from '../delegation.ts';
import { sha256Hex as sha } from '../digest.ts';
import type { Root } from '../root.ts';
import {
  buildPackage,
  hoursFromNow,
  newKey,
  now,
  ReleaseWorld,
  type AppSpec,
  type Published,
  type Snapshot,
} from './release-world.ts';

const appId = 'com.example.shop';
const stable = { appId, channel: 'stable', now };

function releaseInputOf(published: Published): ReleaseInput {
  return {
    statement: published.verified,
    minHostVersion: '1.0.0',
    permissions: [],
    issuedAt: hoursFromNow(-1),
  };
}

describe('host trust store', () => {
  let world: ReleaseWorld;
  let delegation: SignedDocument<Delegation>;
  let shop: Published;

  before(async () => {
    world = await ReleaseWorld.create();
    delegation = world.delegation();
    shop = world.publish({ versionCode: 3, version: '1.3.0' });
  });

  function store(): TrustStore {
    return TrustStore.fromBakedRoot(world.root.bytes);
  }

  function snapshotWith(pin: Published[], version = 1, spec: Partial<AppSpec> = {}): Snapshot {
    return world.snapshot({ version, apps: [{ delegation, pin, ...spec }] });
  }

  /** Index and the shop's bin verified, as at the start of an update session. */
  function session(snapshot: Snapshot, trust = store(), apps = [appId]): TrustStore {
    trust.verifyIndex(snapshot.index.bytes, now);
    for (const id of apps) {
      const { prefix } = trust.binFor(id);
      trust.verifyBin(snapshot.binOf(id).bytes, prefix, now);
    }
    return trust;
  }

  function sessionWith(pin: Published[], version = 1, spec: Partial<AppSpec> = {}): TrustStore {
    return session(snapshotWith(pin, version, spec));
  }

  /** The whole install of a published release, as a host does it; returns the trust store. */
  function install(
    trust: TrustStore,
    published: Published,
    withDelegation = delegation,
    channel = published.channel,
  ): TrustStore {
    trust.verifyDelegation(withDelegation.bytes, { appId, now });
    const { release } = trust.verifyRelease(published.release.bytes, { appId, channel, now });
    trust.verifyStatement(published.statement.bytes, release);
    trust.verifyPackage(published.packageBytes, release);
    trust.recordInstall(release);
    return trust;
  }

  describe('the whole update session', () => {
    it('installs a release through index, bin, delegation, release, statement and package, and records it [SIG-065] [SIG-068] [SIG-093]', () => {
      const trust = install(sessionWith([shop]), shop);
      assert.deepEqual(trust.state.installed, { [appId]: 3 });
      assert.equal(trust.state.indexVersion, 1);
      assert.equal(trust.trustedDelegation(appId)?.version, 1);
      assert.equal(trust.trustedDelegation(appId)?.sha256, delegation.sha256);
    });

    it('names the bin of an app and its route, and gives its signed entry [SIG-101] [API-103]', () => {
      const trust = store();
      const snapshot = snapshotWith([shop]);
      trust.verifyIndex(snapshot.index.bytes, now);
      const location = trust.binFor(appId);
      assert.equal(location.prefix, sha(new TextEncoder().encode(appId)).slice(0, 1));
      assert.equal(location.path, `/v1/trust/bins/${location.prefix}/1.bin.json`);
      assert.throws(() => trust.appEntry(appId), { code: 'USAGE' });
      trust.verifyBin(snapshot.binOf(appId).bytes, location.prefix, now);
      assert.equal(trust.appEntry(appId)?.releases[0]?.sha256, shop.release.sha256);
    });

    it('restores the same trust from persisted JSON state [SIG-068]', () => {
      const trust = install(sessionWith([shop], 5), shop);
      const restored = new TrustStore(JSON.parse(JSON.stringify(trust.state)));
      assert.deepEqual(restored.state, trust.state);
      assert.equal(restored.root.version, 1);
      assert.equal(restored.installedVersionCode(appId), 3);
    });

    it('restores state saved before delegations existed, trusting none [SIG-068]', () => {
      const old = store().state;
      delete old.delegations;
      assert.equal(new TrustStore(old).trustedDelegation(appId), undefined);
    });

    it('refuses persisted state whose root is not signed by its own root keys [SIG-050]', async () => {
      const forged = ReleaseWorld.rootOf(1, world.keys, [await newKey()]);
      assert.throws(() => TrustStore.fromBakedRoot(forged.bytes), { code: 'SIG_UNKNOWN_KEY' });
    });

    it('refuses the package before the statement is verified, and the statement before the delegation [SIG-093]', () => {
      const trust = sessionWith([shop]);
      const { release } = trust.verifyRelease(shop.release.bytes, stable);
      assert.throws(() => trust.verifyPackage(shop.packageBytes, release), { code: 'USAGE' });
      assert.throws(() => trust.verifyStatement(shop.statement.bytes, release), {
        code: 'USAGE',
      });
    });
  });

  describe('a compromised server: every online key, no partner key [SIG-090] [SIG-091]', () => {
    it('refuses a package whose statement the attacker signed with a key of their own', async () => {
      const thief = await newKey();
      // The attacker holds the release and index keys, so release, bin and index verify.
      const evil = world.publish({ versionCode: 9, version: '6.6.6', partner: thief });
      const trust = sessionWith([evil]);
      trust.verifyDelegation(delegation.bytes, { appId, now });
      const { release } = trust.verifyRelease(evil.release.bytes, stable);
      assert.throws(() => trust.verifyStatement(evil.statement.bytes, release), {
        code: 'SIG_UNKNOWN_KEY',
      });
      assert.throws(() => trust.verifyPackage(evil.packageBytes, release), { code: 'USAGE' });
    });

    it('refuses a delegation that the attacker signed with an online key', () => {
      for (const signers of [world.releaseKeys, world.indexKeys]) {
        const forged = world.delegation({ version: 2, partners: [world.partner], signers });
        const trust = session(
          world.snapshot({ version: 1, apps: [{ delegation: forged, pin: [shop] }] }),
        );
        assert.throws(() => trust.verifyDelegation(forged.bytes, { appId, now }), {
          code: 'SIG_UNKNOWN_KEY',
        });
      }
    });

    it('refuses a countersigned release of other bytes that names a genuine statement', () => {
      const other = buildPackage({ id: appId, version: '1.3.0', versionCode: 3, name: 'Evil' });
      // The server copies the partner's statement digest and key, but signs another package.
      const release = createRelease(
        {
          ...releaseInputOf(shop),
          statement: {
            ...shop.verified,
            statement: {
              ...shop.verified.statement,
              package: { sha256: sha(other.bytes), length: other.bytes.length },
            },
          },
        },
        world.releaseKeys,
      );
      const forged = { ...shop, release, packageBytes: other.bytes };
      const trust = sessionWith([forged]);
      trust.verifyDelegation(delegation.bytes, { appId, now });
      const verified = trust.verifyRelease(release.bytes, stable);
      // The package member differs from the statement's: its length here, its digest in any case.
      assert.throws(
        () => trust.verifyStatement(shop.statement.bytes, verified.release),
        (error: { code?: string }) =>
          error.code === 'SIG_LENGTH_MISMATCH' || error.code === 'SIG_DIGEST_MISMATCH',
      );
    });

    it('refuses a release whose statement digest names other bytes than the statement served', () => {
      const trust = sessionWith([shop]);
      trust.verifyDelegation(delegation.bytes, { appId, now });
      const { release } = trust.verifyRelease(shop.release.bytes, stable);
      const resigned = createStatement(
        {
          appId,
          version: '1.3.0',
          versionCode: 3,
          ...buildStatementInput(shop),
          createdAt: hoursFromNow(-3),
        },
        world.partner,
      );
      assert.throws(() => trust.verifyStatement(resigned.bytes, release), {
        code: 'SIG_DIGEST_MISMATCH',
      });
    });

    it('counts no delegated key that the bin revokes toward the statement threshold', async () => {
      const second = await newKey();
      const two = world.delegation({ partners: [world.partner, second], threshold: 2 });
      const statement = signDocument(payloadTypes.statement, shop.statement.payload, [
        world.partner,
        second,
      ]);
      const release = createRelease(
        { ...releaseInputOf(shop), statement: { ...shop.verified, sha256: statement.sha256 } },
        world.releaseKeys,
      );
      const cosigned = { ...shop, statement, release };
      const spec = { delegation: two, pin: [cosigned] };
      install(session(world.snapshot({ version: 1, apps: [spec] })), cosigned, two);
      const trust = session(
        world.snapshot({ version: 1, apps: [{ ...spec, revokedKeys: [second.keyid] }] }),
      );
      trust.verifyDelegation(two.bytes, { appId, now });
      const verified = trust.verifyRelease(release.bytes, stable);
      assert.throws(() => trust.verifyStatement(statement.bytes, verified.release), {
        code: 'SIG_THRESHOLD_NOT_MET',
      });
    });

    it('refuses a rolled-back delegation that still lists a key the partner had dropped [SIG-086]', async () => {
      const stolen = await newKey();
      const old = world.delegation({ version: 1, partners: [world.partner, stolen] });
      const current = world.delegation({ version: 2, partners: [world.partner] });
      const trust = session(
        world.snapshot({ version: 1, apps: [{ delegation: current, pin: [shop] }] }),
      );
      trust.verifyDelegation(current.bytes, { appId, now });
      // Later, the attacker's index pins the old delegation and a release signed with the stolen key.
      const evil = world.publish({ versionCode: 7, partner: stolen });
      session(world.snapshot({ version: 2, apps: [{ delegation: old, pin: [evil] }] }), trust);
      assert.throws(() => trust.verifyDelegation(old.bytes, { appId, now }), {
        code: 'SIG_ROLLBACK',
      });
    });

    it('refuses a delegation re-signed under a version already trusted with other keys [SIG-086]', async () => {
      const trust = session(snapshotWith([shop]));
      trust.verifyDelegation(delegation.bytes, { appId, now });
      const same = world.delegation({ version: 1, partners: [await newKey()] });
      session(world.snapshot({ version: 2, apps: [{ delegation: same, pin: [shop] }] }), trust);
      assert.throws(() => trust.verifyDelegation(same.bytes, { appId, now }), {
        code: 'SIG_ROLLBACK',
      });
    });
  });

  describe('delegations [SIG-080] to [SIG-087]', () => {
    it('refuses a delegation whose bytes differ from the pin of the bin [SIG-085]', () => {
      const other = world.delegation({ version: 1, expires: hoursFromNow(24 * 200) });
      const trust = sessionWith([shop]);
      assert.throws(() => trust.verifyDelegation(other.bytes, { appId, now }), {
        code: 'SIG_DIGEST_MISMATCH',
      });
    });

    it('refuses the genuine delegation of another app pinned under this app [SIG-085]', () => {
      const bank = world.delegation({ appId: 'com.example.bank' });
      const trust = sessionWith([shop], 1, { delegation: bank, appId });
      assert.throws(() => trust.verifyDelegation(bank.bytes, { appId, now }), {
        code: 'SIG_WRONG_APP',
      });
    });

    it('refuses an expired delegation at the session time [SIG-087]', () => {
      const stale = world.delegation({ issuedAt: hoursFromNow(-48), expires: hoursFromNow(-1) });
      const trust = sessionWith([shop], 1, { delegation: stale });
      assert.throws(() => trust.verifyDelegation(stale.bytes, { appId, now }), {
        code: 'SIG_EXPIRED',
      });
    });

    it('refuses a delegation valid for more than 400 days [SIG-083]', () => {
      const forged = signDocument(
        payloadTypes.delegation,
        {
          ...delegation.payload,
          expires: '2027-05-01T00:00:00Z',
          issuedAt: '2026-02-28T12:00:00Z',
        },
        world.delegationKeys,
      );
      const trust = sessionWith([shop], 1, { delegation: forged });
      assert.throws(() => trust.verifyDelegation(forged.bytes, { appId, now }), {
        code: 'SIG_MALFORMED',
      });
    });

    it('refuses a delegation that lists a key of the root [SIG-081]', () => {
      const forged = signDocument(
        payloadTypes.delegation,
        {
          ...delegation.payload,
          keys: { [world.indexKeys[0]?.keyid ?? '']: world.indexKeys[0]?.publicJwk },
        },
        world.delegationKeys,
      );
      const trust = sessionWith([shop], 1, { delegation: forged as SignedDocument<Delegation> });
      assert.throws(() => trust.verifyDelegation(forged.bytes, { appId, now }), {
        code: 'SIG_KEY_REUSED',
      });
    });

    it('needs a threshold of delegated keys on the statement [SIG-091]', async () => {
      const second = await newKey();
      const two = world.delegation({ version: 1, partners: [world.partner, second], threshold: 2 });
      const trust = sessionWith([shop], 1, { delegation: two });
      trust.verifyDelegation(two.bytes, { appId, now });
      const { release } = trust.verifyRelease(shop.release.bytes, stable);
      assert.throws(() => trust.verifyStatement(shop.statement.bytes, release), {
        code: 'SIG_THRESHOLD_NOT_MET',
      });
    });

    it('refuses a statement whose fields differ from the release it is named by [SIG-092]', () => {
      // A genuine statement of version 3 named by a release that claims version 4.
      const lying = createRelease(
        {
          ...releaseInputOf(shop),
          statement: {
            ...shop.verified,
            statement: { ...shop.verified.statement, versionCode: 4, version: '1.4.0' },
          },
        },
        world.releaseKeys,
      );
      const published = { ...shop, release: lying };
      const trust = sessionWith([published]);
      trust.verifyDelegation(delegation.bytes, { appId, now });
      const { release } = trust.verifyRelease(lying.bytes, stable);
      assert.throws(() => trust.verifyStatement(shop.statement.bytes, release), {
        code: 'SIG_MANIFEST_MISMATCH',
      });
    });
  });

  describe('arbitrary installation and key compromise below threshold', () => {
    it('rejects a release signed by only one of the two release keys [SIG-013] [SIG-033]', () => {
      const forged = createRelease(releaseInputOf(shop), [world.releaseKeys[0] as PrivateKey]);
      const trust = sessionWith([{ ...shop, release: forged }]);
      assert.throws(() => trust.verifyRelease(forged.bytes, stable), {
        code: 'SIG_THRESHOLD_NOT_MET',
      });
    });

    it('rejects a release signed by one release key twice [SIG-013]', () => {
      const once = createRelease(releaseInputOf(shop), [world.releaseKeys[0] as PrivateKey]);
      const doubled = {
        ...once.envelope,
        signatures: [...once.envelope.signatures, ...once.envelope.signatures],
      };
      const bytes = encodeEnvelope(doubled);
      const trust = sessionWith([{ ...shop, release: { ...once, bytes, sha256: sha(bytes) } }]);
      assert.throws(() => trust.verifyRelease(bytes, stable), { code: 'SIG_THRESHOLD_NOT_MET' });
    });

    it('rejects a release signed by the partner key instead of the platform [SIG-033]', () => {
      const forged = createRelease(releaseInputOf(shop), [world.partner]);
      const trust = sessionWith([{ ...shop, release: forged }]);
      assert.throws(() => trust.verifyRelease(forged.bytes, stable), { code: 'SIG_UNKNOWN_KEY' });
    });

    it('rejects an index signed by release keys rather than index keys [SIG-060]', () => {
      const forged = world.snapshot({ version: 1, indexKeys: world.releaseKeys });
      assert.throws(() => store().verifyIndex(forged.index.bytes, now), {
        code: 'SIG_UNKNOWN_KEY',
      });
    });

    it('rejects a statement presented as a release even when the bin pins its bytes [SIG-012]', () => {
      const confused = {
        ...shop,
        release: { ...shop.release, bytes: shop.statement.bytes, sha256: shop.statement.sha256 },
      };
      const trust = sessionWith([confused]);
      assert.throws(() => trust.verifyRelease(shop.statement.bytes, stable), {
        code: 'SIG_PAYLOAD_TYPE_MISMATCH',
      });
    });
  });

  describe('one key, two roles [SIG-071]', () => {
    it('refuses a root that lists one key in two roles, however it was signed', () => {
      const shared = world.indexKeys[0] as PrivateKey;
      const payload: Root = {
        ...world.root.payload,
        roles: {
          ...world.root.payload.roles,
          release: { keyids: [shared.keyid], threshold: 1 },
        },
      };
      const forged = signDocument(payloadTypes.root, payload, world.rootKeys);
      assert.throws(() => TrustStore.fromBakedRoot(forged.bytes), { code: 'SIG_KEY_REUSED' });
      assert.throws(
        () =>
          ReleaseWorld.rootOf(2, { ...world.keys, delegation: world.indexKeys }, world.rootKeys),
        { code: 'SIG_KEY_REUSED' },
      );
    });

    it('refuses a rotation to a root that reuses a key across roles', () => {
      const reused = ReleaseWorld.rootOf(2, world.keys, world.rootKeys).payload;
      const forged = signDocument(
        payloadTypes.root,
        { ...reused, roles: { ...reused.roles, index: reused.roles.root } },
        world.rootKeys,
      );
      assert.throws(() => store().updateRoot([forged.bytes], now), { code: 'SIG_KEY_REUSED' });
    });
  });

  describe('freeze, rollback and fast-forward', () => {
    it('installs a release countersigned two years ago while a fresh bin pins it: no self-inflicted freeze [SIG-095]', () => {
      const old = world.publish({
        versionCode: 2,
        version: '1.2.0',
        issuedAt: hoursFromNow(-24 * 730),
      });
      const trust = install(sessionWith([old]), old);
      assert.equal(trust.installedVersionCode(appId), 2);
    });

    it('rejects an expired index at the session time [SIG-063]', () => {
      const stale = world.snapshot({ version: 1, issuedAt: hoursFromNow(-30) });
      assert.throws(() => store().verifyIndex(stale.index.bytes, now), { code: 'SIG_EXPIRED' });
    });

    it('accepts the same index one second before it expires and rejects it at the instant of expiry [SIG-063]', () => {
      const { index } = snapshotWith([shop]);
      const expiry = new Date(index.payload.expires);
      assert.doesNotThrow(() =>
        store().verifyIndex(index.bytes, new Date(expiry.getTime() - 1000)),
      );
      assert.throws(() => store().verifyIndex(index.bytes, expiry), { code: 'SIG_EXPIRED' });
    });

    it('rejects everything once the trusted root has expired [SIG-054]', () => {
      const later = new Date(now.getTime() + 400 * 24 * 3_600_000);
      assert.throws(() => store().verifyIndex(snapshotWith([]).index.bytes, later), {
        code: 'SIG_EXPIRED',
      });
    });

    it('refuses to verify a release without an index in the session [SIG-064]', () => {
      assert.throws(() => store().verifyRelease(shop.release.bytes, stable), {
        code: 'SIG_NOT_IN_INDEX',
      });
    });

    it('refuses a release once the session index has expired [SIG-064]', () => {
      const trust = sessionWith([shop]);
      assert.throws(
        () => trust.verifyRelease(shop.release.bytes, { ...stable, now: hoursFromNow(30) }),
        {
          code: 'SIG_EXPIRED',
        },
      );
    });

    it('rejects an index with a lower version than one already trusted [SIG-062]', () => {
      const trust = sessionWith([shop], 7);
      assert.throws(() => trust.verifyIndex(snapshotWith([shop], 6).index.bytes, now), {
        code: 'SIG_ROLLBACK',
      });
      assert.equal(trust.state.indexVersion, 7);
    });

    it('rejects a release older than the installed versionCode of the app [SIG-035]', () => {
      const older = world.publish({ versionCode: 2, version: '1.2.0' });
      const trust = install(sessionWith([shop, older]), shop);
      assert.throws(() => trust.verifyRelease(older.release.bytes, stable), {
        code: 'SIG_ROLLBACK',
      });
    });

    it('forgets the trusted index version when a root rotation replaces the index keys [SIG-056]', async () => {
      const newIndexKey = await newKey();
      const trust = sessionWith([shop], 1_000_000);
      const keys = { ...world.keys, index: [newIndexKey] };
      trust.updateRoot([ReleaseWorld.rootOf(2, keys, world.rootKeys).bytes], now);
      assert.equal(trust.state.indexVersion, 0);
      assert.doesNotThrow(() =>
        trust.verifyIndex(
          world.snapshot({ version: 1, indexKeys: [newIndexKey] }).index.bytes,
          now,
        ),
      );
    });
  });

  describe('fast-forward recovery through the delegation [SIG-088] [SIG-089]', () => {
    it('recovers a host that installed a huge versionCode signed with a stolen partner key', async () => {
      const stolen = await newKey();
      const both = world.delegation({ version: 1, partners: [world.partner, stolen] });
      const huge = world.publish({ versionCode: 2147483647, version: '9.9.9', partner: stolen });
      // The thief also holds the online keys: the huge release is pinned and installs.
      const trust = install(
        session(world.snapshot({ version: 1, apps: [{ delegation: both, pin: [huge] }] })),
        huge,
        both,
      );
      assert.equal(trust.installedVersionCode(appId), 2147483647);

      // The genuine next release is now below the floor.
      const next = world.publish({ versionCode: 4, version: '1.4.0' });
      session(world.snapshot({ version: 2, apps: [{ delegation: both, pin: [next] }] }), trust);
      trust.verifyDelegation(both.bytes, { appId, now });
      assert.throws(() => trust.verifyRelease(next.release.bytes, stable), {
        code: 'SIG_ROLLBACK',
      });

      // The partner reports the key; the platform signs a delegation without it.
      const recovered = world.delegation({ version: 2, partners: [world.partner] });
      session(
        world.snapshot({ version: 3, apps: [{ delegation: recovered, pin: [next] }] }),
        trust,
      );
      install(trust, next, recovered);
      assert.equal(trust.installedVersionCode(appId), 4);
      // The fast-forwarded version no longer launches [SIG-089]; the genuine one does.
      assert.throws(() => trust.verifyInstalled(appId, huge.statement.bytes), {
        code: 'SIG_UNKNOWN_KEY',
      });
      assert.equal(trust.verifyInstalled(appId, next.statement.bytes).versionCode, 4);
      // And the state that survives a restart says the same.
      const restored = new TrustStore(JSON.parse(JSON.stringify(trust.state)));
      assert.throws(() => restored.verifyInstalled(appId, huge.statement.bytes), {
        code: 'SIG_UNKNOWN_KEY',
      });
    });

    it('keeps the floor when a new delegation only adds a key', async () => {
      const trust = install(sessionWith([shop]), shop);
      const wider = world.delegation({ version: 2, partners: [world.partner, await newKey()] });
      session(world.snapshot({ version: 2, apps: [{ delegation: wider, pin: [shop] }] }), trust);
      trust.verifyDelegation(wider.bytes, { appId, now });
      assert.equal(trust.installedVersionCode(appId), 3);
    });

    it('forgets the floor when a new delegation raises the threshold', async () => {
      const second = await newKey();
      const one = world.delegation({ version: 1, partners: [world.partner, second] });
      const trust = install(
        session(world.snapshot({ version: 1, apps: [{ delegation: one, pin: [shop] }] })),
        shop,
        one,
      );
      const two = world.delegation({ version: 2, partners: [world.partner, second], threshold: 2 });
      session(world.snapshot({ version: 2, apps: [{ delegation: two, pin: [shop] }] }), trust);
      trust.verifyDelegation(two.bytes, { appId, now });
      assert.equal(trust.installedVersionCode(appId), 0);
    });

    it('refuses to launch anything of an app whose delegation it never verified [SIG-089]', () => {
      assert.throws(() => store().verifyInstalled(appId, shop.statement.bytes), {
        code: 'SIG_UNKNOWN_KEY',
      });
    });
  });

  describe('bins: mix-and-match, hidden bins and wrong prefixes [SIG-100] [SIG-101] [SIG-102]', () => {
    it('refuses an old bin served with a new index', () => {
      const first = snapshotWith([shop], 1);
      const second = snapshotWith([world.publish({ versionCode: 5 })], 2);
      const trust = store();
      trust.verifyIndex(second.index.bytes, now);
      assert.throws(
        () => trust.verifyBin(first.binOf(appId).bytes, trust.binFor(appId).prefix, now),
        {
          code: 'SIG_DIGEST_MISMATCH',
        },
      );
    });

    it('refuses the bin of another prefix served for this prefix', () => {
      const snapshot = snapshotWith([shop]);
      const trust = store();
      trust.verifyIndex(snapshot.index.bytes, now);
      const prefix = trust.binFor(appId).prefix;
      const other = [...snapshot.bins.entries()].find(([p]) => p !== prefix);
      assert.ok(other, 'the snapshot has a bin of another prefix');
      assert.throws(() => trust.verifyBin(other[1].bytes, prefix, now), {
        code: 'SIG_DIGEST_MISMATCH',
      });
    });

    it('refuses a bin that the index pins under a prefix it does not claim', () => {
      const prefix = sha(new TextEncoder().encode(appId)).slice(0, 1);
      const otherPrefix = prefix === '0' ? '1' : '0';
      const wrong = createBin(
        { prefix: otherPrefix, version: 1, issuedAt: now, apps: {} },
        world.indexKeys,
      );
      const bins = world
        .snapshot({ version: 1 })
        .index.payload.bins.map((b) =>
          b.prefix === prefix ? { prefix, version: 1, sha256: wrong.sha256 } : b,
        );
      const index = createIndex(
        { version: 1, issuedAt: hoursFromNow(-1), binPrefixLength: 1, bins },
        world.indexKeys,
      );
      const trust = store();
      trust.verifyIndex(index.bytes, now);
      assert.throws(() => trust.verifyBin(wrong.bytes, prefix, now), { code: 'SIG_NOT_IN_INDEX' });
    });

    it('refuses a bin that lists an app of another prefix', () => {
      const prefix = sha(new TextEncoder().encode(appId)).slice(0, 1);
      const intruder = [...'abcdefghijklmnop']
        .map((c) => `com.example.${c}${c}`)
        .find((id) => sha(new TextEncoder().encode(id)).slice(0, 1) !== prefix);
      assert.ok(intruder, `an app id falls outside prefix ${prefix}`);
      const forged = signDocument(
        payloadTypes.bin,
        {
          ...snapshotWith([shop]).binOf(appId).payload,
          apps: { [intruder]: ReleaseWorld.entryOf({ delegation, pin: [] }) },
        },
        world.indexKeys,
      );
      const bins = world
        .snapshot({ version: 1 })
        .index.payload.bins.map((b) =>
          b.prefix === prefix ? { prefix, version: 1, sha256: forged.sha256 } : b,
        );
      const index = createIndex(
        { version: 1, issuedAt: hoursFromNow(-1), binPrefixLength: 1, bins },
        world.indexKeys,
      );
      const trust = store();
      trust.verifyIndex(index.bytes, now);
      assert.throws(() => trust.verifyBin(forged.bytes, prefix, now), { code: 'SIG_MALFORMED' });
    });

    it('refuses an index that hides a bin or lists the prefixes out of order', () => {
      const { index } = snapshotWith([shop]);
      const hidden = signDocument(
        payloadTypes.index,
        { ...index.payload, bins: index.payload.bins.slice(1) },
        world.indexKeys,
      );
      const shuffled = signDocument(
        payloadTypes.index,
        { ...index.payload, bins: [...index.payload.bins].reverse() },
        world.indexKeys,
      );
      for (const forged of [hidden, shuffled]) {
        assert.throws(() => store().verifyIndex(forged.bytes, now), { code: 'SIG_MALFORMED' });
      }
    });

    it('finds no installable release of an app its bin does not list [SIG-107]', () => {
      const trust = session(world.snapshot({ version: 1 }));
      assert.equal(trust.appEntry(appId), null);
      assert.throws(() => trust.verifyRelease(shop.release.bytes, stable), {
        code: 'SIG_NOT_IN_INDEX',
      });
    });

    it('works with one bin for every app (binPrefixLength 0)', () => {
      const snapshot = world.snapshot({
        version: 1,
        apps: [{ delegation, pin: [shop] }],
        binPrefixLength: 0,
      });
      const trust = store();
      trust.verifyIndex(snapshot.index.bytes, now);
      assert.equal(trust.binFor(appId).path, '/v1/trust/bins/all/1.bin.json');
      trust.verifyBin(snapshot.binOf(appId).bytes, '', now);
      install(trust, shop);
      assert.equal(trust.installedVersionCode(appId), 3);
    });
  });

  describe('mix-and-match, wrong app and revocation', () => {
    it('rejects a genuine release that the current bin does not pin [SIG-065]', () => {
      const trust = sessionWith([world.publish({ versionCode: 5, version: '1.5.0' })]);
      assert.throws(() => trust.verifyRelease(shop.release.bytes, stable), {
        code: 'SIG_NOT_IN_INDEX',
      });
    });

    it('rejects a release pinned for another channel than it was requested on [SIG-065]', () => {
      const beta = world.publish({ versionCode: 6, channel: 'beta' });
      const trust = sessionWith([beta]);
      assert.throws(() => trust.verifyRelease(beta.release.bytes, stable), {
        code: 'SIG_NOT_IN_INDEX',
      });
    });

    it('rejects a release whose pin names another minHostVersion [SIG-065]', () => {
      const newer = world.publish({ versionCode: 6, minHostVersion: '1.2.0' });
      const snapshot = world.snapshot({
        version: 1,
        apps: [
          {
            delegation,
            pin: [
              {
                ...newer,
                release: {
                  ...newer.release,
                  payload: { ...newer.release.payload, minHostVersion: '1.0.0' },
                },
              },
            ],
          },
        ],
      });
      assert.throws(() => session(snapshot).verifyRelease(newer.release.bytes, stable), {
        code: 'SIG_NOT_IN_INDEX',
      });
    });

    it('rejects app A release metadata when app B was requested [SIG-034]', () => {
      const bank = 'com.example.bank';
      const bankDelegation = world.delegation({ appId: bank });
      const trust = session(
        world.snapshot({ version: 1, apps: [{ delegation: bankDelegation, pin: [shop] }] }),
        store(),
        [bank],
      );
      assert.throws(() => trust.verifyRelease(shop.release.bytes, { ...stable, appId: bank }), {
        code: 'SIG_WRONG_APP',
      });
    });

    it('rejects a revoked release [SIG-066]', () => {
      const trust = sessionWith([shop], 1, { revokedReleases: [shop.release.sha256] });
      assert.throws(() => trust.verifyRelease(shop.release.bytes, stable), {
        code: 'SIG_REVOKED_RELEASE',
      });
    });

    it('rejects a release whose statement was signed by a revoked partner key [SIG-067]', () => {
      const trust = sessionWith([shop], 1, { revokedKeys: [world.partner.keyid] });
      assert.throws(() => trust.verifyRelease(shop.release.bytes, stable), {
        code: 'SIG_REVOKED_KEY',
      });
    });
  });

  describe('package bytes', () => {
    /** A session in which the shop's statement verified, so its package may be checked. */
    function readyForPackage(): { trust: TrustStore; release: Published['release']['payload'] } {
      const trust = sessionWith([shop]);
      trust.verifyDelegation(delegation.bytes, { appId, now });
      const { release } = trust.verifyRelease(shop.release.bytes, stable);
      trust.verifyStatement(shop.statement.bytes, release);
      return { trust, release };
    }

    it('rejects a package with one byte changed [SIG-041]', () => {
      const { trust, release } = readyForPackage();
      const tampered = new Uint8Array(shop.packageBytes);
      tampered[10] = (tampered[10] ?? 0) ^ 0xff;
      assert.throws(() => trust.verifyPackage(tampered, release), { code: 'SIG_DIGEST_MISMATCH' });
    });

    it('rejects a package longer than the signed length [SIG-041]', () => {
      const { trust, release } = readyForPackage();
      assert.throws(() => trust.verifyPackage(new Uint8Array([...shop.packageBytes, 0]), release), {
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
      const { trust } = readyForPackage();
      const manifestBytes = new TextEncoder().encode(
        JSON.stringify({ id: 'com.example.bank', version: '1.3.0', versionCode: 3 }),
      );
      const bytes = zipSync({ 'manifest.json': manifestBytes });
      const release = {
        ...shop.release.payload,
        package: { sha256: sha(bytes), length: bytes.length },
        manifestSha256: sha(manifestBytes),
      };
      assert.throws(() => trust.verifyPackage(bytes, release), { code: 'SIG_MANIFEST_MISMATCH' });
    });

    it('rejects a package whose manifest bytes differ from the signed manifest digest [SIG-042]', () => {
      const { trust } = readyForPackage();
      const release = { ...shop.release.payload, manifestSha256: '0'.repeat(64) };
      assert.throws(() => trust.verifyPackage(shop.packageBytes, release), {
        code: 'SIG_MANIFEST_MISMATCH',
      });
    });
  });

  describe('root rotation', () => {
    let nextRootKeys: PrivateKey[];
    before(async () => {
      nextRootKeys = [await newKey(), await newKey('RSA-PSS')];
    });

    const rotation = (version: number, signers: PrivateKey[], rootKeys: PrivateKey[]) =>
      ReleaseWorld.rootOf(version, { ...world.keys, root: rootKeys }, signers).bytes;

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

    it('applies at most 32 rotations in one session, keeps them, and continues in the next [SIG-110]', () => {
      const chain = Array.from({ length: 34 }, (_, i) =>
        rotation(i + 2, world.rootKeys, world.rootKeys),
      );
      const trust = store();
      assert.throws(() => trust.updateRoot(chain, now), { code: 'SIG_ROOT_ROTATION_LIMIT' });
      assert.equal(trust.root.version, 33);
      // One more in the same session is still refused, even one at a time.
      assert.throws(() => trust.updateRoot(chain.slice(32, 33), now), {
        code: 'SIG_ROOT_ROTATION_LIMIT',
      });
      const next = new Date(now.getTime() + 60_000);
      assert.equal(new TrustStore(trust.state).updateRoot(chain.slice(32), next).version, 35);
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
      const expired = ReleaseWorld.rootOf(2, world.keys, world.rootKeys, hoursFromNow(-1)).bytes;
      assert.throws(() => store().updateRoot([expired], now), { code: 'SIG_EXPIRED' });
      const root = store().updateRoot([expired, rotation(3, world.rootKeys, world.rootKeys)], now);
      assert.equal(root.version, 3);
    });

    it('rejects a root whose threshold exceeds its keys [SIG-051]', () => {
      const payload = { ...world.root.payload, version: 2 };
      payload.roles = { ...payload.roles, root: { ...payload.roles.root, threshold: 3 } };
      const forged = signDocument(payloadTypes.root, payload, world.rootKeys);
      assert.throws(() => store().updateRoot([forged.bytes], now), { code: 'SIG_MALFORMED' });
    });

    it('rejects a root without the delegation role [SIG-070]', () => {
      const roles: Partial<Root['roles']> = { ...world.root.payload.roles };
      delete roles.delegation;
      const forged = signDocument(
        payloadTypes.root,
        { ...world.root.payload, version: 2, roles },
        world.rootKeys,
      );
      assert.throws(() => store().updateRoot([forged.bytes], now), { code: 'SIG_MALFORMED' });
    });
  });
});

/** The package and manifest bytes of a published release, to sign another statement over them. */
function buildStatementInput(published: Published): {
  packageBytes: Uint8Array;
  manifestBytes: Uint8Array;
} {
  const { manifestBytes } = buildPackage({
    id: appId,
    version: '1.3.0',
    versionCode: 3,
    name: 'Shop',
  });
  return { packageBytes: published.packageBytes, manifestBytes };
}
