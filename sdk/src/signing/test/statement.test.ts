import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { packageDigestOf } from '../digest.ts';
import { encodeEnvelope, payloadTypes, signEnvelope } from '../envelope.ts';
import type { PrivateKey } from '../key-pair.ts';
import { createStatement, verifyStatement } from '../statement.ts';
import { buildPackage, newKey } from './release-world.ts';

describe('partner statements', () => {
  let partner: PrivateKey;
  const { bytes, manifestBytes } = buildPackage({
    id: 'com.example.shop',
    version: '1.2.0',
    versionCode: 12,
  });
  const input = {
    appId: 'com.example.shop',
    version: '1.2.0',
    versionCode: 12,
    packageBytes: bytes,
    manifestBytes,
  };
  const keys = (): Record<string, PrivateKey['publicJwk']> => ({
    [partner.keyid]: partner.publicJwk,
  });

  before(async () => {
    partner = await newKey('ECDSA-P256');
  });

  it('verifies a statement over the uploaded bytes and reports the signing key and envelope digest [SIG-020] [SIG-031]', () => {
    const signed = createStatement(input, partner);
    const verified = verifyStatement(signed.bytes, keys(), {
      appId: 'com.example.shop',
      package: packageDigestOf(bytes),
    });
    assert.equal(verified.keyid, partner.keyid);
    assert.equal(verified.sha256, signed.sha256);
    assert.deepEqual(verified.statement.package, packageDigestOf(bytes));
    assert.match(verified.statement.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('rejects a statement over different package bytes [SIG-021]', () => {
    const signed = createStatement(input, partner);
    const other = new Uint8Array(bytes);
    other[other.length - 1] = (other[other.length - 1] ?? 0) ^ 1;
    assert.throws(
      () => verifyStatement(signed.bytes, keys(), { package: packageDigestOf(other) }),
      {
        code: 'SIG_DIGEST_MISMATCH',
      },
    );
    assert.throws(
      () => verifyStatement(signed.bytes, keys(), { package: packageDigestOf(bytes.subarray(1)) }),
      {
        code: 'SIG_LENGTH_MISMATCH',
      },
    );
  });

  it('rejects a statement for another app [SIG-021]', () => {
    const signed = createStatement(input, partner);
    assert.throws(
      () =>
        verifyStatement(signed.bytes, keys(), {
          appId: 'com.example.bank',
          package: packageDigestOf(bytes),
        }),
      { code: 'SIG_WRONG_APP' },
    );
  });

  it('rejects an old statement replayed after a newer release, as CodePush would accept [SIG-022]', () => {
    const old = createStatement(input, partner);
    assert.throws(
      () =>
        verifyStatement(old.bytes, keys(), {
          package: packageDigestOf(bytes),
          latestVersionCode: 12,
        }),
      { code: 'VERSION_CODE_NOT_INCREASING' },
    );
  });

  it('rejects a statement signed by a key the partner has not registered [SIG-020]', async () => {
    const signed = createStatement(input, await newKey());
    assert.throws(
      () => verifyStatement(signed.bytes, keys(), { package: packageDigestOf(bytes) }),
      {
        code: 'SIG_UNKNOWN_KEY',
      },
    );
  });

  it('rejects a signed payload that repeats a member to smuggle a second value [SIG-014]', () => {
    const text = JSON.stringify(createStatement(input, partner).payload).replace(
      '"appId":"com.example.shop"',
      '"appId":"com.example.shop","appId":"com.example.bank"',
    );
    const envelope = signEnvelope(payloadTypes.statement, new TextEncoder().encode(text), [
      partner,
    ]);
    assert.throws(
      () => verifyStatement(encodeEnvelope(envelope), keys(), { package: packageDigestOf(bytes) }),
      {
        code: 'SIG_MALFORMED',
      },
    );
  });

  it('rejects a signed payload with a byte-order mark or unknown members [SIG-014]', () => {
    const payload = createStatement(input, partner).payload;
    const json = new TextEncoder().encode(JSON.stringify(payload));
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...json]);
    const extra = new TextEncoder().encode(JSON.stringify({ ...payload, note: 'x' }));
    for (const body of [withBom, extra]) {
      const envelope = signEnvelope(payloadTypes.statement, body, [partner]);
      assert.throws(
        () =>
          verifyStatement(encodeEnvelope(envelope), keys(), { package: packageDigestOf(bytes) }),
        {
          code: 'SIG_MALFORMED',
        },
      );
    }
  });

  it('rejects a statement created more than 30 days ago or more than 5 minutes ahead [SIG-023]', () => {
    const at = new Date('2026-03-01T12:00:00Z');
    const signed = createStatement({ ...input, createdAt: at }, partner);
    const check = (now: Date): unknown =>
      verifyStatement(signed.bytes, keys(), { package: packageDigestOf(bytes), now });
    assert.doesNotThrow(() => check(new Date('2026-03-20T12:00:00Z')));
    assert.throws(() => check(new Date('2026-04-01T12:00:00Z')), { code: 'SIG_EXPIRED' });
    assert.throws(() => check(new Date('2026-03-01T11:50:00Z')), { code: 'SIG_EXPIRED' });
  });
});
