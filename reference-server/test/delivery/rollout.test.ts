import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  inCohort,
  isRolloutPercent,
  rolloutBucket,
  rolloutThreshold,
} from '../../src/delivery/rollout.ts';

const deviceId = fc.stringMatching(/^[A-Za-z0-9_-]{16,40}$/);
const appId = fc.constantFrom('com.example.shop', 'org.example.maps', 'com.example.shop.cart');
const versionCode = fc.integer({ min: 1, max: 2147483647 });
const percent = fc.integer({ min: 0, max: 10000 }).map((n) => n / 100);

describe('rollout cohorts [API-081]', () => {
  it('matches every test vector of spec/distribution.md', () => {
    const vectors: [string, string, number, number][] = [
      ['device-0001-aaaaaaaa', 'com.example.shop', 1, 9165],
      ['device-0001-aaaaaaaa', 'com.example.shop', 2, 4584],
      ['3f2c9a1e5b7d4c1a9e8f0a1b2c3d4e5f', 'com.example.shop', 42, 2851],
      ['q7H_x2-LmN0pRsTuVwXy', 'org.example.maps', 2147483647, 6528],
      ['0000000000000000', 'com.example.shop.cart', 100, 7333],
    ];
    for (const [device, app, code, bucket] of vectors) {
      assert.equal(rolloutBucket(device, app, code), bucket, `${device} ${app} ${String(code)}`);
    }
  });

  it('puts the first vector outside the cohort at 91.65 % and inside at 91.66 %', () => {
    assert.equal(inCohort('device-0001-aaaaaaaa', 'com.example.shop', 1, 91.65), false);
    assert.equal(inCohort('device-0001-aaaaaaaa', 'com.example.shop', 1, 91.66), true);
  });

  it('keeps a device in the cohort when the percentage rises (monotone)', () => {
    fc.assert(
      fc.property(deviceId, appId, versionCode, percent, percent, (d, a, v, p, q) => {
        const [low, high] = p <= q ? [p, q] : [q, p];
        if (inCohort(d, a, v, low)) assert.equal(inCohort(d, a, v, high), true);
      }),
    );
  });

  it('gives a device the same bucket on every call (sticky)', () => {
    fc.assert(
      fc.property(deviceId, appId, versionCode, (d, a, v) => {
        const bucket = rolloutBucket(d, a, v);
        assert.ok(bucket >= 0 && bucket < 10000, `bucket ${bucket} is within 0 to 9999`);
        assert.equal(rolloutBucket(d, a, v), bucket);
      }),
    );
  });

  it('reaches nobody at 0 % and everybody at 100 %', () => {
    fc.assert(
      fc.property(deviceId, appId, versionCode, (d, a, v) => {
        assert.equal(inCohort(d, a, v, 0), false);
        assert.equal(inCohort(d, a, v, 100), true);
      }),
    );
  });

  it('spreads devices roughly uniformly: about p % of them fall in a p % cohort', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 99 }), versionCode, (p, v) => {
        const devices = 4000;
        let inside = 0;
        for (let i = 0; i < devices; i += 1) {
          if (inCohort(`device-${String(i).padStart(12, '0')}`, 'com.example.shop', v, p))
            inside += 1;
        }
        // Binomial standard deviation is under 0.8 % at 4000 devices; 4 % is far outside chance.
        assert.ok(
          Math.abs(inside / devices - p / 100) < 0.04,
          `${String(inside)} of ${String(devices)} at ${String(p)} %`,
        );
      }),
      { numRuns: 15 },
    );
  });

  it('accepts at most two decimals between 0 and 100 [API-077]', () => {
    for (const ok of [0, 0.01, 10, 91.66, 99.99, 100])
      assert.equal(isRolloutPercent(ok), true, String(ok));
    for (const bad of [-0.01, 100.01, 0.001, 91.665, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.equal(isRolloutPercent(bad), false, String(bad));
    }
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10000 }), (n) => {
        assert.equal(isRolloutPercent(n / 100), true);
        assert.equal(rolloutThreshold(n / 100), n);
      }),
    );
  });
});
