/** The host's update decision on a verified bin: the sdk's selection plus what only the host knows. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { selectUpdate } from '#sdk/distribution/index.ts';
import type { AppEntry, BinRelease } from '#sdk/signing/index.ts';
import { decideFromEntry, type InstalledApp } from '../src/updates/update-decision.ts';

const appId = 'com.example.app';
const request = {
  hostApiVersion: '1.2.0',
  channel: 'stable',
  deviceId: 'device-0001-aaaaaaaa',
} as const;

function release(versionCode: number, extra: Partial<BinRelease> = {}): BinRelease {
  return {
    channel: 'stable',
    versionCode,
    sha256: versionCode.toString(16).padStart(64, '0'),
    minHostVersion: '1.0.0',
    rolloutPercent: 100,
    mandatory: false,
    paused: false,
    ...extra,
  };
}

function entry(releases: BinRelease[], revoked: Partial<AppEntry> = {}): AppEntry {
  return {
    delegation: { version: 1, sha256: 'd'.repeat(64) },
    releases,
    revokedReleases: [],
    revokedKeys: [],
    ...revoked,
  };
}

function installed(versionCode: number, extra: Partial<InstalledApp> = {}): InstalledApp {
  return {
    appId,
    installed: {
      versionCode,
      releaseSha256: versionCode.toString(16).padStart(64, '0'),
      statementKeyid: 'partner-key',
      verified: true,
    },
    rejected: [],
    ...extra,
  };
}

describe('the update decision on a verified bin [API-101]', () => {
  it('answers exactly the update selection when the host knows nothing more', () => {
    const releaseArb = fc.record({
      channel: fc.constantFrom('stable', 'beta'),
      versionCode: fc.integer({ min: 1, max: 8 }),
      sha256: fc.constantFrom('a'.repeat(64), 'b'.repeat(64)),
      minHostVersion: fc.constantFrom('1.0.0', '1.2.0', '1.3.0', '2.0.0'),
      rolloutPercent: fc.constantFrom(0, 50, 100),
      mandatory: fc.boolean(),
      paused: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.array(releaseArb, { maxLength: 6 }),
        fc.integer({ min: 0, max: 8 }),
        (releases, versionCode) => {
          const e = entry(releases);
          const app: InstalledApp =
            versionCode > 0 ? installed(versionCode) : { appId, rejected: [] };
          const decision = decideFromEntry(app, e, request);
          const selection = selectUpdate({
            appId,
            entry: e,
            ...request,
            installed: versionCode > 0 ? { versionCode, revoked: false } : null,
          });
          if (selection.kind === 'upToDate') {
            assert.equal(decision.kind, versionCode > 0 ? 'upToDate' : 'notFound');
          } else if (selection.kind === 'update') {
            assert.deepEqual(decision, {
              kind: 'update',
              release: selection.release,
              mandatory: selection.mandatory,
            });
          } else {
            assert.equal(decision.kind, selection.kind);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('never offers a version whose first launch failed, and counts a staged version as installed', () => {
    const e = entry([release(2), release(3)]);
    assert.deepEqual(decideFromEntry(installed(1, { rejected: [3] }), e, request), {
      kind: 'update',
      release: release(2),
      mandatory: false,
    });
    assert.deepEqual(decideFromEntry(installed(1, { stagedVersionCode: 3 }), e, request), {
      kind: 'upToDate',
    });
  });

  it('treats an installed version whose statement no longer verifies as revoked [SIG-089]', () => {
    const app = installed(5);
    if (app.installed) app.installed.verified = false;
    assert.deepEqual(decideFromEntry(app, entry([release(2)]), request), {
      kind: 'revoked',
      replacement: release(2),
      code: 'SIG_REVOKED_RELEASE',
    });
    // Even when its bin no longer lists the app at all [SIG-107].
    assert.deepEqual(decideFromEntry(app, null, request), { kind: 'revoked' });
  });

  it('names the revoked partner key when the installed version was signed with it [SIG-067]', () => {
    assert.deepEqual(
      decideFromEntry(installed(4), entry([], { revokedKeys: ['partner-key'] }), request),
      { kind: 'revoked', code: 'SIG_REVOKED_KEY' },
    );
  });

  it('calls an app its bin does not list, or offers nothing to this device, not available [SIG-107]', () => {
    assert.deepEqual(decideFromEntry({ appId, rejected: [] }, null, request), { kind: 'notFound' });
    assert.deepEqual(
      decideFromEntry({ appId, rejected: [] }, entry([release(1, { paused: true })]), request),
      { kind: 'notFound' },
    );
    assert.deepEqual(decideFromEntry(installed(1), null, request), { kind: 'upToDate' });
  });
});
