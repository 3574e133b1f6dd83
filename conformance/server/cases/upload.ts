import { CaseFailure } from '../../framework/index.ts';
import { encodeStandardBase64, utf8 } from '../crypto/byte-encoding.ts';
import { sha256Hex } from '../crypto/digest.ts';
import { pae, payloadTypes } from '../crypto/dsse-envelope.ts';
import { generateSigningKey } from '../crypto/jwk-key.ts';
import { signStatement, statementPayload } from '../inputs/author-statement.ts';
import { bodyOf, expectStatus, serverCase, type ServerTest } from '../server-case.ts';
import { describeExchange, jsonOf, type Exchange } from '../subject/http-exchange.ts';
import { CaseSkip } from '../subject/case-skip.ts';
import type { TestApp, Version } from '../subject/test-world.ts';
import { uploadWithScript } from './review.ts';

const packagePart = (bytes: Uint8Array) => ({
  name: 'package',
  contentType: 'application/miniapp-pkg+zip',
  bytes,
  filename: 'app.ma',
});
const statementPart = (bytes: Uint8Array) => ({
  name: 'statement',
  contentType: 'application/json',
  bytes,
});

/** Fails unless the version does not exist: a refused upload changes nothing. */
export async function expectNoVersion(
  t: ServerTest,
  app: TestApp,
  versionCode: number,
): Promise<void> {
  const exchange = await t.send({
    path: `/v1/partner/apps/${app.appId}/versions/${versionCode}`,
    token: app.partner.token,
  });
  if (exchange.status !== 404) {
    throw new CaseFailure(
      `the refused upload left versionCode ${versionCode} behind: ${describeExchange(exchange)}`,
    );
  }
}

/** Uploads and fails unless it is refused with this status and one of the codes, leaving no version. */
async function expectUploadRefused(
  t: ServerTest,
  app: TestApp,
  versionCode: number,
  exchange: Exchange,
  status: number,
  codes: string[],
): Promise<void> {
  const code = jsonOf<{ code?: string }>(exchange)?.code;
  if (exchange.status !== status || !codes.includes(String(code))) {
    throw new CaseFailure(
      `expected ${status} with ${codes.join(' or ')}, got ${exchange.status} ${String(code ?? '')}`,
      [describeExchange(exchange)],
    );
  }
  await expectNoVersion(t, app, versionCode);
}

export const uploadCases = [
  serverCase({
    id: 'server.upload.new-version',
    description:
      'A new upload is answered 201 with the version, its package digest and length as the suite computed them, its signing key and a review status, then leaves automated checks',
    requirements: ['API-073', 'PKG-090', 'SIG-020', 'SIG-001'],
    why: "The partner's tooling reads the digest and status from this answer; a digest computed over other bytes or a missing status breaks every pipeline.",
    async run(t) {
      const app = await t.world.freshApp(t.scope, 'up');
      const prepared = await t.world.prepareVersion(app, { versionCode: 7 });
      const exchange = await t.world.upload(t.scope, app, prepared);
      const version = bodyOf<Version>(exchange, 201);
      if (!exchange.headers.get('location')) throw new CaseFailure('the 201 has no Location');
      const sha256 = await sha256Hex(prepared.pkg.bytes);
      if (
        version.package.sha256 !== sha256 ||
        version.package.length !== prepared.pkg.bytes.length
      ) {
        throw new CaseFailure(
          `package ${JSON.stringify(version.package)} is not sha256 ${sha256}, length ${prepared.pkg.bytes.length}`,
        );
      }
      if (version.signedBy !== app.partner.key.keyid)
        throw new CaseFailure(`signedBy ${version.signedBy} is not ${app.partner.key.keyid}`);
      const settled = await t.world.settledVersion(t.scope, app, 7);
      if (!['queued', 'approved', 'rejected'].includes(settled.reviewStatus))
        throw new CaseFailure(`review status ${settled.reviewStatus}`);
    },
  }),
  serverCase({
    id: 'server.upload.idempotent-by-digest',
    description:
      'Uploading the same package again answers 200 with the existing version and changes nothing',
    requirements: ['API-072'],
    why: 'CI retries uploads after timeouts; a retry that fails, or that creates a second version, breaks the pipeline or the versionCode order.',
    async run(t) {
      const app = await t.world.freshApp(t.scope, 'idem');
      const prepared = await t.world.prepareVersion(app, { versionCode: 3 });
      expectStatus(await t.world.upload(t.scope, app, prepared), 201);
      const before = bodyOf<{ items: unknown[] }>(
        await t.send({ path: `/v1/partner/apps/${app.appId}/versions`, token: app.partner.token }),
      );
      const again = await t.world.upload(t.scope, app, prepared);
      const version = bodyOf<Version & { uploadedAt: string }>(again, 200);
      const first = bodyOf<Version & { uploadedAt: string }>(
        await t.send({
          path: `/v1/partner/apps/${app.appId}/versions/3`,
          token: app.partner.token,
        }),
      );
      if (
        version.uploadedAt !== first.uploadedAt ||
        version.package.sha256 !== first.package.sha256
      ) {
        throw new CaseFailure(`the repeat answered another version: ${JSON.stringify(version)}`);
      }
      if (version.versionCode !== 3)
        throw new CaseFailure(`the repeat answered versionCode ${version.versionCode}`);
      const after = bodyOf<{ items: unknown[] }>(
        await t.send({ path: `/v1/partner/apps/${app.appId}/versions`, token: app.partner.token }),
      );
      if (after.items.length !== before.items.length)
        throw new CaseFailure(
          `the repeat changed the number of versions from ${before.items.length} to ${after.items.length}`,
        );
    },
  }),
  serverCase({
    id: 'server.upload.version-code-must-increase',
    description:
      'An upload whose versionCode is not greater than every earlier version of the app, a rejected one included, is refused with 409 VERSION_CODE_NOT_INCREASING',
    requirements: ['API-074', 'SIG-022', 'VER-001'],
    why: 'Replaying an old signed statement as a new release is the CodePush weakness; an equal or lower versionCode must never become a version.',
    async run(t) {
      const app = await t.world.freshApp(t.scope, 'inc');
      expectStatus(
        await t.world.upload(t.scope, app, await t.world.prepareVersion(app, { versionCode: 5 })),
        201,
      );
      for (const versionCode of [5, 4, 1]) {
        const prepared = await t.world.prepareVersion(app, {
          versionCode,
          filler: `variant ${versionCode}`,
        });
        const exchange = await t.world.upload(t.scope, app, prepared);
        expectStatus(exchange, 409, 'VERSION_CODE_NOT_INCREASING');
      }
      await expectNoVersion(t, app, 4);
      // [VER-001] a version the automated checks rejected still counts: 6 is below a rejected 7.
      expectStatus(await uploadWithScript(t, app, 7, 'console.log(eval("1 + 1"));\n'), 201);
      const rejected = await t.world.settledVersion(t.scope, app, 7);
      if (rejected.reviewStatus !== 'rejected')
        throw new CaseSkip(
          `a package calling eval ended ${rejected.reviewStatus}; the rest of the case needs a rejected version`,
        );
      expectStatus(
        await t.world.upload(t.scope, app, await t.world.prepareVersion(app, { versionCode: 6 })),
        409,
        'VERSION_CODE_NOT_INCREASING',
      );
    },
  }),
  serverCase({
    id: 'server.upload.statement-first',
    description:
      'An upload whose package part comes before its statement part is refused with 400 API_VALIDATION_FAILED and creates nothing',
    requirements: ['API-069'],
    why: 'The statement must be checked before the package is read; a server that buffers any order reads untrusted bytes first.',
    async run(t) {
      const app = await t.world.freshApp(t.scope, 'order');
      const prepared = await t.world.prepareVersion(app, { versionCode: 1 });
      const exchange = await t.world.uploadParts(t.scope, app.appId, app.partner.token, [
        packagePart(prepared.pkg.bytes),
        statementPart(prepared.statementBytes),
      ]);
      await expectUploadRefused(t, app, 1, exchange, 400, ['API_VALIDATION_FAILED']);
    },
  }),
  serverCase({
    id: 'server.upload.digest-mismatch',
    description:
      'An upload whose statement names another digest of the same length is refused with 422 SIG_DIGEST_MISMATCH before the package is parsed',
    requirements: ['API-071', 'SIG-021', 'PKG-091'],
    why: 'The digest is what the platform countersigns; accepting a package the statement does not name separates what was signed from what is served.',
    async run(t) {
      const app = await t.world.freshApp(t.scope, 'dig');
      const prepared = await t.world.prepareVersion(app, { versionCode: 1 });
      const signed = await signStatement(prepared.statement, [app.partner.key], {
        package: { sha256: '0'.repeat(64), length: prepared.pkg.bytes.length },
      });
      const exchange = await t.world.upload(t.scope, app, {
        pkg: prepared.pkg,
        statementBytes: signed.bytes,
      });
      await expectUploadRefused(t, app, 1, exchange, 422, ['SIG_DIGEST_MISMATCH']);
      // The digest is compared before any ZIP parsing: garbage bytes still give the digest code.
      const garbage = utf8('this is not a zip archive, and its digest is not the announced one');
      const lie = await signStatement(prepared.statement, [app.partner.key], {
        package: { sha256: 'f'.repeat(64), length: garbage.length },
      });
      const second = await t.world.upload(t.scope, app, {
        pkg: { ...prepared.pkg, bytes: garbage },
        statementBytes: lie.bytes,
      });
      await expectUploadRefused(t, app, 1, second, 422, ['SIG_DIGEST_MISMATCH']);
    },
  }),
  serverCase({
    id: 'server.upload.length-mismatch',
    description:
      'An upload shorter than the length its statement announces is refused with 422 SIG_LENGTH_MISMATCH, and a longer one is refused as soon as it passes that length',
    requirements: ['API-071', 'API-070', 'SIG-021', 'PKG-091'],
    why: 'A server must stop at the announced length instead of buffering whatever arrives; a short package must not pass as the signed one.',
    async run(t) {
      const app = await t.world.freshApp(t.scope, 'len');
      const prepared = await t.world.prepareVersion(app, { versionCode: 1 });
      const longer = await signStatement(prepared.statement, [app.partner.key], {
        package: { ...prepared.statement.package, length: prepared.pkg.bytes.length + 10 },
      });
      const short = await t.world.upload(t.scope, app, {
        pkg: prepared.pkg,
        statementBytes: longer.bytes,
      });
      await expectUploadRefused(t, app, 1, short, 422, ['SIG_LENGTH_MISMATCH']);
      const shorter = await signStatement(prepared.statement, [app.partner.key], {
        package: { ...prepared.statement.package, length: prepared.pkg.bytes.length - 10 },
      });
      const long = await t.world.upload(t.scope, app, {
        pkg: prepared.pkg,
        statementBytes: shorter.bytes,
      });
      // [API-071] longer than announced is a length mismatch too; 413 is only for the upload limit.
      await expectUploadRefused(t, app, 1, long, 422, ['SIG_LENGTH_MISMATCH']);
    },
  }),
  serverCase({
    id: 'server.upload.statement-manifest-mismatch',
    description:
      'A statement whose appId, version, versionCode or manifestSha256 differs from the package is refused with 422 SIG_WRONG_APP or SIG_MANIFEST_MISMATCH',
    requirements: ['SIG-021'],
    why: "The statement is the partner's word about which app and version the bytes are; a server that checks only the digest lets one app's signature cover another's manifest.",
    async run(t) {
      const app = await t.world.freshApp(t.scope, 'man');
      const other = await t.world.freshApp(t.scope, 'man');
      const prepared = await t.world.prepareVersion(app, { versionCode: 2 });
      const lies: [Record<string, unknown>, string[]][] = [
        [{ appId: other.appId }, ['SIG_WRONG_APP']],
        [{ version: '9.9.9' }, ['SIG_MANIFEST_MISMATCH']],
        [{ versionCode: 3 }, ['SIG_MANIFEST_MISMATCH']],
        [{ manifestSha256: 'a'.repeat(64) }, ['SIG_MANIFEST_MISMATCH']],
      ];
      for (const [override, codes] of lies) {
        const signed = await signStatement(prepared.statement, [app.partner.key], override);
        const exchange = await t.world.upload(t.scope, app, {
          pkg: prepared.pkg,
          statementBytes: signed.bytes,
        });
        try {
          await expectUploadRefused(t, app, 2, exchange, 422, codes);
        } catch (error) {
          throw new CaseFailure(
            `statement with ${JSON.stringify(override)}: ${(error as Error).message}`,
          );
        }
      }
    },
  }),
  serverCase({
    id: 'server.upload.unknown-or-bad-signature',
    description:
      "A statement signed by an unregistered key, by another partner's key, or with a broken signature is refused with 422 SIG_UNKNOWN_KEY or SIG_INVALID_SIGNATURE",
    requirements: ['SIG-020', 'SIG-013'],
    why: "Only the owning partner's registered keys may vouch for an app; accepting any valid signature lets anyone publish as anyone.",
    async run(t) {
      const app = await t.world.freshApp(t.scope, 'sig');
      const prepared = await t.world.prepareVersion(app, { versionCode: 1 });
      const stranger = await generateSigningKey();
      const byStranger = await signStatement(prepared.statement, [stranger]);
      await expectUploadRefused(
        t,
        app,
        1,
        await t.world.upload(t.scope, app, { pkg: prepared.pkg, statementBytes: byStranger.bytes }),
        422,
        ['SIG_UNKNOWN_KEY'],
      );
      const envelope = JSON.parse(new TextDecoder().decode(prepared.statementBytes)) as {
        signatures: { keyid: string; sig: string }[];
      };
      const sig = Buffer.from(envelope.signatures[0]?.sig ?? '', 'base64');
      sig[5] = (sig[5] ?? 0) ^ 0xff;
      const broken = {
        ...envelope,
        signatures: [{ keyid: envelope.signatures[0]?.keyid ?? '', sig: sig.toString('base64') }],
      };
      const exchange = await t.world.upload(t.scope, app, {
        pkg: prepared.pkg,
        statementBytes: utf8(JSON.stringify(broken)),
      });
      await expectUploadRefused(t, app, 1, exchange, 422, [
        'SIG_INVALID_SIGNATURE',
        'SIG_UNKNOWN_KEY',
      ]);
      if (t.world.principals.complete) {
        const other = await t.world.partner(t.scope, 'b');
        const byOther = await signStatement(prepared.statement, [other.key]);
        await expectUploadRefused(
          t,
          app,
          1,
          await t.world.upload(t.scope, app, { pkg: prepared.pkg, statementBytes: byOther.bytes }),
          422,
          ['SIG_UNKNOWN_KEY'],
        );
      }
    },
  }),
  serverCase({
    id: 'server.upload.threshold-ignores-unknown-signers',
    description:
      "A statement with a signature by an unknown key and one by the partner's key is accepted, and one signed twice by an unknown key is not",
    requirements: ['SIG-013'],
    why: 'Verifiers ignore signatures of keys they do not trust; a server that fails on the first unknown signer, or counts any signer, gets the threshold wrong both ways.',
    async run(t) {
      const app = await t.world.freshApp(t.scope, 'thr');
      const stranger = await generateSigningKey();
      const twice = await t.world.prepareVersion(app, { versionCode: 1 }, [stranger, stranger]);
      await expectUploadRefused(t, app, 1, await t.world.upload(t.scope, app, twice), 422, [
        'SIG_UNKNOWN_KEY',
        'SIG_THRESHOLD_NOT_MET',
      ]);
      const mixed = await t.world.prepareVersion(app, { versionCode: 1 }, [
        stranger,
        app.partner.key,
      ]);
      expectStatus(await t.world.upload(t.scope, app, mixed), 201);
    },
  }),
  serverCase({
    id: 'server.upload.ecdsa-and-rsa-pss-statements',
    description:
      'Statements signed with ECDSA P-256 (P1363 signature) and RSA-PSS 3072 are accepted, and an RSA PKCS#1 v1.5 signature by the same RSA key is refused',
    requirements: ['SIG-002', 'SIG-003', 'SIG-004', 'SIG-011'],
    why: 'Partners keep keys in hardware that offers P-256 or RSA-PSS; a server that verifies only Ed25519 shuts them out, and one that accepts PKCS#1 v1.5 allows a downgrade.',
    timeoutMs: 60_000,
    async run(t) {
      const app = await t.world.freshApp(t.scope, 'alg');
      const ec = await generateSigningKey('P-256');
      await t.world.registerKey(t.scope, app.partner.token, ec);
      expectStatus(
        await t.world.upload(
          t.scope,
          app,
          await t.world.prepareVersion(app, { versionCode: 1 }, [ec]),
        ),
        201,
      );
      const rsa = (await crypto.subtle.generateKey(
        {
          name: 'RSA-PSS',
          modulusLength: 3072,
          publicExponent: new Uint8Array([1, 0, 1]),
          hash: 'SHA-256',
        },
        true,
        ['sign', 'verify'],
      )) as CryptoKeyPair;
      const pub = await crypto.subtle.exportKey('jwk', rsa.publicKey);
      const publicJwk = {
        kty: 'RSA' as const,
        alg: 'PS256' as const,
        n: String(pub.n),
        e: String(pub.e),
      };
      const { jwkThumbprint } = await import('../crypto/jwk-key.ts');
      const keyid = await jwkThumbprint(publicJwk);
      const registered = await t.send({
        method: 'POST',
        path: '/v1/partner/keys',
        token: app.partner.token,
        json: { jwk: publicJwk },
      });
      expectStatus(registered, 201);
      const pss = {
        publicJwk,
        keyid,
        sign: async (m: Uint8Array) =>
          new Uint8Array(
            await crypto.subtle.sign(
              { name: 'RSA-PSS', saltLength: 32 },
              rsa.privateKey,
              new Uint8Array(m),
            ),
          ),
        privateJwk: () => crypto.subtle.exportKey('jwk', rsa.privateKey),
      };
      expectStatus(
        await t.world.upload(
          t.scope,
          app,
          await t.world.prepareVersion(app, { versionCode: 2 }, [pss]),
        ),
        201,
      );
      // The same modulus used for RSASSA-PKCS1-v1_5 must not verify as PS256.
      const pkcs1 = await crypto.subtle.importKey(
        'jwk',
        { ...(await crypto.subtle.exportKey('jwk', rsa.privateKey)), alg: 'RS256' },
        { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
        false,
        ['sign'],
      );
      const prepared = await t.world.prepareVersion(app, { versionCode: 3 });
      const payload = utf8(JSON.stringify(statementPayload(prepared.statement)));
      const sig = new Uint8Array(
        await crypto.subtle.sign(
          'RSASSA-PKCS1-v1_5',
          pkcs1,
          new Uint8Array(pae(payloadTypes.statement, payload)),
        ),
      );
      const envelope = {
        payloadType: payloadTypes.statement,
        payload: encodeStandardBase64(payload),
        signatures: [{ keyid, sig: encodeStandardBase64(sig) }],
      };
      const exchange = await t.world.upload(t.scope, app, {
        pkg: prepared.pkg,
        statementBytes: utf8(JSON.stringify(envelope)),
      });
      await expectUploadRefused(t, app, 3, exchange, 422, [
        'SIG_INVALID_SIGNATURE',
        'SIG_UNSUPPORTED_ALGORITHM',
      ]);
    },
  }),
  serverCase({
    id: 'server.upload.revoked-key',
    description:
      'After a partner key is revoked no upload signed by it is accepted, and versions it signed before stay as they were',
    requirements: ['API-067', 'SIG-020'],
    why: 'Revocation is the answer to a leaked key; a server that keeps accepting it, or that drops earlier versions, fails the partner either way.',
    async run(t) {
      const app = await t.world.freshApp(t.scope, 'rk');
      const key = await generateSigningKey();
      await t.world.registerKey(t.scope, app.partner.token, key);
      expectStatus(
        await t.world.upload(
          t.scope,
          app,
          await t.world.prepareVersion(app, { versionCode: 1 }, [key]),
        ),
        201,
      );
      const before = await t.world.settledVersion(t.scope, app, 1);
      expectStatus(
        await t.send({
          method: 'POST',
          path: `/v1/partner/keys/${key.keyid}/revoke`,
          token: app.partner.token,
        }),
        200,
      );
      const exchange = await t.world.upload(
        t.scope,
        app,
        await t.world.prepareVersion(app, { versionCode: 2 }, [key]),
      );
      await expectUploadRefused(t, app, 2, exchange, 422, ['SIG_UNKNOWN_KEY', 'SIG_REVOKED_KEY']);
      const after = await t.world.settledVersion(t.scope, app, 1);
      if (after.reviewStatus !== before.reviewStatus || after.signedBy !== before.signedBy) {
        throw new CaseFailure(
          `version 1 changed from ${before.reviewStatus} to ${after.reviewStatus} when its key was revoked`,
        );
      }
    },
  }),
  serverCase({
    id: 'server.upload.malformed-envelopes',
    description:
      'Statement envelopes of another payload type, base64url payloads, no signature, unsigned payload bytes, duplicate members, a BOM, fractional seconds or uppercase digests are refused with a 4xx',
    requirements: ['SIG-010', 'SIG-011', 'SIG-012', 'SIG-014', 'SIG-015', 'SIG-016'],
    why: 'Each of these is a parser differential or a type confusion that a lenient verifier lets through, so that the bytes checked and the bytes used differ.',
    async run(t) {
      const app = await t.world.freshApp(t.scope, 'env');
      const prepared = await t.world.prepareVersion(app, { versionCode: 1 });
      const key = app.partner.key;
      const fields = statementPayload(prepared.statement);
      const sign = async (type: string, payload: Uint8Array) =>
        encodeStandardBase64(await key.sign(pae(type, payload)));
      const envelopeOf = async (
        payload: Uint8Array,
        type: string = payloadTypes.statement,
        encode = encodeStandardBase64,
      ) => ({
        payloadType: type,
        payload: encode(payload),
        signatures: [{ keyid: key.keyid, sig: await sign(type, payload) }],
      });
      let text = JSON.stringify(fields);
      // A payload whose base64url form differs from its standard base64 (padding or - and _).
      while (Buffer.from(text).toString('base64url') === Buffer.from(text).toString('base64'))
        text += ' ';
      const json = utf8(text);
      const variants: [string, unknown][] = [
        ['release payload type', await envelopeOf(json, payloadTypes.release)],
        [
          'base64url payload',
          await envelopeOf(json, payloadTypes.statement, (b) =>
            Buffer.from(b).toString('base64url'),
          ),
        ],
        [
          'no signature',
          {
            payloadType: payloadTypes.statement,
            payload: encodeStandardBase64(json),
            signatures: [],
          },
        ],
        [
          're-serialised payload',
          {
            ...(await envelopeOf(json)),
            payload: encodeStandardBase64(utf8(JSON.stringify(fields, null, 1))),
          },
        ],
        [
          'duplicate member',
          await envelopeOf(utf8(JSON.stringify(fields).replace('{', `{"appId":"${app.appId}x",`))),
        ],
        ['byte-order mark', await envelopeOf(new Uint8Array([0xef, 0xbb, 0xbf, ...json]))],
        [
          'fractional seconds',
          await envelopeOf(
            utf8(JSON.stringify({ ...fields, createdAt: fields.createdAt.replace('Z', '.123Z') })),
          ),
        ],
        [
          'uppercase digest',
          await envelopeOf(
            utf8(
              JSON.stringify({
                ...fields,
                package: { ...fields.package, sha256: fields.package.sha256.toUpperCase() },
              }),
            ),
          ),
        ],
      ];
      for (const [name, envelope] of variants) {
        const exchange = await t.world.upload(t.scope, app, {
          pkg: prepared.pkg,
          statementBytes: utf8(JSON.stringify(envelope)),
        });
        if (exchange.status < 400 || exchange.status >= 500) {
          throw new CaseFailure(`${name}: answered ${exchange.status}`, [
            describeExchange(exchange),
          ]);
        }
      }
      await expectNoVersion(t, app, 1);
    },
  }),
];
