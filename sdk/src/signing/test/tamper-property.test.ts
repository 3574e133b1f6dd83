import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isMiniAppError } from '#sdk/diagnostics/index.ts';
import { packageDigestOf } from '../digest.ts';
import { verifyStatement } from '../statement.ts';
import { TrustStore } from '../trust-store.ts';
import { now, ReleaseWorld, type Published } from './release-world.ts';

/** Flips one bit of one byte, so the result always differs from the input. */
function tamper(bytes: Uint8Array, index: number, bit: number): Uint8Array {
  const copy = new Uint8Array(bytes);
  copy[index % copy.length] = (copy[index % copy.length] ?? 0) ^ (1 << bit);
  return copy;
}

/** Verification must fail with a registry code: never succeed, never throw anything else. */
function assertRefused(run: () => unknown): void {
  let outcome: unknown = 'accepted';
  try {
    run();
  } catch (error) {
    outcome = error;
  }
  assert.ok(isMiniAppError(outcome), `expected a MiniAppError, got ${String(outcome)}`);
}

const appId = 'com.example.shop';
const stable = { appId, channel: 'stable', now };

describe('tampering with signed material, byte by byte', () => {
  let world: ReleaseWorld;
  let shop: Published;
  /** A session in which index, bin and delegation verified, ready for the release. */
  const session = (): TrustStore => {
    const delegation = world.delegation();
    const snapshot = world.snapshot({ version: 1, apps: [{ delegation, pin: [shop] }] });
    const trust = TrustStore.fromBakedRoot(world.root.bytes);
    trust.verifyIndex(snapshot.index.bytes, now);
    trust.verifyBin(snapshot.binOf(appId).bytes, trust.binFor(appId).prefix, now);
    trust.verifyDelegation(delegation.bytes, { appId, now });
    return trust;
  };
  /** A session in which the release and its statement verified, ready for the package. */
  const verified = () => {
    const trust = session();
    const { release } = trust.verifyRelease(shop.release.bytes, stable);
    trust.verifyStatement(shop.statement.bytes, release);
    return { trust, release };
  };

  before(async () => {
    world = await ReleaseWorld.create();
    shop = world.publish({ versionCode: 3 });
  });

  it('refuses a package with any byte changed against its signed release [SIG-041]', () => {
    const { trust, release } = verified();
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 0, max: 7 }), (index, bit) => {
        assertRefused(() => trust.verifyPackage(tamper(shop.packageBytes, index, bit), release));
      }),
      { numRuns: 200 },
    );
  });

  it('refuses a partner statement with any byte changed, at the host [SIG-090] [SIG-091]', () => {
    const trust = session();
    const { release } = trust.verifyRelease(shop.release.bytes, stable);
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 0, max: 7 }), (index, bit) => {
        assertRefused(() =>
          trust.verifyStatement(tamper(shop.statement.bytes, index, bit), release),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('refuses release metadata with any byte changed [SIG-011] [SIG-065]', () => {
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 0, max: 7 }), (index, bit) => {
        assertRefused(() =>
          session().verifyRelease(tamper(shop.release.bytes, index, bit), stable),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('refuses an author statement with any byte changed, or over a package with any byte changed [SIG-020] [SIG-021]', () => {
    const keys = { [world.partner.keyid]: world.partner.publicJwk };
    const expected = { appId: 'com.example.shop', package: packageDigestOf(shop.packageBytes) };
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 0, max: 7 }), (index, bit) => {
        assertRefused(() =>
          verifyStatement(tamper(shop.statement.bytes, index, bit), keys, expected),
        );
        const otherPackage = packageDigestOf(tamper(shop.packageBytes, index, bit));
        assertRefused(() =>
          verifyStatement(shop.statement.bytes, keys, { ...expected, package: otherPackage }),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('still accepts the untouched material (the properties above are not vacuous)', () => {
    const { trust, release } = verified();
    trust.verifyPackage(shop.packageBytes, release);
    verifyStatement(
      shop.statement.bytes,
      { [world.partner.keyid]: world.partner.publicJwk },
      { appId: 'com.example.shop', package: packageDigestOf(shop.packageBytes) },
    );
  });
});
