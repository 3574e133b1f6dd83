import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';

interface OfferedRelease {
  versionCode: number;
  mandatory: boolean;
}

/**
 * Reference reading of [API-034], kept in the test: the offered update is mandatory when any release the
 * device skipped on the way to it (above the installed versionCode, up to the offered one) is mandatory.
 */
function offerIsMandatory(
  installed: number,
  offered: number,
  releases: readonly OfferedRelease[],
): boolean {
  return releases.some((r) => r.versionCode > installed && r.versionCode <= offered && r.mandatory);
}

const historyArb = fc
  .uniqueArray(fc.integer({ min: 1, max: 500 }), { minLength: 1, maxLength: 30 })
  .chain((codes) =>
    fc.tuple(
      fc.constant([...codes].sort((a, b) => a - b)),
      fc.array(fc.boolean(), { minLength: codes.length, maxLength: codes.length }),
    ),
  )
  .map(([codes, flags]) =>
    codes.map((versionCode, i) => ({ versionCode, mandatory: flags[i] ?? false })),
  );

describe('mandatory updates latch [API-034]', () => {
  it('keep a skipped mandatory release in force, as CodePush does', () => {
    const releases = [
      { versionCode: 10, mandatory: false },
      { versionCode: 11, mandatory: true },
      { versionCode: 12, mandatory: false },
    ];
    assert.equal(offerIsMandatory(10, 12, releases), true);
    assert.equal(offerIsMandatory(11, 12, releases), false);
    assert.equal(offerIsMandatory(9, 10, releases), false);
  });

  it('make an update mandatory whenever the offered release itself is', () => {
    fc.assert(
      fc.property(historyArb, fc.nat(), (releases, pick) => {
        const offered = releases[pick % releases.length];
        if (!offered?.mandatory) return true;
        return offerIsMandatory(offered.versionCode - 1, offered.versionCode, releases);
      }),
    );
  });

  it('never relax a mandatory update for a device that skipped more releases', () => {
    fc.assert(
      fc.property(historyArb, fc.nat(), fc.nat(), (releases, a, b) => {
        const last = releases[releases.length - 1];
        if (!last) return true;
        const [older, newer] = [a % last.versionCode, b % last.versionCode].sort((x, y) => x - y);
        return (
          !offerIsMandatory(newer ?? 0, last.versionCode, releases) ||
          offerIsMandatory(older ?? 0, last.versionCode, releases)
        );
      }),
    );
  });

  it('ignore mandatory releases the device already has', () => {
    fc.assert(
      fc.property(historyArb, (releases) => {
        const last = releases[releases.length - 1];
        return (
          last === undefined || !offerIsMandatory(last.versionCode, last.versionCode, releases)
        );
      }),
    );
  });
});
