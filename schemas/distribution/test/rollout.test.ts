import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { repoRoot } from './openapi-document.ts';

/**
 * Reference implementation of the rollout cohort of spec/distribution.md [API-081], kept in the test:
 * servers implement it themselves and must agree with the vectors the spec publishes.
 */
function rolloutBucket(
  deviceId: string,
  appId: string,
  versionCode: number,
): { prefix: string; n: number; bucket: number } {
  const digest = createHash('sha256')
    .update(`${deviceId}:${appId}:${versionCode}`, 'utf8')
    .digest();
  const n = digest.readUInt32BE(0);
  return { prefix: digest.subarray(0, 4).toString('hex'), n, bucket: n % 10000 };
}

/** [API-077] two decimals at most, so the threshold is an exact integer number of basis points. */
function inCohort(
  deviceId: string,
  appId: string,
  versionCode: number,
  rolloutPercent: number,
): boolean {
  return rolloutBucket(deviceId, appId, versionCode).bucket < Math.round(rolloutPercent * 100);
}

interface Vector {
  deviceId: string;
  appId: string;
  versionCode: number;
  prefix: string;
  n: number;
  bucket: number;
}

/** The test-vector table of spec/distribution.md, so that the published numbers are what is tested. */
function specVectors(): Vector[] {
  const spec = readFileSync(path.join(repoRoot, 'spec/distribution.md'), 'utf8');
  const row =
    /^\| `([A-Za-z0-9_-]+)` \| `([a-z0-9.-]+)` \| (\d+) \| `([0-9a-f]{8})` \| (\d+) \| (\d+) \|$/gm;
  return [...spec.matchAll(row)].map(
    ([, deviceId = '', appId = '', versionCode, prefix = '', n, bucket]) => ({
      deviceId,
      appId,
      versionCode: Number(versionCode),
      prefix,
      n: Number(n),
      bucket: Number(bucket),
    }),
  );
}

const deviceIdArb = fc.stringMatching(/^[A-Za-z0-9_-]{16,64}$/);
const appIdArb = fc.stringMatching(/^[a-z][a-z0-9]{0,8}(\.[a-z][a-z0-9]{0,8}){1,3}$/);
const versionCodeArb = fc.integer({ min: 1, max: 2147483647 });
const percentArb = fc.integer({ min: 0, max: 10000 }).map((bp) => bp / 100);

describe('rollout cohorts [API-081]', () => {
  const vectors = specVectors();

  it('are published with at least five test vectors', () => {
    assert.ok(vectors.length >= 5, `found ${vectors.length} vectors in spec/distribution.md`);
  });

  for (const v of vectors) {
    it(`match the spec vector for ${v.deviceId} / ${v.appId} / ${v.versionCode}`, () => {
      assert.deepEqual(rolloutBucket(v.deviceId, v.appId, v.versionCode), {
        prefix: v.prefix,
        n: v.n,
        bucket: v.bucket,
      });
    });
  }

  it('put the first vector outside at 91.65 % and inside at 91.66 %, as the spec says', () => {
    assert.equal(inCohort('device-0001-aaaaaaaa', 'com.example.shop', 1, 91.65), false);
    assert.equal(inCohort('device-0001-aaaaaaaa', 'com.example.shop', 1, 91.66), true);
  });

  it('read the digest big-endian, not little-endian', () => {
    const { n } = rolloutBucket('device-0001-aaaaaaaa', 'com.example.shop', 1);
    const digest = createHash('sha256').update('device-0001-aaaaaaaa:com.example.shop:1').digest();
    assert.notEqual(n, digest.readUInt32LE(0));
  });

  it('give every device a bucket from 0 to 9999, the same on every call', () => {
    fc.assert(
      fc.property(deviceIdArb, appIdArb, versionCodeArb, (d, a, v) => {
        const first = rolloutBucket(d, a, v);
        return (
          first.bucket >= 0 &&
          first.bucket < 10000 &&
          first.bucket === rolloutBucket(d, a, v).bucket
        );
      }),
    );
  });

  it('only add devices when the percentage rises (sticky cohorts)', () => {
    fc.assert(
      fc.property(
        deviceIdArb,
        appIdArb,
        versionCodeArb,
        percentArb,
        percentArb,
        (d, a, v, p, q) => {
          const [low, high] = p <= q ? [p, q] : [q, p];
          return !inCohort(d, a, v, low) || inCohort(d, a, v, high);
        },
      ),
    );
  });

  it('include no device at 0 % and every device at 100 %', () => {
    fc.assert(
      fc.property(
        deviceIdArb,
        appIdArb,
        versionCodeArb,
        (d, a, v) => !inCohort(d, a, v, 0) && inCohort(d, a, v, 100),
      ),
    );
  });

  it('admit close to the stated share of devices', () => {
    const devices = fc.sample(deviceIdArb, { numRuns: 20000, seed: 20260301 });
    const share =
      devices.filter((d) => inCohort(d, 'com.example.shop', 42, 25)).length / devices.length;
    assert.ok(Math.abs(share - 0.25) < 0.015, `share ${share}`);
  });

  it('draw a fresh cohort for each version, so the same devices are not always first', () => {
    const devices = fc.sample(deviceIdArb, { numRuns: 4000, seed: 7 });
    const first = new Set(devices.filter((d) => inCohort(d, 'com.example.shop', 41, 10)));
    const second = devices.filter((d) => inCohort(d, 'com.example.shop', 42, 10));
    const overlap = second.filter((d) => first.has(d)).length / Math.max(second.length, 1);
    assert.ok(overlap < 0.25, `overlap ${overlap}`);
  });

  it('separate the fields, so moving characters between them changes the input', () => {
    assert.notEqual(
      rolloutBucket('device-0001-aaaaaaaa', 'com.example.shop', 12).n,
      rolloutBucket('device-0001-aaaaaaaa', 'com.example.shop1', 2).n,
    );
  });
});
