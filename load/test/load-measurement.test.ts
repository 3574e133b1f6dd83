import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { LoadDataset } from '../dataset/load-dataset.ts';
import { measuredWindow, nearestRank, summarise } from '../measure/latency-summary.ts';
import { rangeTargets, updateCheckTargets } from '../scenarios/target-streams.ts';
import { phases } from '../suite/scenario-measurement.ts';
import type { VegetaResult } from '../vegeta/vegeta-engine.ts';

describe('percentiles by the nearest-rank method of spec/budgets.md [BUD-010] [BUD-011]', () => {
  it('gives the smallest sample that at least p % of the samples do not exceed', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 1, max: 100 }),
        (values, p) => {
          const sorted = [...values].sort((a, b) => a - b);
          const result = nearestRank(sorted, p);
          assert.ok(sorted.includes(result));
          const atMost = sorted.filter((v) => v <= result).length;
          assert.ok(atMost * 100 >= p * sorted.length, 'at least p % do not exceed it');
          const below = sorted.filter((v) => v < result).length;
          assert.ok(below * 100 < p * sorted.length, 'no smaller sample qualifies');
        },
      ),
    );
  });

  it('counts an unexpected status or a transport error as an error, and leaves the warm-up out', () => {
    const at = (seconds: number, code: number, error = ''): VegetaResult => ({
      attack: 'a',
      seq: seconds,
      code,
      timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, seconds)).toISOString(),
      latency: 5_000_000,
      bytes_out: 0,
      bytes_in: 0,
      error,
    });
    const results = [at(0, 500), at(1, 200), at(2, 304), at(3, 0, 'dial tcp: refused'), at(4, 200)];
    const window = measuredWindow(results, 1);
    assert.equal(window.length, 4);
    const summary = summarise(window, [200]);
    assert.equal(summary.errors, 2);
    assert.deepEqual(summary.statusCodes, { '0': 1, '200': 2, '304': 1 });
    assert.equal(summary.p99Ms, 5);
  });
});

describe('load profiles', () => {
  const timing = { warmupSeconds: 10, durationSeconds: 60, rateScale: 1 };
  it('runs steady and soak as one constant rate over warm-up and window', () => {
    assert.deepEqual(phases({ ...timing, profile: 'steady' }, 200), [{ rate: 200, seconds: 70 }]);
    assert.deepEqual(phases({ ...timing, profile: 'soak', rateScale: 0.5 }, 200), [
      { rate: 100, seconds: 70 },
    ]);
  });
  it('runs a spike at four times the rate in the middle third of the window', () => {
    assert.deepEqual(phases({ ...timing, profile: 'spike' }, 50), [
      { rate: 50, seconds: 30 },
      { rate: 200, seconds: 20 },
      { rate: 50, seconds: 20 },
    ]);
  });
});

describe('target streams of spec/conformance.md ("Server load")', () => {
  const dataset = {
    apps: Array.from(
      { length: 200 },
      (_, i) => `dev.openminiapp.load.a${String(i).padStart(3, '0')}`,
    ),
    versionsPerApp: 3,
    devices: Array.from({ length: 1000 }, (_, i) => ({
      deviceId: `load-device-${String(i).padStart(6, '0')}`,
      token: `t${String(i)}`,
    })),
  } as unknown as LoadDataset;

  it('checks 20 distinct apps at installed versions 1 to 3, from a device with its own credential', () => {
    const targets = updateCheckTargets('http://server/', dataset, { count: 300 });
    const devices = new Set<string>();
    for (const target of targets) {
      assert.equal(target.url, 'http://server/v1/updates/check');
      const body = JSON.parse(Buffer.from(target.body ?? '', 'base64').toString('utf8')) as {
        deviceId: string;
        apps: { appId: string; versionCode: number }[];
      };
      assert.equal(body.apps.length, 20);
      assert.equal(new Set(body.apps.map((a) => a.appId)).size, 20);
      for (const app of body.apps) assert.ok(app.versionCode >= 1 && app.versionCode <= 3);
      const index = Number(body.deviceId.slice(-6));
      assert.deepEqual(target.header?.authorization, [`Bearer t${String(index)}`]);
      devices.add(body.deviceId);
    }
    assert.ok(devices.size > 200, 'devices are spread over the 1,000');
    assert.deepEqual(
      updateCheckTargets('http://server', dataset, { count: 5 }),
      updateCheckTargets('http://server', dataset, { count: 5 }),
      'seeded: the same stream every run',
    );
  });

  it('asks for satisfiable single ranges only', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5_000_000 }), fc.integer(), (length, seed) => {
        for (const target of rangeTargets('http://s', '/b.ma', length, { count: 20, seed })) {
          const [, start, end] = /^bytes=(\d+)-(\d+)$/.exec(target.header?.range?.[0] ?? '') ?? [];
          assert.ok(Number(start) <= Number(end) && Number(end) < length);
        }
      }),
    );
  });
});
