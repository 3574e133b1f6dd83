import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { AppEntry, BinRelease } from '../../signing/bin.ts';
import {
  hostRuns,
  isInstalledRevoked,
  selectUpdate,
  type SelectionInput,
} from '../update-selection.ts';
import { inCohort } from '../rollout-cohort.ts';

const appId = 'com.example.shop';
const deviceId = 'device-0001-aaaaaaaa';

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

function select(
  releases: BinRelease[],
  installed = 0,
  options: Partial<SelectionInput> = {},
): ReturnType<typeof selectUpdate> {
  return selectUpdate({
    appId,
    entry: entry(releases),
    channel: 'stable',
    deviceId,
    hostApiVersion: '1.1.0',
    installed: installed > 0 ? { versionCode: installed, revoked: false } : null,
    ...options,
  });
}

describe('update selection (spec/distribution.md, Update selection)', () => {
  describe('the five steps', () => {
    it('offers the newest offered, compatible release above the installed one (steps 2 and 3) [API-027]', () => {
      const answer = select([release(1), release(3), release(2)], 1);
      assert.deepEqual(answer, { kind: 'update', release: release(3), mandatory: false });
      assert.deepEqual(select([release(1), release(3)], 3), { kind: 'upToDate' });
    });

    it('answers upToDate for an app its bin does not list, installed or not [API-029]', () => {
      for (const installed of [null, { versionCode: 4, revoked: true }]) {
        assert.deepEqual(
          selectUpdate({
            appId,
            entry: null,
            channel: 'stable',
            deviceId,
            hostApiVersion: '1.0.0',
            installed,
          }),
          { kind: 'upToDate' },
        );
      }
    });

    it('ignores the releases of other channels [API-023]', () => {
      assert.deepEqual(select([release(5, { channel: 'beta' })], 1), { kind: 'upToDate' });
      assert.equal(
        select([release(5, { channel: 'beta' })], 1, { channel: 'beta' }).kind,
        'update',
      );
    });

    it('falls back to the newest release the host can run, and says incompatible when there is none (step 4) [API-024] [VER-009]', () => {
      const releases = [release(2), release(3, { minHostVersion: '1.2.0' })];
      assert.deepEqual(select(releases, 1), {
        kind: 'update',
        release: release(2),
        mandatory: false,
      });
      assert.deepEqual(select(releases, 2), { kind: 'incompatible', minHostVersion: '1.2.0' });
      assert.deepEqual(
        select(
          [release(4, { minHostVersion: '1.3.0' }), release(3, { minHostVersion: '1.2.0' })],
          2,
        ),
        { kind: 'incompatible', minHostVersion: '1.2.0' },
      );
    });

    it('treats another major host API version as unable to run the release [VER-007]', () => {
      assert.equal(hostRuns('2.0.0', '1.0.0'), false);
      assert.equal(hostRuns('1.2.0', '1.2.0'), true);
      assert.equal(hostRuns('not a version', '1.0.0'), false);
      assert.deepEqual(select([release(2)], 1, { hostApiVersion: '2.0.0' }), {
        kind: 'incompatible',
        minHostVersion: '1.0.0',
      });
    });

    it('offers a staged release only inside its cohort, and a paused one to nobody [API-025] [API-078]', () => {
      // Bucket 9165 for versionCode 1 of this device (spec test vector).
      assert.equal(select([release(1, { rolloutPercent: 91.65 })]).kind, 'upToDate');
      assert.equal(select([release(1, { rolloutPercent: 91.66 })]).kind, 'update');
      assert.equal(select([release(1, { paused: true })]).kind, 'upToDate');
    });

    it('latches a skipped mandatory release that reached the device, paused or not (step 3) [API-034]', () => {
      const mandatoryPaused = release(2, { mandatory: true, paused: true });
      assert.deepEqual(select([mandatoryPaused, release(3)], 1), {
        kind: 'update',
        release: release(3),
        mandatory: true,
      });
      // Not mandatory for a device outside the mandatory release's cohort.
      const elsewhere = release(1, { mandatory: true, rolloutPercent: 91.65 });
      assert.equal((select([elsewhere, release(3)]) as { mandatory: boolean }).mandatory, false);
      // Nor once the device has it installed.
      assert.equal(
        (select([mandatoryPaused, release(3)], 2) as { mandatory: boolean }).mandatory,
        false,
      );
    });

    it('answers revoked with the newest offered compatible replacement, older or not (step 1) [API-028]', () => {
      const revoked = { versionCode: 5, revoked: true };
      assert.deepEqual(
        select([release(3), release(4, { minHostVersion: '1.9.0' })], 0, { installed: revoked }),
        {
          kind: 'revoked',
          replacement: release(3),
        },
      );
      assert.deepEqual(select([release(7, { paused: true })], 0, { installed: revoked }), {
        kind: 'revoked',
      });
    });

    it('reads revocation of the installed version from the entry: release digest or statement key [SIG-066] [SIG-067]', () => {
      const revoked = entry([], {
        revokedReleases: ['a'.repeat(64)],
        revokedKeys: ['k'.repeat(43)],
      });
      const other = { releaseSha256: 'b'.repeat(64), statementKeyid: 'j'.repeat(43) };
      assert.equal(isInstalledRevoked(revoked, other), false);
      assert.equal(isInstalledRevoked(revoked, { ...other, releaseSha256: 'a'.repeat(64) }), true);
      assert.equal(isInstalledRevoked(revoked, { ...other, statementKeyid: 'k'.repeat(43) }), true);
      assert.equal(isInstalledRevoked(null, other), false);
    });
  });

  describe('properties', () => {
    const arbitraryRelease = fc.record({
      channel: fc.constantFrom('stable', 'beta'),
      versionCode: fc.integer({ min: 1, max: 40 }),
      minHostVersion: fc.constantFrom('1.0.0', '1.1.0', '1.2.0', '2.0.0'),
      rolloutPercent: fc.integer({ min: 0, max: 10000 }).map((n) => n / 100),
      mandatory: fc.boolean(),
      paused: fc.boolean(),
    });
    const releases = fc
      .uniqueArray(arbitraryRelease, {
        selector: (r) => `${r.channel}:${r.versionCode}`,
        maxLength: 8,
      })
      .map((list) => list.map((r) => release(r.versionCode, r)));
    const input = fc.record({
      releases,
      installed: fc.integer({ min: 0, max: 45 }),
      revoked: fc.boolean(),
      deviceId: fc.stringMatching(/^[A-Za-z0-9_-]{16,24}$/),
      hostApiVersion: fc.constantFrom('1.0.0', '1.1.0', '1.2.5', '2.0.0'),
      channel: fc.constantFrom('stable', 'beta'),
    });
    const selectFor = (i: {
      releases: BinRelease[];
      installed: number;
      revoked: boolean;
      deviceId: string;
      hostApiVersion: string;
      channel: string;
    }) =>
      selectUpdate({
        appId,
        entry: entry(i.releases),
        channel: i.channel,
        deviceId: i.deviceId,
        hostApiVersion: i.hostApiVersion,
        installed: i.installed > 0 ? { versionCode: i.installed, revoked: i.revoked } : null,
      });

    it('only offers an update above the installed versionCode, on the channel, runnable, unpaused and in its cohort [API-023] [API-025] [API-027]', () => {
      fc.assert(
        fc.property(input, (i) => {
          const answer = selectFor(i);
          const offered =
            answer.kind === 'update'
              ? answer.release
              : answer.kind === 'revoked'
                ? answer.replacement
                : undefined;
          if (!offered) return;
          assert.equal(offered.channel, i.channel);
          assert.ok(
            hostRuns(i.hostApiVersion, offered.minHostVersion),
            'the offered release runs on the host',
          );
          assert.equal(offered.paused, false);
          assert.ok(
            inCohort(i.deviceId, appId, offered.versionCode, offered.rolloutPercent),
            'the device is in the offered release cohort',
          );
          if (answer.kind === 'update')
            assert.ok(
              offered.versionCode > i.installed,
              'the offered version is newer than the installed one',
            );
        }),
      );
    });

    it('is sticky: the same device gets the same answer every time, whatever the order of the releases', () => {
      fc.assert(
        fc.property(input, (i) => {
          assert.deepEqual(selectFor(i), selectFor({ ...i, releases: [...i.releases].reverse() }));
        }),
      );
    });

    it('never lowers the offered versionCode when a rollout percentage rises [API-077] [API-081]', () => {
      fc.assert(
        fc.property(input, fc.nat(), fc.integer({ min: 0, max: 10000 }), (i, which, raise) => {
          if (i.releases.length === 0) return;
          const at = which % i.releases.length;
          const widened = i.releases.map((r, n) =>
            n === at
              ? {
                  ...r,
                  rolloutPercent: Math.min(100, (Math.round(r.rolloutPercent * 100) + raise) / 100),
                }
              : r,
          );
          const code = (a: ReturnType<typeof selectUpdate>) =>
            a.kind === 'update'
              ? a.release.versionCode
              : a.kind === 'revoked'
                ? (a.replacement?.versionCode ?? 0)
                : 0;
          assert.ok(
            code(selectFor({ ...i, releases: widened })) >= code(selectFor(i)),
            'widening a rollout never offers an older version',
          );
        }),
      );
    });

    it('marks an update mandatory exactly when a mandatory release in (installed, offered] reached the device [API-034]', () => {
      fc.assert(
        fc.property(input, (i) => {
          const answer = selectFor(i);
          if (answer.kind !== 'update') return;
          const latched = i.releases.some(
            (r) =>
              r.channel === i.channel &&
              r.mandatory &&
              r.versionCode > i.installed &&
              r.versionCode <= answer.release.versionCode &&
              inCohort(i.deviceId, appId, r.versionCode, r.rolloutPercent),
          );
          assert.equal(answer.mandatory, latched);
        }),
      );
    });

    it('answers incompatible only when nothing offered above the installed version can run [API-024]', () => {
      fc.assert(
        fc.property(input, (i) => {
          const answer = selectFor(i);
          if (answer.kind !== 'incompatible') return;
          const newer = i.releases.filter(
            (r) =>
              r.channel === i.channel &&
              !r.paused &&
              r.versionCode > i.installed &&
              inCohort(i.deviceId, appId, r.versionCode, r.rolloutPercent),
          );
          assert.ok(newer.length > 0, 'some release is newer than the installed one');
          assert.ok(
            newer.every((r) => !hostRuns(i.hostApiVersion, r.minHostVersion)),
            'no newer release runs on this host',
          );
          assert.ok(
            newer.some((r) => r.minHostVersion === answer.minHostVersion),
            'the answer names the minHostVersion of a newer release',
          );
        }),
      );
    });
  });
});
