import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  activate,
  confirm,
  installNow,
  newRecord,
  packagesInUse,
  rollBack,
  stage,
  type AppRecord,
  type InstalledVersion,
} from '../src/updates/app-record.ts';

function version(versionCode: number): InstalledVersion {
  return {
    versionCode,
    version: `1.0.${versionCode}`,
    releaseSha256: `r${versionCode}`,
    statementKeyid: `k${versionCode}`,
    statement: `s${versionCode}`,
    packageSha256: `p${versionCode}`,
    minHostVersion: '1.0.0',
    manifest: { id: 'com.example.app', versionCode } as never,
    files: {},
    installedAt: '2026-01-01T00:00:00Z',
  };
}

type Step =
  | { op: 'install'; versionCode: number }
  | { op: 'stage'; versionCode: number; mandatory: boolean }
  | { op: 'activate' }
  | { op: 'ready' }
  | { op: 'fail' };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.integer({ min: 1, max: 12 }).map((versionCode) => ({ op: 'install' as const, versionCode })),
  fc.record({
    op: fc.constant('stage' as const),
    versionCode: fc.integer({ min: 1, max: 12 }),
    mandatory: fc.boolean(),
  }),
  fc.constant({ op: 'activate' as const }),
  fc.constant({ op: 'ready' as const }),
  fc.constant({ op: 'fail' as const }),
);

function apply(record: AppRecord, s: Step): AppRecord {
  switch (s.op) {
    case 'install':
      return installNow(record, version(s.versionCode));
    case 'stage':
      return stage(record, version(s.versionCode), s.mandatory);
    case 'activate':
      return activate(record);
    case 'ready':
      return record.current ? confirm(record, record.current.versionCode) : record;
    case 'fail':
      return rollBack(record);
  }
}

describe('installed versions, updates and rollback', () => {
  it('activates a staged update only at a cold start, keeping the version it replaces', () => {
    let record = installNow(newRecord('com.example.app', 'alabel'), version(1));
    record = confirm(record, 1);
    record = stage(record, version(2));
    assert.equal(record.current?.versionCode, 1);
    record = activate(record);
    assert.deepEqual(
      [record.current?.versionCode, record.previous?.versionCode, record.probation],
      [2, 1, true],
    );
    record = confirm(record, 2);
    assert.equal(record.probation, false);
  });

  it('rolls back a version whose first launch failed and never takes it again', () => {
    let record = confirm(installNow(newRecord('com.example.app', 'alabel'), version(1)), 1);
    record = activate(stage(record, version(2)));
    record = rollBack(record);
    assert.deepEqual([record.current?.versionCode, record.rejected], [1, [2]]);
    assert.equal(stage(record, version(2)).pending, undefined);
    assert.equal(installNow(record, version(2)).current?.versionCode, 1);
    assert.equal(stage(record, version(3)).pending?.versionCode, 3);
  });

  it('does not roll back a version that became ready', () => {
    let record = confirm(installNow(newRecord('com.example.app', 'alabel'), version(1)), 1);
    record = confirm(activate(stage(record, version(2))), 2);
    assert.deepEqual(rollBack(record), record);
  });

  it('holds its invariants under any sequence of events', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        let record = newRecord('com.example.app', 'alabel');
        for (const s of steps) {
          const before = record;
          record = apply(record, s);
          // A rejected version is never current, staged or kept.
          for (const v of [record.current, record.pending]) {
            if (v) assert.equal(record.rejected.includes(v.versionCode), false);
          }
          // A staged version is always newer than the current one.
          if (record.pending && record.current)
            assert.ok(record.pending.versionCode > record.current.versionCode);
          // The kept version is older than the current one.
          if (record.previous && record.current)
            assert.ok(record.previous.versionCode < record.current.versionCode);
          // The current version only goes down through a rollback of a version on probation.
          if (
            before.current &&
            record.current &&
            record.current.versionCode < before.current.versionCode
          ) {
            assert.equal(s.op, 'fail');
            assert.equal(before.probation, true);
          }
          // Nothing is lost but a rejected version: at most three packages are kept.
          assert.ok(packagesInUse(record).length <= 3);
        }
      }),
    );
  });
});
