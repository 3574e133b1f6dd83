import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { schemasRoot } from '#schemas';
import { isMiniAppError } from '../../diagnostics/index.ts';
import {
  canIUse,
  checkReleaseOrder,
  compareHostApiVersions,
  compareVersionCodes,
  hostSatisfies,
  requiredHostVersion,
  type CapabilityEntry,
} from '../index.ts';

const hostVersion = fc
  .tuple(fc.integer({ min: 0, max: 3 }), fc.nat(6), fc.nat(6))
  .map(([a, b, c]) => `${a}.${b}.${c}`);
const versionCode = fc.integer({ min: 1, max: 2147483647 });

function throwsCode(fn: () => unknown, code: string): void {
  assert.throws(fn, (error: unknown) => isMiniAppError(error) && error.code === code);
}

describe('hostSatisfies', () => {
  it('is monotonic: a newer host of the same major satisfies whatever an older one does [VER-004]', () => {
    fc.assert(
      fc.property(hostVersion, hostVersion, hostVersion, (a, b, min) => {
        const [older, newer] = compareHostApiVersions(a, b) <= 0 ? [a, b] : [b, a];
        if (older.split('.')[0] !== newer.split('.')[0]) return;
        if (hostSatisfies(older, min))
          assert.ok(hostSatisfies(newer, min), 'a newer host satisfies the minimum');
      }),
    );
  });

  it('holds exactly for the same major and a version not lower [VER-007]', () => {
    fc.assert(
      fc.property(hostVersion, hostVersion, (host, min) => {
        const sameMajor = host.split('.')[0] === min.split('.')[0];
        assert.equal(hostSatisfies(host, min), sameMajor && compareHostApiVersions(host, min) >= 0);
      }),
    );
    assert.equal(hostSatisfies('1.1.0', '1.2.0'), false);
    assert.equal(hostSatisfies('2.0.0', '1.0.0'), false);
    assert.equal(hostSatisfies('1.2.0', '1.0.0'), true);
  });

  it('rejects versions that are not MAJOR.MINOR.PATCH [VER-015]', () => {
    for (const bad of ['1.0', '1.0.0-beta', '01.0.0', 'v1.0.0', '1.0.0+build', '', '1.0.0 ']) {
      throwsCode(() => hostSatisfies(bad, '1.0.0'), 'VERSION_INVALID_HOST_API');
      throwsCode(() => hostSatisfies('1.0.0', bad), 'VERSION_INVALID_HOST_API');
    }
  });
});

describe('compareVersionCodes', () => {
  it('orders like the integers and is antisymmetric [VER-003]', () => {
    fc.assert(
      fc.property(versionCode, versionCode, (a, b) => {
        assert.equal(compareVersionCodes(a, b), Math.sign(a - b));
        assert.equal(compareVersionCodes(a, b), -compareVersionCodes(b, a) || 0);
      }),
    );
  });

  it('rejects values outside 1..2147483647 [MAN-011]', () => {
    for (const bad of [0, -1, 1.5, 2147483648, Number.NaN, Number.POSITIVE_INFINITY]) {
      throwsCode(() => compareVersionCodes(bad, 1), 'MANIFEST_INVALID_VERSION_CODE');
    }
  });
});

describe('checkReleaseOrder', () => {
  it('accepts a first release and a release with a higher versionCode and version', () => {
    assert.deepEqual(checkReleaseOrder({ version: '1.0.0', versionCode: 1 }, []), []);
    assert.deepEqual(
      checkReleaseOrder({ version: '1.1.0', versionCode: 11 }, [
        { version: '1.0.0', versionCode: 10 },
      ]),
      [],
    );
  });

  it('refuses a rollback to a versionCode not above every earlier release, revoked ones included [VER-001]', () => {
    fc.assert(
      fc.property(
        fc.array(versionCode, { minLength: 1, maxLength: 8 }),
        fc.nat(),
        (codes, pick) => {
          const earlier = codes.map((code) => ({ version: '1.0.0', versionCode: code }));
          const replay = codes[pick % codes.length] ?? 1;
          const found = checkReleaseOrder({ version: '9.0.0', versionCode: replay }, earlier);
          assert.deepEqual(
            found.map((d) => d.code),
            ['VERSION_CODE_NOT_INCREASING'],
          );
        },
      ),
    );
  });

  it('warns when the version does not grow with the versionCode [VER-002]', () => {
    const found = checkReleaseOrder({ version: '1.0.0', versionCode: 3 }, [
      { version: '1.2.0', versionCode: 2 },
    ]);
    assert.deepEqual(
      found.map((d) => [d.code, d.severity]),
      [['VERSION_NOT_INCREASING', 'warning']],
    );
  });
});

const registry: CapabilityEntry[] = [
  { name: 'ui.showToast', since: '1.0.0', params: { icon: '1.0.0', duration: '1.1.0' } },
  { name: 'payment.pay', since: '1.0.0' },
  { name: 'payment.pay.refund', since: '1.2.0' },
  { name: 'media.scanCode', since: '1.1.0', params: { 'options.formats': '1.2.0' } },
];

describe('canIUse', () => {
  it('answers true exactly when the host version satisfies the method since [VER-017]', () => {
    fc.assert(
      fc.property(hostVersion, fc.constantFrom(...registry), (host, method) => {
        assert.equal(canIUse(host, method.name, registry), hostSatisfies(host, method.since));
      }),
    );
  });

  it('answers parameter queries from the parameter since [VER-016]', () => {
    assert.equal(canIUse('1.0.0', 'ui.showToast.icon', registry), true);
    assert.equal(canIUse('1.0.0', 'ui.showToast.duration', registry), false);
    assert.equal(canIUse('1.1.0', 'ui.showToast.duration', registry), true);
    assert.equal(canIUse('1.1.0', 'media.scanCode.options.formats', registry), false);
    assert.equal(canIUse('1.2.0', 'media.scanCode.options.formats', registry), true);
  });

  it('resolves the longest method name, since method names contain dots', () => {
    assert.equal(canIUse('1.1.0', 'payment.pay.refund', registry), false);
    assert.equal(canIUse('1.2.0', 'payment.pay.refund', registry), true);
  });

  it('answers false, never an error, for unknown names and parameters [VER-018]', () => {
    for (const query of [
      '',
      'ui',
      'ui.showToastX',
      'ui.showToast.color',
      'payment.pay.',
      'constructor',
      '__proto__',
      'ui.showToast.__proto__',
      'ui.showToast.toString',
    ]) {
      assert.equal(canIUse('1.2.0', query, registry), false, query);
    }
  });

  it('answers for every method of the published registry at its own since, and not below', () => {
    const { methods } = JSON.parse(
      readFileSync(path.join(schemasRoot, 'bridge/method-registry.json'), 'utf8'),
    ) as { methods: CapabilityEntry[] };
    assert.ok(
      methods.some((m) => m.name === 'host.canIUse'),
      'host.canIUse is registered [VER-012]',
    );
    for (const method of methods) {
      assert.equal(canIUse(method.since, method.name, methods), true, method.name);
      if (method.since !== '1.0.0')
        assert.equal(canIUse('1.0.0', method.name, methods), false, method.name);
    }
  });
});

describe('requiredHostVersion', () => {
  it('is the highest since among the called methods, naming a method that needs it [VER-011]', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...registry.map((m) => m.name)), { minLength: 1 }),
        (calls) => {
          const required = requiredHostVersion(calls, registry);
          assert.ok(required, 'calls of registered methods require a host version');
          const sinces = calls.map((c) => registry.find((m) => m.name === c)?.since ?? '0.0.0');
          for (const since of sinces)
            assert.ok(
              compareHostApiVersions(required.version, since) >= 0,
              `the required ${required.version} is at least ${since}`,
            );
          assert.equal(registry.find((m) => m.name === required.because)?.since, required.version);
          for (const call of calls) assert.equal(canIUse(required.version, call, registry), true);
        },
      ),
    );
  });

  it('ignores unregistered methods and answers null when none is registered', () => {
    assert.equal(requiredHostVersion(['nope.nothing'], registry), null);
    assert.equal(requiredHostVersion([], registry), null);
    assert.deepEqual(requiredHostVersion(['nope', 'media.scanCode'], registry), {
      version: '1.1.0',
      because: 'media.scanCode',
    });
  });
});
