import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  createBin,
  createDelegation,
  createIndex,
  createRelease,
  createRoot,
  generateKeyPair,
  loadPrivateKey,
  packageDigestOf,
  verifyStatement,
  type PrivateKey,
  type PublicJwk,
} from '../../signing/index.ts';
import {
  assertRefusedCleanly,
  examplesRoot,
  runCli,
  sandbox,
  stderrCode,
  type Sandbox,
} from './cli-run.ts';

const algorithms = ['ed25519', 'ecdsa-p256', 'rsa-pss'] as const;

let box: Sandbox;
before(async () => {
  box = await sandbox();
  for (const name of ['shop', 'places']) {
    const run = await runCli([
      'pack',
      path.join(examplesRoot, name),
      '--out',
      box.at(`${name}.ma`),
    ]);
    assert.equal(run.exitCode, 0, run.stderr);
  }
  // The other partner's key, to be presented instead of the signer's.
  const other = await runCli(['keygen', '--out', box.at('other')]);
  assert.equal(other.exitCode, 0, other.stderr);
});
after(async () => {
  await box.dispose();
});

async function refusal(argv: string[]): Promise<string | undefined> {
  const run = await runCli(argv);
  assertRefusedCleanly(run);
  return stderrCode(run);
}

describe('miniapp keygen, sign and verify (author statements)', () => {
  for (const alg of algorithms) {
    it(`signs and verifies with ${alg}, and refuses every substitution`, async () => {
      const base = box.at(alg);
      const generated = await runCli(['keygen', '--out', base, '--alg', alg]);
      assert.equal(generated.exitCode, 0, generated.stderr);
      // [SIG-007] the private key is readable by its owner only.
      assert.equal((await stat(`${base}.key.pem`)).mode & 0o777, 0o600);
      const pem = await readFile(`${base}.key.pem`, 'utf8');
      const again = await runCli(['keygen', '--out', base, '--alg', alg]);
      assert.equal(again.exitCode, 2);
      assert.equal(stderrCode(again), 'USAGE');
      assert.equal(await readFile(`${base}.key.pem`, 'utf8'), pem, 'an existing key was replaced');

      const shop = box.at('shop.ma');
      const statement = box.at(`shop.${alg}.statement.json`);
      const signed = await runCli(['sign', shop, '--key', `${base}.key.pem`, '--out', statement]);
      assert.equal(signed.exitCode, 0, signed.stderr);
      const publicKey = `${base}.pub.jwk.json`;

      const ok = await runCli(['verify', shop, '--statement', statement, '--key', publicKey]);
      assert.equal(ok.exitCode, 0, ok.stderr);
      const amongOthers = await runCli([
        'verify',
        shop,
        '--statement',
        statement,
        '--key',
        box.at('other.pub.jwk.json'),
        '--key',
        publicKey,
      ]);
      assert.equal(amongOthers.exitCode, 0, amongOthers.stderr);

      assert.equal(
        await refusal([
          'verify',
          shop,
          '--statement',
          statement,
          '--key',
          box.at('other.pub.jwk.json'),
        ]),
        'SIG_UNKNOWN_KEY',
      );

      const original = new Uint8Array(await readFile(shop));
      // A byte no ZIP reader interprets (the spec version in "version made by") leaves a readable
      // archive, so only the digest can catch it [SIG-021].
      const flipped = original.slice();
      const central = Buffer.from(flipped).indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
      assert.ok(central > 0, 'the package has a ZIP central directory');
      flipped[central + 4] = (flipped[central + 4] ?? 0) ^ 0x01;
      const tampered = box.at(`shop.${alg}.flipped.ma`);
      await writeFile(tampered, flipped);
      assert.equal(
        await refusal(['verify', tampered, '--statement', statement, '--key', publicKey]),
        'SIG_DIGEST_MISMATCH',
      );
      // Any other flipped byte is refused too, by the archive reader or by the digest.
      for (const at of [0, 40, Math.floor(original.length / 2), original.length - 10]) {
        const bytes = original.slice();
        bytes[at] = (bytes[at] ?? 0) ^ 0x80;
        await writeFile(tampered, bytes);
        const code = await refusal([
          'verify',
          tampered,
          '--statement',
          statement,
          '--key',
          publicKey,
        ]);
        assert.match(code ?? '', /^(PKG|SIG|MANIFEST)_/, `byte ${at}`);
      }
      const longer = box.at(`shop.${alg}.longer.ma`);
      await writeFile(longer, new Uint8Array([...original, 0]));
      // Bytes after the end record are refused before the statement is even read [PKG-170].
      assert.equal(
        await refusal(['verify', longer, '--statement', statement, '--key', publicKey]),
        'PKG_EXTRA_BYTES',
      );

      // [SIG-021] a statement for shop does not vouch for places.
      assert.equal(
        await refusal([
          'verify',
          box.at('places.ma'),
          '--statement',
          statement,
          '--key',
          publicKey,
        ]),
        'SIG_WRONG_APP',
      );

      const envelope = JSON.parse(await readFile(statement, 'utf8')) as { payload: string };
      const payload = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as {
        versionCode: number;
      };
      payload.versionCode += 1;
      envelope.payload = Buffer.from(JSON.stringify(payload)).toString('base64');
      const forged = box.at(`shop.${alg}.forged.json`);
      await writeFile(forged, JSON.stringify(envelope));
      assert.equal(
        await refusal(['verify', shop, '--statement', forged, '--key', publicKey]),
        'SIG_INVALID_SIGNATURE',
      );
    });
  }
});

async function key(alg: 'Ed25519' | 'ECDSA-P256'): Promise<PrivateKey> {
  return loadPrivateKey((await generateKeyPair(alg)).privateKeyPem);
}

describe('miniapp verify (platform release)', () => {
  it('accepts a release through root, index, bin, delegation, release and statement, and refuses it once expired', async () => {
    const now = new Date();
    const hours = (h: number) => new Date(now.getTime() + h * 3_600_000);
    const rootKeys = [await key('Ed25519'), await key('ECDSA-P256')];
    const delegationKeys = [await key('Ed25519')];
    const releaseKeys = [await key('Ed25519')];
    const indexKeys = [await key('Ed25519')];
    const root = createRoot(
      {
        version: 1,
        expires: hours(24 * 365),
        roles: {
          root: { keys: rootKeys.map((k) => k.publicJwk), threshold: 2 },
          delegation: { keys: delegationKeys.map((k) => k.publicJwk), threshold: 1 },
          release: { keys: releaseKeys.map((k) => k.publicJwk), threshold: 1 },
          index: { keys: indexKeys.map((k) => k.publicJwk), threshold: 1 },
        },
      },
      rootKeys,
    );

    const partner = box.at('platform-partner');
    assert.equal((await runCli(['keygen', '--out', partner])).exitCode, 0);
    const shop = box.at('shop.ma');
    const statementFile = box.at('shop.platform.statement.json');
    assert.equal(
      (await runCli(['sign', shop, '--key', `${partner}.key.pem`, '--out', statementFile]))
        .exitCode,
      0,
    );
    const jwk = JSON.parse(await readFile(`${partner}.pub.jwk.json`, 'utf8')) as PublicJwk;
    const partnerKey = loadPrivateKey(await readFile(`${partner}.key.pem`, 'utf8'));
    const appId = 'dev.openminiapp.examples.shop';
    const verified = verifyStatement(
      new Uint8Array(await readFile(statementFile)),
      { [partnerKey.keyid]: jwk },
      { appId, package: packageDigestOf(new Uint8Array(await readFile(shop))) },
    );
    const delegation = createDelegation(
      { appId, version: 1, issuedAt: hours(-1), keys: [jwk] },
      delegationKeys,
    );
    const release = createRelease(
      {
        statement: verified,
        minHostVersion: '1.0.0',
        permissions: ['payment'],
        issuedAt: hours(-1),
      },
      releaseKeys,
    );
    const bin = createBin(
      {
        prefix: '',
        version: 1,
        issuedAt: hours(-1),
        apps: {
          [appId]: {
            delegation: { version: 1, sha256: delegation.sha256 },
            releases: [
              {
                channel: 'beta',
                versionCode: release.payload.versionCode,
                sha256: release.sha256,
                minHostVersion: '1.0.0',
                rolloutPercent: 100,
                mandatory: false,
                paused: false,
              },
            ],
            revokedReleases: [],
            revokedKeys: [],
          },
        },
      },
      indexKeys,
    );
    const index = createIndex(
      {
        version: 1,
        issuedAt: hours(-1),
        binPrefixLength: 0,
        bins: [{ prefix: '', version: 1, sha256: bin.sha256 }],
      },
      indexKeys,
    );
    const documents = { root, index, bin, delegation, release };
    const files: string[] = [];
    for (const [name, document] of Object.entries(documents)) {
      await writeFile(box.at(`${name}.json`), document.bytes);
      files.push(`--${name}`, box.at(`${name}.json`));
    }
    files.push('--statement', statementFile);
    const platform = [...files, '--channel', 'beta'];

    const ok = await runCli(['verify', shop, ...platform, '--now', now.toISOString()]);
    assert.equal(ok.exitCode, 0, ok.stderr);
    const both = await runCli(['verify', shop, ...platform, '--key', `${partner}.pub.jwk.json`]);
    assert.equal(both.exitCode, 0, both.stderr);
    assert.match(both.stdout, /author statement OK/);
    assert.match(both.stdout, /platform release OK/);

    const later = hours(24 * 365 * 5).toISOString();
    assert.equal(await refusal(['verify', shop, ...platform, '--now', later]), 'SIG_EXPIRED');
    // The bin lists only shop: places cannot ride on its documents.
    assert.equal(
      await refusal(['verify', box.at('places.ma'), ...platform, '--now', now.toISOString()]),
      'SIG_NOT_IN_INDEX',
    );
    assert.equal(await refusal(['verify', shop, ...platform, '--now', 'yesterday']), 'USAGE');
    // [SIG-065] the bin pins the release on beta only; a host following stable must not take it.
    assert.equal(
      await refusal(['verify', shop, ...files, '--now', now.toISOString()]),
      'SIG_NOT_IN_INDEX',
    );
    // [SIG-093] a platform check without the partner statement is a usage error, not a pass.
    assert.equal(await refusal(['verify', shop, ...platform.slice(0, -4)]), 'USAGE');
  });
});
