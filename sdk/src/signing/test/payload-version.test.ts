import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { payloadTypes, signDocument } from '../envelope.ts';
import { decodeSignedPayload } from '../payload.ts';
import type { Release } from '../release.ts';
import { TrustStore } from '../trust-store.ts';
import { packageDigestOf } from '../digest.ts';
import { verifyStatement } from '../statement.ts';
import { now, ReleaseWorld, type Published } from './release-world.ts';

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const appId = 'com.example.shop';

describe('versions of signed payloads [SIG-074] to [SIG-079]', () => {
  let world: ReleaseWorld;
  let shop: Published;
  let release: Release;

  before(async () => {
    world = await ReleaseWorld.create();
    shop = world.publish({ versionCode: 3, version: '1.3.0' });
    release = shop.release.payload;
  });

  const decodeRelease = (value: unknown) =>
    decodeSignedPayload<Release>(encode(value), 'signing/release.schema.json', 'The release');

  it('validates a payload of its own minor version strictly [SIG-076]', () => {
    assert.equal(decodeRelease(release).versionCode, 3);
    assert.throws(() => decodeRelease({ ...release, sbom: 'https://example.com/sbom' }), {
      code: 'SIG_MALFORMED',
    });
  });

  it('ignores members that a later minor version added, wherever they are, and keeps them as signed [SIG-077]', () => {
    const later = {
      ...release,
      specVersion: '1.1',
      sbom: { url: 'https://example.com/sbom.json' },
      package: { ...release.package, compression: 'brotli' },
      statement: { ...release.statement, transparencyLog: 42 },
    };
    const decoded = decodeRelease(later) as Release & { sbom?: unknown };
    assert.equal(decoded.versionCode, 3);
    assert.deepEqual(decoded.sbom, later.sbom);
  });

  it('still validates the members it knows in a later minor version [SIG-077]', () => {
    assert.throws(() => decodeRelease({ ...release, specVersion: '1.7', versionCode: 'three' }), {
      code: 'SIG_MALFORMED',
    });
    assert.throws(() => decodeRelease({ ...release, specVersion: '1.7', appId: undefined }), {
      code: 'SIG_MALFORMED',
    });
  });

  it('refuses an unknown member that a later minor version marks critical [SIG-078]', () => {
    const later = { ...release, specVersion: '1.1', sbom: 'x', critical: ['/sbom'] };
    assert.throws(() => decodeRelease(later), { code: 'SIG_UNSUPPORTED_VERSION' });
    const nested = {
      ...release,
      specVersion: '1.1',
      package: { ...release.package, compression: 'brotli' },
      critical: ['/package/compression'],
    };
    assert.throws(() => decodeRelease(nested), { code: 'SIG_UNSUPPORTED_VERSION' });
    const inside = { ...release, specVersion: '1.1', sbom: { url: 'u' }, critical: ['/sbom/url'] };
    assert.throws(() => decodeRelease(inside), { code: 'SIG_UNSUPPORTED_VERSION' });
  });

  it('accepts critical members that it understands, in any minor version [SIG-078]', () => {
    for (const specVersion of ['1.0', '1.3']) {
      const marked = { ...release, specVersion, critical: ['/minHostVersion', '/package/sha256'] };
      assert.equal(decodeRelease(marked).minHostVersion, '1.0.0');
    }
  });

  it('refuses a critical pointer that names no member [SIG-078]', () => {
    for (const specVersion of ['1.0', '1.2']) {
      assert.throws(() => decodeRelease({ ...release, specVersion, critical: ['/nothing'] }), {
        code: 'SIG_MALFORMED',
      });
    }
  });

  it('refuses another major version before looking at any other member [SIG-075]', () => {
    assert.throws(() => decodeRelease({ ...release, specVersion: '2.0' }), {
      code: 'SIG_UNSUPPORTED_VERSION',
    });
    assert.throws(() => decodeRelease({ specVersion: '0.9', whatever: true }), {
      code: 'SIG_UNSUPPORTED_VERSION',
    });
  });

  it('refuses a specVersion that is not MAJOR.MINOR, or a payload without one [SIG-074]', () => {
    for (const specVersion of ['1.01', '1', '1.0.0', 'v1.0', 10]) {
      assert.throws(() => decodeRelease({ ...release, specVersion }), { code: 'SIG_MALFORMED' });
    }
    const unversioned: Record<string, unknown> = { ...release };
    delete unversioned.specVersion;
    assert.throws(() => decodeRelease(unversioned), { code: 'SIG_MALFORMED' });
  });

  it('keeps JWKs closed even in a later minor version [SIG-077]', () => {
    const delegation = world.delegation().payload;
    const [keyid, jwk] = Object.entries(delegation.keys)[0] ?? [];
    assert.ok(keyid && jwk, 'the delegation lists a key');
    const later = { ...delegation, specVersion: '1.1', keys: { [keyid]: { ...jwk, kid: 'x' } } };
    assert.throws(
      () => decodeSignedPayload(encode(later), 'signing/delegation.schema.json', 'The delegation'),
      { code: 'SIG_MALFORMED' },
    );
  });

  it('lets a later minor version extend an index, a bin entry and a statement [SIG-077]', () => {
    const snapshot = world.snapshot({ version: 1 });
    const index = { ...snapshot.index.payload, specVersion: '1.1', mirrors: ['https://m'] };
    decodeSignedPayload(encode(index), 'signing/index.schema.json', 'The index');
    const bin = {
      ...snapshot.binOf(appId).payload,
      specVersion: '1.1',
      apps: {
        [appId]: {
          ...ReleaseWorld.entryOf({
            delegation: world.delegation(),
            pin: [shop],
          }),
          notices: [],
        },
      },
    };
    decodeSignedPayload(encode(bin), 'signing/bin.schema.json', 'The bin');
    const later = signDocument(
      payloadTypes.statement,
      { ...shop.statement.payload, specVersion: '1.4', provenance: { builder: 'ci' } },
      [world.partner],
    );
    const verified = verifyStatement(
      later.bytes,
      { [world.partner.keyid]: world.partner.publicJwk },
      { appId, package: packageDigestOf(shop.packageBytes) },
    );
    assert.equal(verified.statement.versionCode, 3);
  });

  it('installs a 1.1 release through the host trust store, and refuses it once a new member is critical', () => {
    const delegation = world.delegation();
    const extended = (extra: Record<string, unknown>): Published => {
      const signed = signDocument(
        payloadTypes.release,
        { ...release, specVersion: '1.1', ...extra },
        world.releaseKeys,
      );
      return { ...shop, release: signed as Published['release'] };
    };
    for (const [extra, outcome] of [
      [{ sbom: 'https://example.com/sbom' }, 'installed'],
      [{ sbom: 'https://example.com/sbom', critical: ['/sbom'] }, 'SIG_UNSUPPORTED_VERSION'],
    ] as const) {
      const published = extended(extra);
      const snapshot = world.snapshot({ version: 1, apps: [{ delegation, pin: [published] }] });
      const trust = TrustStore.fromBakedRoot(world.root.bytes);
      trust.verifyIndex(snapshot.index.bytes, now);
      trust.verifyBin(snapshot.binOf(appId).bytes, trust.binFor(appId).prefix, now);
      trust.verifyDelegation(delegation.bytes, { appId, now });
      const attempt = () => {
        const verified = trust.verifyRelease(published.release.bytes, {
          appId,
          channel: 'stable',
          now,
        });
        trust.verifyStatement(published.statement.bytes, verified.release);
        trust.verifyPackage(published.packageBytes, verified.release);
        return 'installed';
      };
      if (outcome === 'installed') assert.equal(attempt(), 'installed');
      else assert.throws(attempt, { code: outcome });
    }
  });
});
