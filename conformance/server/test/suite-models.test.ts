import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { hex, utf8 } from '../crypto/byte-encoding.ts';
import { pae } from '../crypto/dsse-envelope.ts';
import { jwkThumbprint } from '../crypto/jwk-key.ts';
import { parseStrictJson } from '../crypto/strict-json.ts';
import { compareHostVersions, satisfies } from '../model/host-version.ts';
import { rolloutBucket } from '../model/rollout-bucket.ts';
import { expectedSelection, type ModelRelease } from '../model/update-selection.ts';

describe('the suite computes the rollout bucket exactly as the test vectors of spec/distribution.md', () => {
  const vectors: [string, string, number, number][] = [
    ['device-0001-aaaaaaaa', 'com.example.shop', 1, 9165],
    ['device-0001-aaaaaaaa', 'com.example.shop', 2, 4584],
    ['3f2c9a1e5b7d4c1a9e8f0a1b2c3d4e5f', 'com.example.shop', 42, 2851],
    ['q7H_x2-LmN0pRsTuVwXy', 'org.example.maps', 2147483647, 6528],
    ['0000000000000000', 'com.example.shop.cart', 100, 7333],
  ];
  for (const [device, app, code, bucket] of vectors) {
    test(`${device} ${app} ${code} is bucket ${bucket}`, async () => {
      assert.equal(await rolloutBucket(device, app, code), bucket);
    });
  }
});

describe('PAE and thumbprints follow their definitions', () => {
  test('PAE of the worked example of spec/signing.md gives its bytes', () => {
    const bytes = pae(
      'application/vnd.openminiapp.statement+json',
      utf8('{"_type":"statement","appId":"com.example.shop"}'),
    );
    assert.equal(
      hex(bytes),
      '445353457631203432206170706c6963' +
        '6174696f6e2f766e642e6f70656e6d69' +
        '6e696170702e73746174656d656e742b' +
        '6a736f6e203438207b225f7479706522' +
        '3a2273746174656d656e74222c226170' +
        '704964223a22636f6d2e6578616d706c' +
        '652e73686f70227d',
    );
  });
  test('the RFC 7638 example key has the RFC thumbprint', async () => {
    const n =
      '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw';
    assert.equal(
      await jwkThumbprint({ kty: 'RSA', alg: 'PS256', n, e: 'AQAB' }),
      'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs',
    );
  });
});

describe('the strict JSON reader', () => {
  test('reads every JSON text JSON.stringify writes, to the same value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        assert.deepEqual(parseStrictJson(JSON.stringify(value)), JSON.parse(JSON.stringify(value)));
      }),
    );
  });
  test('refuses duplicate members at any depth, trailing commas and trailing text', () => {
    for (const text of [
      '{"a":1,"a":1}',
      '{"x":{"b":[],"b":{}}}',
      '[1,]',
      '{"a":1} x',
      "{'a':1}",
      '{"a":01}',
    ]) {
      assert.throws(() => parseStrictJson(text), /./, text);
    }
  });
});

describe('the update selection written from the spec text', () => {
  const release = (versionCode: number, over: Partial<ModelRelease> = {}): ModelRelease => ({
    versionCode,
    channel: 'stable',
    minHostVersion: '1.0.0',
    rolloutPercent: 100,
    mandatory: false,
    state: 'completed',
    ...over,
  });
  const query = {
    appId: 'com.example.shop',
    deviceId: 'device-0001-aaaaaaaa',
    hostApiVersion: '1.1.0',
    channel: 'stable' as const,
    installedVersionCode: 1,
  };

  test('host versions compare as numbers and need the same major', () => {
    assert.ok(compareHostVersions('1.10.0', '1.2.0') > 0);
    assert.ok(satisfies('1.1.0', '1.0.0'));
    assert.ok(!satisfies('1.1.0', '1.2.0'));
    assert.ok(!satisfies('2.0.0', '1.0.0'));
  });
  test('names the lowest minHostVersion in version order when nothing newer is compatible', async () => {
    const r = await expectedSelection(
      [
        release(1),
        release(2, { minHostVersion: '1.10.0' }),
        release(3, { minHostVersion: '1.2.0' }),
      ],
      query,
    );
    assert.deepEqual(r, { kind: 'incompatible', minHostVersion: '1.2.0' });
  });
  test('latches a skipped mandatory release', async () => {
    const r = await expectedSelection(
      [release(1), release(2, { mandatory: true }), release(3)],
      query,
    );
    assert.deepEqual(r, { kind: 'update', versionCode: 3, mandatory: true });
  });
  test('answers revoked with the newest compatible other release', async () => {
    const r = await expectedSelection([release(1), release(2, { state: 'revoked' })], {
      ...query,
      installedVersionCode: 2,
    });
    assert.deepEqual(r, { kind: 'revoked', replacement: 1 });
  });
  test('never offers the installed or a lower version, nor an incompatible one', async () => {
    const stateArb = fc.constantFrom<ModelRelease['state']>(
      'rollingOut',
      'paused',
      'completed',
      'rolledBack',
      'revoked',
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            minHostVersion: fc.constantFrom('1.0.0', '1.2.0', '2.0.0'),
            rolloutPercent: fc.integer({ min: 0, max: 100 }),
            mandatory: fc.boolean(),
            state: stateArb,
          }),
          { maxLength: 5 },
        ),
        fc.integer({ min: 0, max: 6 }),
        fc.constantFrom('1.0.0', '1.2.0', '2.1.0'),
        async (steps, installed, host) => {
          const releases = steps.map((s, i) => release(i + 1, s));
          const r = await expectedSelection(releases, {
            ...query,
            installedVersionCode: installed,
            hostApiVersion: host,
          });
          if (r.kind === 'update') {
            assert.ok(r.versionCode > installed);
            assert.ok(satisfies(host, releases[r.versionCode - 1]?.minHostVersion ?? ''));
          }
        },
      ),
    );
  });
});
