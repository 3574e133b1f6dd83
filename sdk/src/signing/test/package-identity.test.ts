import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeCanonicalZip } from '../../package/zip-writer.ts';
import { buildZip, unicodePathField } from '../../package/test/hostile-zip.ts';
import { verifyPackageBytes } from '../package-identity.ts';
import type { Release } from '../release.ts';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const manifestBytes = text(
  JSON.stringify({ id: 'com.example.shop', version: '1.0.0', versionCode: 1 }),
);

/** Release metadata that signs exactly these package bytes and this manifest. */
function signedFor(bytes: Uint8Array): Release {
  return {
    appId: 'com.example.shop',
    version: '1.0.0',
    versionCode: 1,
    package: { sha256: sha(bytes), length: bytes.length },
    manifestSha256: sha(manifestBytes),
  } as unknown as Release;
}

describe("the host's package identity check reads through the hardened ZIP reader", () => {
  it('accepts a canonical package whose manifest is the signed one [SIG-042]', () => {
    const bytes = writeCanonicalZip([{ path: 'manifest.json', data: manifestBytes }]);
    assert.doesNotThrow(() => verifyPackageBytes(bytes, signedFor(bytes)));
  });

  it('refuses a signed polyglot with bytes before the first entry [PKG-170]', () => {
    const bytes = buildZip([{ name: 'manifest.json', data: manifestBytes }], {
      prefix: text('<!doctype html><script>alert(1)</script>'),
    });
    assert.throws(() => verifyPackageBytes(bytes, signedFor(bytes)), { code: 'PKG_EXTRA_BYTES' });
  });

  it('refuses a signed package whose Unicode Path field renames an entry [PKG-171]', () => {
    const bytes = buildZip([
      { name: 'manifest.json', data: manifestBytes },
      { name: 'a.js', data: text('1'), extra: unicodePathField('a.js', '../../x.js') },
    ]);
    assert.throws(() => verifyPackageBytes(bytes, signedFor(bytes)), {
      code: 'PKG_UNICODE_PATH_MISMATCH',
    });
  });

  it('refuses a signed package whose local and central names differ [PKG-009]', () => {
    const bytes = buildZip([
      { name: 'manifest.json', localName: 'manifest.jsom', data: manifestBytes },
    ]);
    assert.throws(() => verifyPackageBytes(bytes, signedFor(bytes)), {
      code: 'PKG_HEADER_MISMATCH',
    });
  });

  it('refuses a signed package whose manifest fails its CRC-32 [PKG-050]', () => {
    const bytes = buildZip([{ name: 'manifest.json', data: manifestBytes, crc: 0 }]);
    assert.throws(() => verifyPackageBytes(bytes, signedFor(bytes)), { code: 'PKG_CRC_MISMATCH' });
  });
});
