import { CaseFailure } from '../framework/index.ts';
import { must } from '../host/host-case.ts';
import { newKey, pooledKey } from '../host/distribution/signed-document.ts';
import { TrustWorld } from '../host/distribution/trust-world.ts';
import { buildProbe, verificationFile } from '../host/probe/probe-package.ts';
import {
  day,
  delegationWith,
  digestOf,
  p384Jwk,
  pkcs1Signature,
  releaseWithPayload,
  scenarioCase,
  signPayload,
  signPayloadText,
  specOf,
  thumbprintOf,
  timestamp,
  weakRsaJwk,
  worldOf,
  type Scenario,
} from './host-trust-scenarios.ts';

const encoder = new TextEncoder();

/** Algorithms, envelopes and payloads (signing.md, "Algorithms and keys" to "Versions of signed payloads"). */
const envelopeScenarios: Scenario[] = [
  {
    name: 'ed25519-chain',
    description: 'A host installs a release whose every document is signed with Ed25519',
    requirements: ['SIG-001'],
    why: 'Ed25519 is one of the three algorithms every verifier must support; a valid chain signed with it installs.',
    expect: 'installed',
    world: () => worldOf('Ed25519'),
    arrange: (s, pkg) => void (s.world.addRelease(pkg.appId, specOf(pkg)), s.world.publish()),
  },
  {
    name: 'ecdsa-p256-chain',
    description:
      'A host installs a release whose every document is signed with ECDSA P-256 (IEEE P1363 signatures)',
    requirements: ['SIG-002'],
    why: 'Hardware keystores sign with P-256; a host that cannot verify r||s signatures refuses valid releases.',
    expect: 'installed',
    world: () => worldOf('ECDSA-P256'),
    arrange: (s, pkg) => void (s.world.addRelease(pkg.appId, specOf(pkg)), s.world.publish()),
  },
  {
    name: 'rsa-pss-chain',
    description:
      'A host installs a release whose every document is signed with RSA-PSS (SHA-256, 32-byte salt, 3072-bit keys)',
    requirements: ['SIG-003'],
    why: 'RSA-PSS is the third algorithm of the closed set; the chain signed with 3072-bit keys installs.',
    expect: 'installed',
    timeoutMs: 180_000,
    world: () => worldOf('RSA-PSS'),
    arrange: (s, pkg) => void (s.world.addRelease(pkg.appId, specOf(pkg)), s.world.publish()),
  },
  {
    name: 'rsa-pkcs1-signature',
    description: 'A host refuses release metadata whose RSA signature uses PKCS#1 v1.5 padding',
    requirements: ['SIG-004'],
    why: 'Only PSS padding is allowed for RSA; accepting PKCS#1 v1.5 re-opens a downgrade to a weaker scheme.',
    timeoutMs: 180_000,
    world: () => worldOf('RSA-PSS'),
    arrange(s, pkg) {
      const keys = s.world.signersOf('release');
      s.world.addRelease(pkg.appId, specOf(pkg), {
        release: (payload) => {
          const bytes = encoder.encode(JSON.stringify(payload));
          const envelope = {
            payloadType: 'application/vnd.openminiapp.release+json',
            payload: Buffer.from(bytes).toString('base64'),
            signatures: keys.map((k) => ({
              keyid: k.keyid,
              sig: pkcs1Signature(k, 'application/vnd.openminiapp.release+json', bytes),
            })),
          };
          const out = encoder.encode(JSON.stringify(envelope));
          return { bytes: out, sha256: digestOf(out), payload };
        },
      });
      s.world.publish();
    },
  },
  {
    name: 'weak-rsa-key-in-root',
    description: 'A host refuses a successor root that gives the release role a 2048-bit RSA key',
    requirements: ['SIG-004', 'SIG-005'],
    why: 'RSA moduli below 3072 bits are outside the closed set; a root that lists one must not become trusted.',
    arrange(s, pkg) {
      const world = s.world;
      const jwk = weakRsaJwk();
      const keyid = thumbprintOf(jwk);
      const payload = world.rootPayload(2, world.roles, new Date(Date.now() + 300 * day));
      (payload['keys'] as Record<string, unknown>)[keyid] = jwk;
      (payload['roles'] as Record<string, { keyids: string[] }>)['release'] = {
        keyids: [keyid],
        threshold: 1,
      } as never;
      world.pushRoot(payload, world.signersOf('root'));
      world.addRelease(pkg.appId, specOf(pkg));
      world.publish();
    },
    async check(s) {
      const state = await s.state();
      if (state.trust.rootVersion !== 1) {
        throw new CaseFailure(
          `the host trusts root ${state.trust.rootVersion} that lists a 2048-bit RSA key`,
        );
      }
    },
  },
  {
    name: 'p384-key-in-delegation',
    description: 'A host refuses a delegation that lists a P-384 key',
    requirements: ['SIG-004', 'SIG-005'],
    why: 'Curves other than Ed25519 and P-256 are refused; a delegation may only bind keys of the closed set.',
    arrange(s, pkg) {
      const app = s.world.app(pkg.appId);
      delegationWith(s, app, (p) => {
        const jwk = p384Jwk();
        (p['keys'] as Record<string, unknown>)[thumbprintOf(jwk)] = jwk;
        return p;
      });
      s.world.addRelease(pkg.appId, specOf(pkg));
      s.world.publish();
    },
  },
  {
    name: 'private-member-in-jwk',
    description: 'A host refuses a delegation whose partner JWK carries the private member d',
    requirements: ['SIG-005'],
    why: 'A JWK with private members is not a public key; a verifier that ignores the member trusts a leaked key.',
    arrange(s, pkg) {
      const app = s.world.app(pkg.appId);
      delegationWith(s, app, (p) => {
        const keys = p['keys'] as Record<string, Record<string, unknown>>;
        for (const id of Object.keys(keys))
          keys[id] = { ...keys[id], d: 'c2VjcmV0LWtleS1tYXRlcmlhbC1ub3QtYS1yZWFsLWtleQ' };
        return p;
      });
      s.world.addRelease(pkg.appId, specOf(pkg));
      s.world.publish();
    },
  },
  {
    name: 'keyid-not-thumbprint',
    description:
      'A host refuses a delegation that lists a partner key under a keyid that is not its thumbprint',
    requirements: ['SIG-006'],
    why: 'Keyids are RFC 7638 thumbprints; a key filed under another id lets two keys pass for one.',
    arrange(s, pkg) {
      const app = s.world.app(pkg.appId);
      const key = app.partnerKeys[0] as NonNullable<(typeof app.partnerKeys)[0]>;
      delegationWith(s, app, (p) => ({ ...p, keys: { ['A'.repeat(43)]: key.publicJwk } }));
      // Everything else agrees with the false keyid: the statement's signature and the release's
      // statement.keyid both name it, so only the thumbprint check can refuse the release.
      s.world.addRelease(
        pkg.appId,
        specOf(pkg, { statementSigners: [{ ...key, keyid: 'A'.repeat(43) }] }),
      );
      s.world.publish();
    },
  },
  {
    name: 'envelope-base64url-payload',
    description:
      'A host refuses release metadata whose envelope payload is base64url without padding',
    requirements: ['SIG-010'],
    why: 'Envelope members are standard base64 with padding; accepting other encodings lets two decoders see different bytes.',
    arrange(s, pkg) {
      s.world.addRelease(pkg.appId, specOf(pkg), {
        release: (payload) => {
          const bytes = encoder.encode(JSON.stringify(payload));
          let text = Buffer.from(bytes).toString('base64url');
          if (text.length % 4 === 0)
            text = Buffer.from(encoder.encode(JSON.stringify(payload) + ' ')).toString('base64url');
          const raw =
            text.length % 4 === 0
              ? bytes
              : encoder.encode(Buffer.from(text, 'base64url').toString('utf8'));
          return signPayloadText('release', raw, s.world.signersOf('release'), payload, {
            payloadText: text,
          });
        },
      });
      s.world.publish();
    },
  },
  {
    name: 'envelope-without-signatures',
    description: 'A host refuses release metadata whose envelope has no signature',
    requirements: ['SIG-010', 'SIG-013'],
    why: 'An envelope carries at least one signature; an empty list must never meet a threshold.',
    arrange(s, pkg) {
      s.world.addRelease(pkg.appId, specOf(pkg), {
        release: (payload) => signPayload('release', payload, []),
      });
      s.world.publish();
    },
  },
  {
    name: 'payload-reserialised',
    description:
      'A host refuses release metadata whose payload bytes differ from the signed bytes while the JSON value is the same',
    requirements: ['SIG-011'],
    why: 'Signatures cover the exact payload bytes; a verifier that re-serialises would accept a payload nobody signed.',
    arrange(s, pkg) {
      s.world.addRelease(pkg.appId, specOf(pkg), {
        release: (payload) => {
          const signed = encoder.encode(JSON.stringify(payload));
          const carried = encoder.encode(JSON.stringify(payload, null, 1));
          return signPayloadText('release', signed, s.world.signersOf('release'), payload, {
            carried,
          });
        },
      });
      s.world.publish();
    },
  },
  {
    name: 'payload-type-mismatch',
    description: 'A host refuses a release envelope whose payloadType is that of a statement',
    requirements: ['SIG-012'],
    why: 'The payload type is checked before the payload is read, so that one kind of signed document cannot stand in for another.',
    arrange(s, pkg) {
      s.world.addRelease(pkg.appId, specOf(pkg), {
        release: (payload) => {
          const bytes = encoder.encode(JSON.stringify(payload));
          return signPayloadText('statement', bytes, s.world.signersOf('release'), payload);
        },
      });
      s.world.publish();
    },
  },
  {
    name: 'threshold-one-key-twice',
    description:
      'A host counts a key once: release metadata signed twice by one of two release keys with threshold 2 is refused',
    requirements: ['SIG-013'],
    why: 'A threshold counts distinct trusted keys; two signatures of one key are one.',
    world: () => TrustWorld.create({ thresholds: { release: { keys: 2, threshold: 2 } } }),
    arrange(s, pkg) {
      const [first] = s.world.roles.release.keys;
      s.world.addRelease(pkg.appId, specOf(pkg), {
        release: (payload) =>
          signPayload('release', payload, [must(first, 'first'), must(first, 'first')]),
      });
      s.world.publish();
    },
  },
  {
    name: 'unknown-signature-ignored',
    description:
      'A host ignores a signature by an unknown key next to a valid one and installs the release',
    requirements: ['SIG-013'],
    why: 'Unknown keys and failing signatures count for nothing but do not spoil the envelope; extra signatures are normal during key rotations.',
    expect: 'installed',
    async arrange(s, pkg) {
      const stranger = await newKey('Ed25519');
      s.world.addRelease(pkg.appId, specOf(pkg), {
        release: (payload) =>
          signPayload('release', payload, [stranger, ...s.world.signersOf('release')]),
      });
      s.world.publish();
    },
  },
  {
    name: 'duplicate-member',
    description: 'A host refuses release metadata whose payload has two members named appId',
    requirements: ['SIG-014'],
    why: 'Parsers disagree on which duplicate wins; the signer and the verifier must never read different values.',
    arrange(s, pkg) {
      s.world.addRelease(pkg.appId, specOf(pkg), {
        release: (payload) => {
          const text = JSON.stringify(payload).replace(
            '"appId":',
            '"appId":"dev.example.other","appId":',
          );
          return signPayloadText('release', text, s.world.signersOf('release'), payload);
        },
      });
      s.world.publish();
    },
  },
  {
    name: 'byte-order-mark',
    description:
      'A host refuses release metadata whose payload starts with a UTF-8 byte-order mark',
    requirements: ['SIG-014'],
    why: 'Payloads are UTF-8 JSON without a byte-order mark; some parsers skip it and some fail, a parser differential.',
    arrange(s, pkg) {
      s.world.addRelease(pkg.appId, specOf(pkg), {
        release: (payload) =>
          signPayloadText(
            'release',
            `\uFEFF${JSON.stringify(payload)}`,
            s.world.signersOf('release'),
            payload,
          ),
      });
      s.world.publish();
    },
  },
  {
    name: 'fractional-second-timestamp',
    description: 'A host refuses release metadata whose issuedAt has fractional seconds',
    requirements: ['SIG-015', 'SIG-014'],
    why: 'Timestamps are RFC 3339 UTC with whole seconds; the payload schema enforces it and a verifier validates before use.',
    arrange: (s, pkg) =>
      releaseWithPayload(s, pkg, (p) => ({
        ...p,
        issuedAt: String(p['issuedAt']).replace('Z', '.500Z'),
      })),
  },
  {
    name: 'uppercase-digest',
    description:
      'A host refuses release metadata whose manifestSha256 is written in uppercase hexadecimal',
    requirements: ['SIG-016'],
    why: 'Digests are 64 lowercase hex digits; a verifier that folds case compares strings two parties wrote differently.',
    arrange(s, pkg) {
      s.world.addRelease(pkg.appId, specOf(pkg), {
        statement: (p) => ({ ...p, manifestSha256: String(p['manifestSha256']).toUpperCase() }),
      });
      s.world.publish();
    },
  },
  {
    name: 'metadata-endless',
    description: 'A host stops reading release metadata that does not end and refuses it',
    requirements: ['SIG-017'],
    why: 'Metadata has a size limit (16 MiB by default); an endless document must not exhaust the host.',
    timeoutMs: 120_000,
    arrange(s, pkg) {
      s.world.addRelease(pkg.appId, specOf(pkg));
      s.world.publish();
      s.server.deliveries.set(TrustWorld.releasePath(pkg.appId, pkg.versionCode), {
        kind: 'append',
        extra: 'endless',
      });
    },
    check(s, _outcome) {
      const request = s.server.requestsTo(TrustWorld.releasePath(probeAppIdOf(s), 1))[0];
      if (request && request.bytesSent > 64 * 1024 * 1024) {
        throw new CaseFailure(`the host read ${request.bytesSent} bytes of one metadata document`);
      }
    },
  },
  {
    name: 'other-major-spec-version',
    description:
      'A host refuses release metadata whose specVersion has another major version, with SIG_UNSUPPORTED_VERSION',
    requirements: ['SIG-075', 'SIG-074'],
    why: 'A 1.x verifier cannot know what a 2.0 document means; it refuses before validating anything else.',
    codes: ['SIG_UNSUPPORTED_VERSION'],
    arrange: (s, pkg) => releaseWithPayload(s, pkg, (p) => ({ ...p, specVersion: '2.0' })),
  },
  {
    name: 'missing-spec-version',
    description: 'A host refuses release metadata without specVersion',
    requirements: ['SIG-074', 'SIG-014'],
    why: 'Every signed payload names the specification version its signer implements.',
    arrange: (s, pkg) =>
      releaseWithPayload(s, pkg, (p) => {
        delete p['specVersion'];
        return p;
      }),
  },
  {
    name: 'unknown-member-same-minor',
    description:
      'A host refuses release metadata of its own minor version that carries an undefined member, with SIG_MALFORMED',
    requirements: ['SIG-076'],
    why: 'A payload of a minor version the verifier knows is validated strictly; an unknown member there is a fault, not an extension.',
    codes: ['SIG_MALFORMED'],
    arrange: (s, pkg) => releaseWithPayload(s, pkg, (p) => ({ ...p, rolloutRegion: 'eu' })),
  },
  {
    name: 'unknown-member-higher-minor',
    description:
      'A host installs release metadata of a higher minor version whose unknown members are not critical',
    requirements: ['SIG-077'],
    why: 'Forward compatibility: a 1.0 verifier ignores members of 1.9 that do not change the meaning, or every new field would break old hosts.',
    expect: 'installed',
    arrange: (s, pkg) =>
      releaseWithPayload(s, pkg, (p) => ({ ...p, specVersion: '1.9', rolloutRegion: 'eu' })),
  },
  {
    name: 'critical-unknown-member',
    description:
      'A host refuses release metadata whose critical array names a member it does not understand, with SIG_UNSUPPORTED_VERSION',
    requirements: ['SIG-078'],
    why: 'critical names members no verifier may ignore; dropping one would silently change what the document means.',
    codes: ['SIG_UNSUPPORTED_VERSION'],
    arrange: (s, pkg) =>
      releaseWithPayload(s, pkg, (p) => ({
        ...p,
        specVersion: '1.9',
        rolloutRegion: 'eu',
        critical: ['/rolloutRegion'],
      })),
  },
  {
    name: 'critical-names-nothing',
    description:
      'A host refuses release metadata whose critical array points at no member, with SIG_MALFORMED',
    requirements: ['SIG-078'],
    why: 'A critical pointer that names nothing is a signer error and must not be taken as understood.',
    codes: ['SIG_MALFORMED'],
    arrange: (s, pkg) =>
      releaseWithPayload(s, pkg, (p) => ({
        ...p,
        specVersion: '1.9',
        critical: ['/absentMember'],
      })),
  },
];

function probeAppIdOf(s: { world: TrustWorld }): string {
  return [...s.world.apps.keys()][0] ?? '';
}

/** Release metadata and packages (signing.md, "Release metadata" and "Package verification"). */
const releaseScenarios: Scenario[] = [
  {
    name: 'release-signed-by-index-key',
    description:
      'A host refuses release metadata signed by a key of the index role instead of the release role',
    requirements: ['SIG-033'],
    why: 'Each role signs only its own documents; an index key must not make releases.',
    arrange(s, pkg) {
      s.world.addRelease(pkg.appId, specOf(pkg), {
        release: (payload) => signPayload('release', payload, s.world.signersOf('index')),
      });
      s.world.publish();
    },
  },
  {
    name: 'release-of-another-app',
    description:
      'A host refuses release metadata of another app served as the app it asked for, with SIG_WRONG_APP',
    requirements: ['SIG-034'],
    why: 'A genuine release of app B must never install as app A; the host compares appId with the app it asked for.',
    codes: ['SIG_WRONG_APP'],
    async arrange(s, pkg) {
      const other = buildProbe({ appId: 'dev.openminiapp.conformance.other' });
      const otherApp = await s.world.addApp(other.appId);
      // One partner key for both apps (common): B's statement verifies under A's delegation and
      // matches B's release, so only the appId check stops B's release, statement and package.
      otherApp.partnerKeys = [...s.world.app(pkg.appId).partnerKeys];
      s.world.delegate(otherApp);
      const foreign = s.world.addRelease(other.appId, specOf(other));
      s.world.addRelease(pkg.appId, specOf(other), {
        statement: () => foreign.statement,
        release: () => foreign.release,
      });
      s.world.publish();
    },
  },
  {
    name: 'rollback-offered-by-server',
    description:
      'A host never installs a release below its installed versionCode, even when the update check offers it',
    requirements: ['SIG-035', 'VER-003'],
    why: 'Rollback protection: an online server (or a thief of its keys) may offer an older signed release with known flaws.',
    expect: 'notInstalled',
    async arrange(s, pkg) {
      s.world.addRelease(pkg.appId, specOf(pkg));
      const second = buildProbe({ versionCode: 2 });
      s.world.addRelease(pkg.appId, specOf(second));
      s.world.publish();
      const first = await s.install(pkg.appId);
      if (first.kind !== 'installed' || first.versionCode !== 2) {
        throw new CaseFailure(
          `versionCode 2 of two installable releases was not installed first: ${JSON.stringify(first)}`,
        );
      }
      s.server.lies.set(pkg.appId, {
        kind: 'update',
        release: must(
          s.world.entryOf(s.world.app(pkg.appId)).releases[0],
          'the release of versionCode 1',
        ),
        mandatory: true,
      });
      s.world.publish();
      return 2;
    },
  },
  {
    name: 'bundle-longer-than-signed',
    description:
      'A host stops reading a bundle at its signed length and refuses one that sends more bytes',
    requirements: ['SIG-040', 'PKG-091'],
    why: 'An endless-data attack sends more than was signed; the host stops at package.length and rejects the surplus.',
    arrange(s, pkg) {
      s.world.addRelease(pkg.appId, specOf(pkg));
      s.world.publish();
      s.server.deliveries.set(TrustWorld.bundlePath(digestOf(pkg.bytes)), {
        kind: 'append',
        extra: new Uint8Array(4096).fill(0x41),
      });
    },
  },
  {
    name: 'bundle-endless',
    description: 'A host stops downloading a bundle stream that goes on past the signed length',
    requirements: ['SIG-040'],
    why: 'A mirror that never stops sending must not fill the device; the host reads at most the signed length.',
    timeoutMs: 120_000,
    arrange(s, pkg) {
      s.world.addRelease(pkg.appId, specOf(pkg));
      s.world.publish();
      s.server.deliveries.set(TrustWorld.bundlePath(digestOf(pkg.bytes)), {
        kind: 'append',
        extra: 'endless',
      });
    },
    check(s) {
      const request = s.server.requestsTo(/^\/v1\/bundles\//)[0];
      const length = s.world.app(probeAppIdOf(s)).releases[0]?.spec.bundle.length ?? 0;
      if (request && request.bytesSent > length + 8 * 1024 * 1024) {
        throw new CaseFailure(
          `the host accepted ${request.bytesSent} bytes of a bundle signed as ${length} bytes`,
        );
      }
    },
  },
  {
    name: 'bundle-tampered',
    description: 'A host refuses a bundle with one byte changed, before opening it',
    requirements: ['SIG-041', 'API-047', 'PKG-091', 'PKG-090'],
    why: 'The signed digest and length bind the exact bytes; a tampered byte anywhere must be caught.',
    arrange(s, pkg) {
      const published = s.world.addRelease(pkg.appId, specOf(pkg));
      const tampered = new Uint8Array(pkg.bytes);
      const at = Math.floor(tampered.length / 2);
      tampered[at] = (tampered[at] ?? 0) ^ 0x01;
      published.served = tampered;
      s.world.publish();
    },
  },
  {
    name: 'bundle-truncated',
    description: 'A host refuses a bundle one byte shorter than its signed length',
    requirements: ['SIG-041', 'PKG-091'],
    why: 'Length and digest are both compared; a short body is not the signed package.',
    arrange(s, pkg) {
      const published = s.world.addRelease(pkg.appId, specOf(pkg));
      published.served = pkg.bytes.subarray(0, pkg.bytes.length - 1);
      s.world.publish();
    },
  },
  {
    name: 'manifest-digest-mismatch',
    description:
      'A host refuses a package whose manifest.json does not hash to the signed manifestSha256',
    requirements: ['SIG-042'],
    why: 'The manifest decides permissions and pages; its bytes are bound separately so a host checks what it will act on.',
    arrange(s, pkg) {
      s.world.addRelease(
        pkg.appId,
        specOf(pkg, { manifestBytes: encoder.encode('{"not":"the manifest"}') }),
      );
      s.world.publish();
    },
  },
  {
    name: 'manifest-version-code-differs',
    description:
      'A host refuses a package whose manifest versionCode differs from the release metadata',
    requirements: ['SIG-042'],
    why: 'The release says which version it is; a package claiming another versionCode must not install under it.',
    arrange(s, pkg) {
      s.world.addRelease(pkg.appId, specOf(pkg, { versionCode: 7, version: pkg.version }));
      s.world.publish();
    },
  },
  {
    name: 'old-release-metadata',
    description:
      'A host installs release metadata issued three years ago while a fresh bin pins it',
    requirements: ['SIG-095'],
    why: 'Release metadata has no expiry; freshness comes from the index, so an old envelope must not freeze a release.',
    expect: 'installed',
    arrange(s, pkg) {
      s.world.addRelease(
        pkg.appId,
        specOf(pkg, { issuedAt: new Date(Date.now() - 3 * 365 * day) }),
      );
      s.world.publish();
    },
  },
  {
    name: 'foreign-root',
    description:
      "A host refuses documents signed by another platform's keys than those of its trusted root",
    requirements: ['SIG-050', 'CNF-027'],
    why: 'The host trusts only what the root of init vouches for; a complete world signed by other keys must be refused.',
    async arrange(s, pkg) {
      const stranger = await TrustWorld.create({ algorithm: 'ECDSA-P256' });
      await stranger.addApp(pkg.appId);
      stranger.addRelease(pkg.appId, specOf(pkg));
      stranger.publish();
      s.server.world = stranger;
    },
  },
];

/** The root and its rotations (signing.md, "Trust root and rotation"). */
function rootChange(
  name: string,
  description: string,
  requirements: string[],
  why: string,
  change: (payload: Record<string, unknown>, world: TrustWorld) => void,
  codes?: string[],
): Scenario {
  return {
    name,
    description,
    requirements,
    why,
    ...(codes ? { codes } : {}),
    arrange(s, pkg) {
      const world = s.world;
      const payload = world.rootPayload(2, world.roles, new Date(Date.now() + 300 * day));
      change(payload, world);
      world.pushRoot(payload, world.signersOf('root'));
      world.addRelease(pkg.appId, specOf(pkg));
      world.publish();
    },
    async check(s) {
      const state = await s.state();
      if (state.trust.rootVersion !== 1) {
        throw new CaseFailure(
          `the host trusts root ${state.trust.rootVersion}, which it must refuse`,
        );
      }
    },
  };
}

const roles = (p: Record<string, unknown>) =>
  p['roles'] as Record<string, { keyids: string[]; threshold: number }>;

const rootScenarios: Scenario[] = [
  rootChange(
    'root-role-without-keys',
    'A host refuses a successor root whose release role lists no keyid',
    ['SIG-051'],
    'A role without keys can never be met, or is met by nothing; either way the root is malformed.',
    (p) => void (roles(p)['release'] = { keyids: [], threshold: 1 }),
  ),
  rootChange(
    'root-threshold-above-keys',
    'A host refuses a successor root whose index threshold exceeds the number of its keys',
    ['SIG-051'],
    'An unreachable threshold locks every index out; a verifier refuses such a root.',
    (p) => void (must(roles(p)['index'], 'roles(p)[index]').threshold = 2),
  ),
  rootChange(
    'root-role-key-not-listed',
    'A host refuses a successor root whose role names a keyid the root does not define',
    ['SIG-051'],
    'Every keyid of a role is a key of the root; a dangling keyid means the role cannot be checked.',
    (p) => void must(roles(p)['release'], 'roles(p)[release]').keyids.push('Z'.repeat(43)),
  ),
  rootChange(
    'root-without-delegation-role',
    'A host refuses a successor root that does not define the delegation role',
    ['SIG-070'],
    'A root defines the four roles; without the delegation role no partner key could be trusted.',
    (p) => {
      const r = roles(p);
      p['roles'] = { root: r['root'], release: r['release'], index: r['index'] };
    },
  ),
  rootChange(
    'root-key-in-two-roles',
    'A host refuses a successor root that lists one key in two roles, with SIG_KEY_REUSED',
    ['SIG-071'],
    'A key in two roles carries the power of both; an online index key must never also be the offline delegation key.',
    (p) => void (roles(p)['delegation'] = { ...must(roles(p)['index'], 'roles(p)[index]') }),
    ['SIG_KEY_REUSED'],
  ),
  {
    name: 'rotation-signed-by-new-keys-only',
    description: 'A host refuses a successor root signed only by its own new root keys',
    requirements: ['SIG-052'],
    why: 'A rotation needs a threshold of the old root keys too; a thief of freshly generated keys alone cannot install a root.',
    async arrange(s, pkg) {
      await s.world.rotate({ replace: ['root'], signers: 'new' });
      s.world.addRelease(pkg.appId, specOf(pkg));
      s.world.publish();
    },
    async check(s) {
      const state = await s.state();
      if (state.trust.rootVersion !== 1)
        throw new CaseFailure(`the host trusts root ${state.trust.rootVersion}`);
    },
  },
  {
    name: 'rotation-signed-by-old-keys-only',
    description: 'A host refuses a successor root signed only by the old root keys',
    requirements: ['SIG-052'],
    why: 'A rotation needs a threshold of the new root keys too; a thief of the old keys alone cannot choose the next root.',
    async arrange(s, pkg) {
      await s.world.rotate({ replace: ['root'], signers: 'old' });
      s.world.addRelease(pkg.appId, specOf(pkg));
      s.world.publish();
    },
    async check(s) {
      const state = await s.state();
      if (state.trust.rootVersion !== 1)
        throw new CaseFailure(`the host trusts root ${state.trust.rootVersion}`);
    },
  },
  {
    name: 'rotation-walked',
    description:
      'A host walks a valid chain of two successor roots that change the root and index keys, and installs',
    requirements: ['SIG-052', 'SIG-053', 'SIG-068'],
    why: 'Platforms rotate keys without shipping a new host; each successor is applied in order, signed by old and new keys.',
    expect: 'installed',
    async arrange(s, pkg) {
      await s.world.rotate({ replace: ['root'] });
      await s.world.rotate({ replace: ['root', 'index', 'release'] });
      s.world.addRelease(pkg.appId, specOf(pkg));
      s.world.publish();
    },
    async check(s) {
      const state = await s.state();
      if (state.trust.rootVersion !== 3) {
        throw new CaseFailure(
          `after walking roots 2 and 3 the host reports root version ${state.trust.rootVersion}`,
        );
      }
    },
  },
  {
    name: 'rotation-skips-a-version',
    description: 'A host refuses a successor of root 1 whose version is 3',
    requirements: ['SIG-053'],
    why: 'Successors are applied one version at a time; skipping one would let a stolen old key set jump ahead.',
    async arrange(s, pkg) {
      const world = s.world;
      const payload = world.rootPayload(3, world.roles, new Date(Date.now() + 300 * day));
      const signed = signPayload('root', payload, world.signersOf('root'));
      world.routes.set('/v1/trust/2.root.json', {
        body: signed.bytes,
        type: 'application/json',
        cache: 'no-cache',
      });
      world.routes.set('/v1/trust/3.root.json', {
        body: signed.bytes,
        type: 'application/json',
        cache: 'no-cache',
      });
      world.roots.push(signed);
      world.addRelease(pkg.appId, specOf(pkg));
      world.publish();
    },
    async check(s) {
      const state = await s.state();
      if (state.trust.rootVersion !== 1)
        throw new CaseFailure(`the host trusts root ${state.trust.rootVersion}`);
    },
  },
  {
    name: 'rotation-limit',
    description:
      'A host applies at most 32 successor roots in one update session and ends it with SIG_ROOT_ROTATION_LIMIT, keeping them',
    requirements: ['SIG-110'],
    why: 'An endless chain of roots must not hold a host forever; a genuine host catches up over two sessions.',
    codes: ['SIG_ROOT_ROTATION_LIMIT'],
    timeoutMs: 180_000,
    async arrange(s, pkg) {
      for (let i = 0; i < 33; i++) await s.world.rotate({ replace: ['root'] });
      s.world.addRelease(pkg.appId, specOf(pkg));
      s.world.publish();
    },
    async check(s) {
      const state = await s.state();
      if (state.trust.rootVersion !== 33) {
        throw new CaseFailure(
          `after one session the host trusts root ${state.trust.rootVersion}, expected 33 (1 + 32 successors)`,
        );
      }
      const second = await s.install(probeAppIdOf(s));
      if (second.kind !== 'installed') {
        throw new CaseFailure(
          `the next session did not apply the last root and install: ${JSON.stringify(second)}`,
        );
      }
    },
  },
  {
    name: 'rotated-root-expired',
    description: 'A host refuses to verify anything against a successor root that has expired',
    requirements: ['SIG-054'],
    why: 'After walking the chain the newest root must be unexpired; an expired root vouches for nothing.',
    async arrange(s, pkg) {
      await s.world.rotate({ replace: ['root'], expires: new Date(Date.now() - day) });
      s.world.addRelease(pkg.appId, specOf(pkg));
      s.world.publish();
    },
  },
  {
    name: 'root-expired-at-host-clock',
    description: 'A host refuses to install when its clock is past the expiry of its trusted root',
    requirements: ['SIG-063', 'SIG-054', 'CNF-029'],
    why: 'Expiry is judged at the time fixed for the session, which setClock sets; an expired root is not trusted.',
    world: () => TrustWorld.create({ rootExpires: new Date(Date.now() + 2 * day) }),
    async arrange(s, pkg) {
      s.world.addRelease(pkg.appId, specOf(pkg));
      s.world.publish();
      await s.command('setClock', { time: timestamp(new Date(Date.now() + 3 * day)) });
    },
  },
  {
    name: 'index-role-rotation-forgets-floor',
    description:
      'A host forgets its highest index version when a new root changes the index keys, and installs under the new index',
    requirements: ['SIG-056'],
    why: 'Recovery from a fast-forwarded index version: the platform rotates the index keys and starts again from a low version.',
    expect: 'installed',
    async arrange(s, pkg) {
      s.world.addRelease(pkg.appId, specOf(pkg));
      s.world.publish({ indexVersion: 1_000_000 });
      const first = await s.install(pkg.appId);
      if (first.kind !== 'installed')
        throw new CaseFailure(`the first install failed: ${JSON.stringify(first)}`);
      await s.world.rotate({ replace: ['index'] });
      s.world.nextIndexVersion = 5;
      const second = buildProbe({ versionCode: 2 });
      s.world.addRelease(pkg.appId, specOf(second));
      s.world.publish({ indexVersion: 5 });
    },
  },
  {
    name: 'index-threshold-change-forgets-floor',
    description:
      'A host forgets its highest index version when a new root changes only the threshold of the index role, and installs under the new index',
    requirements: ['SIG-056'],
    why: 'The platform may recover by raising the index threshold over the same keys; a host that compares only keyids stays locked out by the fast-forwarded version.',
    expect: 'installed',
    world: () => TrustWorld.create({ thresholds: { index: { keys: 2, threshold: 1 } } }),
    async arrange(s, pkg) {
      const world = s.world;
      world.addRelease(pkg.appId, specOf(pkg));
      world.publish({ indexVersion: 1_000_000 });
      const first = await s.install(pkg.appId);
      if (first.kind !== 'installed')
        throw new CaseFailure(`the first install failed: ${JSON.stringify(first)}`);
      // Same index keys, threshold 1 -> 2: the root's own keys sign the successor.
      const next = { ...world.roles, index: { ...world.roles.index, threshold: 2 } };
      world.pushRoot(
        world.rootPayload(world.roots.length + 1, next, new Date(Date.now() + 365 * day)),
        world.signersOf('root'),
      );
      world.roles = next;
      world.nextIndexVersion = 5;
      world.addRelease(pkg.appId, specOf(buildProbe({ versionCode: 2 })));
      world.publish({ indexVersion: 5 });
    },
  },
];

/** The index, bins, freshness and revocation (signing.md). */
const indexScenarios: Scenario[] = [
  {
    name: 'index-rollback',
    description:
      'A host refuses an index whose version is lower than the highest it trusted, with SIG_ROLLBACK',
    requirements: ['SIG-062'],
    why: 'An older index would hide revocations and updates; the host keeps the highest version it trusted.',
    async arrange(s, pkg) {
      s.world.addRelease(pkg.appId, specOf(pkg));
      s.world.publish({ indexVersion: 10 });
      const first = await s.install(pkg.appId);
      if (first.kind !== 'installed')
        throw new CaseFailure(`the first install failed: ${JSON.stringify(first)}`);
      s.world.addRelease(pkg.appId, specOf(buildProbe({ versionCode: 2 })));
      s.world.publish({ indexVersion: 3 });
      return 1;
    },
  },
  {
    name: 'trust-state-survives-restart',
    description:
      'A host keeps its index version and installed versions across a restart and still refuses an older index',
    requirements: ['SIG-068', 'CNF-028'],
    why: 'Trust state persists; a host that forgets it on restart accepts the rollback it refused before.',
    async arrange(s, pkg) {
      s.world.addRelease(pkg.appId, specOf(pkg));
      s.world.publish({ indexVersion: 10 });
      const first = await s.install(pkg.appId);
      if (first.kind !== 'installed')
        throw new CaseFailure(`the first install failed: ${JSON.stringify(first)}`);
      await s.driver.restart();
      const state = await s.state();
      if (state.trust.indexVersion !== 10 || !state.apps.some((a) => a.appId === pkg.appId)) {
        throw new CaseFailure(
          `after restart the host reports index ${state.trust.indexVersion} and apps ${JSON.stringify(state.apps)}`,
        );
      }
      s.world.addRelease(pkg.appId, specOf(buildProbe({ versionCode: 2 })));
      s.world.publish({ indexVersion: 3 });
      return 1;
    },
  },
  {
    name: 'index-expired',
    description:
      'A host refuses an index whose expiry has passed at the time set with setClock, with SIG_EXPIRED',
    requirements: ['SIG-063', 'SIG-064', 'CNF-029'],
    why: 'Freeze attacks replay a stale index; the host fixes the time once per session and refuses expired indexes.',
    async arrange(s, pkg) {
      s.world.addRelease(pkg.appId, specOf(pkg));
      s.world.publish({ indexExpires: new Date(Date.now() + 60 * 60 * 1000) });
      await s.command('setClock', { time: timestamp(new Date(Date.now() + 2 * 60 * 60 * 1000)) });
    },
  },
  {
    name: 'no-index',
    description: 'A host installs nothing when the index cannot be fetched',
    requirements: ['SIG-064'],
    why: 'Without a verified, unexpired index nothing may be installed: the index is what makes everything else fresh.',
    expect: 'notInstalled',
    arrange(s, pkg) {
      s.world.addRelease(pkg.appId, specOf(pkg));
      s.world.publish();
      s.server.deliveries.set('/v1/trust/index.json', {
        kind: 'status',
        status: 404,
        code: 'API_NOT_FOUND',
      });
    },
  },
  {
    name: 'release-not-pinned',
    description: 'A host refuses release metadata whose digest the bin does not pin',
    requirements: ['SIG-065'],
    why: 'Mix-and-match: a genuine but unpinned release (of another moment) must not install.',
    arrange(s, pkg) {
      const published = s.world.addRelease(pkg.appId, specOf(pkg));
      s.world.publish({
        binPayload: (prefix, p) => {
          const entry = (p['apps'] as Record<string, { releases: { sha256: string }[] }>)[
            pkg.appId
          ];
          if (entry)
            for (const r of entry.releases)
              r.sha256 = digestOf(encoder.encode(published.release.sha256));
          return p;
        },
      });
    },
  },
  {
    name: 'release-only-on-beta',
    description:
      'A host that follows stable does not install a release that the bin lists only on beta',
    requirements: ['SIG-065'],
    why: 'A bin binds a release to a channel; a beta build must not reach stable hosts.',
    expect: 'notInstalled',
    arrange(s, pkg) {
      s.world.addRelease(pkg.appId, specOf(pkg, { channel: 'beta' }));
      s.world.publish();
    },
  },
  {
    name: 'pin-min-host-version-differs',
    description:
      'A host refuses release metadata whose minHostVersion differs from its pin in the bin',
    requirements: ['SIG-065'],
    why: 'The bin and the envelope must agree on minHostVersion, or updates are decided on one value and installed on another.',
    arrange(s, pkg) {
      s.world.addRelease(pkg.appId, specOf(pkg));
      s.world.publish({
        binPayload: (prefix, p) => {
          const entry = (p['apps'] as Record<string, { releases: { minHostVersion: string }[] }>)[
            pkg.appId
          ];
          if (entry) for (const r of entry.releases) r.minHostVersion = '1.0.1';
          return p;
        },
      });
    },
  },
  {
    name: 'revoked-release',
    description: 'A host refuses release metadata whose envelope digest the bin lists as revoked',
    requirements: ['SIG-066'],
    why: 'Revocation reaches hosts through the bin; a revoked release must not install even when something still offers it.',
    arrange(s, pkg) {
      const published = s.world.addRelease(pkg.appId, specOf(pkg));
      s.world.app(pkg.appId).revokedReleases.push(published.release.sha256);
      s.world.publish();
    },
  },
  {
    name: 'revoked-partner-key',
    description: 'A host refuses release metadata whose statement key the bin lists as revoked',
    requirements: ['SIG-067'],
    why: 'A partner who reports a stolen key revokes it; releases naming it must stop installing at once.',
    arrange(s, pkg) {
      s.world.addRelease(pkg.appId, specOf(pkg));
      const app = s.world.app(pkg.appId);
      app.revokedKeys.push(must(app.partnerKeys[0], 'app.partnerKeys[0]').keyid);
      s.world.publish();
    },
  },
  {
    name: 'index-incomplete-cover',
    description: 'A host refuses an index whose bins leave out one prefix, with SIG_MALFORMED',
    requirements: ['SIG-100'],
    why: 'A complete cover means no bin can be hidden from a host.',
    codes: ['SIG_MALFORMED'],
    arrange(s, pkg) {
      s.world.addRelease(pkg.appId, specOf(pkg));
      const own = s.world.binPrefixOf(pkg.appId);
      s.world.publish({
        indexPayload: (p) => ({
          ...p,
          bins: (p['bins'] as { prefix: string }[]).filter(
            (b) => b.prefix === own || b.prefix !== (own === '0' ? '1' : '0'),
          ),
        }),
      });
    },
  },
  {
    name: 'index-prefix-length-five',
    description: 'A host refuses an index whose binPrefixLength is 5, with SIG_MALFORMED',
    requirements: ['SIG-100'],
    why: 'binPrefixLength is 0 to 4; a longer one is malformed (and would need a million bins).',
    codes: ['SIG_MALFORMED'],
    arrange(s, pkg) {
      s.world.addRelease(pkg.appId, specOf(pkg));
      s.world.publish({ indexPayload: (p) => ({ ...p, binPrefixLength: 5 }) });
    },
  },
  {
    name: 'bin-lists-foreign-app',
    description: 'A host refuses a bin that lists an app of another prefix, with SIG_MALFORMED',
    requirements: ['SIG-101'],
    why: 'A bin lists only its own prefix; an app planted in the wrong bin is a mix-and-match.',
    codes: ['SIG_MALFORMED'],
    async arrange(s, pkg) {
      s.world.addRelease(pkg.appId, specOf(pkg));
      const own = s.world.binPrefixOf(pkg.appId);
      let foreign = '';
      for (let i = 0; i < 200 && !foreign; i++) {
        const id = `dev.openminiapp.conformance.stranger${i}`;
        if (s.world.binPrefixOf(id) !== own) foreign = id;
      }
      const entry = s.world.entryOf(s.world.app(pkg.appId));
      s.world.publish({
        binPayload: (prefix, p) =>
          prefix === own ? { ...p, apps: { ...(p['apps'] as object), [foreign]: entry } } : p,
      });
    },
  },
  {
    name: 'bin-signed-by-release-key',
    description: 'A host refuses a bin signed by a release key instead of the index role',
    requirements: ['SIG-101'],
    why: 'Bins are signed by the index role; a release key must not publish what hosts may install.',
    arrange(s, pkg) {
      s.world.addRelease(pkg.appId, specOf(pkg));
      s.world.publish({ binSigners: s.world.signersOf('release') });
    },
  },
  {
    name: 'bin-digest-not-pinned',
    description:
      'A host refuses a bin whose envelope bytes do not hash to the index pin, with SIG_DIGEST_MISMATCH',
    requirements: ['SIG-102'],
    why: 'The index pins each bin by digest; a differently signed bin of the same version is a mix-and-match.',
    codes: ['SIG_DIGEST_MISMATCH'],
    arrange(s, pkg) {
      s.world.addRelease(pkg.appId, specOf(pkg));
      const own = s.world.binPrefixOf(pkg.appId);
      s.world.publish({
        binBytes: (prefix, signed) =>
          prefix === own
            ? signPayload(
                'bin',
                { ...signed.payload, issuedAt: timestamp(new Date(Date.now() - 3_600_000)) },
                s.world.signersOf('index'),
              ).bytes
            : signed.bytes,
      });
    },
  },
  {
    name: 'bin-version-not-pinned',
    description:
      'A host refuses a bin whose version differs from its pin in the index, with SIG_NOT_IN_INDEX',
    requirements: ['SIG-102'],
    why: 'Digest and version are both pinned; a bin must be the very snapshot the index names.',
    codes: ['SIG_NOT_IN_INDEX'],
    arrange(s, pkg) {
      s.world.addRelease(pkg.appId, specOf(pkg));
      const own = s.world.binPrefixOf(pkg.appId);
      s.world.publish({
        binPayload: (prefix, p) =>
          prefix === own ? { ...p, version: Number(p['version']) + 41 } : p,
        indexPayload: (p) => ({
          ...p,
          bins: (p['bins'] as { prefix: string; version: number }[]).map((b) =>
            b.prefix === own ? { ...b, version: b.version - 41 } : b,
          ),
        }),
      });
      const pin = (
        s.world.current?.index.payload['bins'] as { prefix: string; version: number }[]
      ).find((b) => b.prefix === own);
      const bin = s.world.current?.bins.get(own);
      if (pin && bin) {
        s.world.routes.set(`/v1/trust/bins/${own}/${pin.version}.bin.json`, {
          body: bin.bytes,
          type: 'application/json',
          cache: 'public, max-age=31536000, immutable',
        });
      }
    },
  },
  {
    name: 'app-only-in-foreign-bin',
    description:
      'A host treats an app that its own bin does not list as having no installable release',
    requirements: ['SIG-107'],
    why: 'Apps are looked up only in the bin of their prefix; an entry elsewhere is not an entry.',
    expect: 'notInstalled',
    arrange(s, pkg) {
      s.world.addRelease(pkg.appId, specOf(pkg));
      const own = s.world.binPrefixOf(pkg.appId);
      const entry = s.world.entryOf(s.world.app(pkg.appId));
      const other = own === '0' ? '1' : '0';
      s.world.publish({
        binPayload: (prefix, p) => {
          const apps = Object.fromEntries(
            Object.entries(p['apps'] as Record<string, unknown>).filter(
              ([id]) => prefix !== own || id !== pkg.appId,
            ),
          );
          if (prefix === other) apps[pkg.appId] = entry;
          return { ...p, apps };
        },
      });
    },
  },
  {
    name: 'slow-metadata',
    description:
      'A host aborts a metadata download that has not completed 30 seconds after the request, with SIG_SLOW_RETRIEVAL',
    requirements: ['SIG-111'],
    why: 'A mirror sending one byte a minute must not hold a host for ever; metadata downloads have a 30 s deadline.',
    codes: ['SIG_SLOW_RETRIEVAL'],
    timeoutMs: 120_000,
    arrange(s, pkg) {
      s.world.addRelease(pkg.appId, specOf(pkg));
      s.world.publish();
      s.server.deliveries.set('/v1/trust/index.json', { kind: 'rate', bytesPerSecond: 10 });
    },
    check(s) {
      const request = s.server.requestsTo('/v1/trust/index.json').find((r) => r.aborted);
      if (!request) throw new CaseFailure('the host never closed the slow index download');
      const took = (request.endedAt ?? Date.now()) - request.startedAt;
      if (took > 45_000)
        throw new CaseFailure(
          `the host closed the slow index download after ${took} ms (limit 30 s)`,
        );
    },
  },
  {
    name: 'slow-bundle',
    description:
      'A host aborts a bundle download that delivers fewer than 163,840 bytes in 10 seconds, with SIG_SLOW_RETRIEVAL',
    requirements: ['SIG-112'],
    why: 'Bundles have a minimum rate (16 KiB/s over any 10 s from 10 s on) so that a slow mirror cannot stall an install.',
    codes: ['SIG_SLOW_RETRIEVAL'],
    timeoutMs: 120_000,
    probe: { extraFiles: { 'data/filler.bin': verificationFile('data/filler.bin', 600 * 1024) } },
    arrange(s, pkg) {
      s.world.addRelease(pkg.appId, specOf(pkg));
      s.world.publish();
      s.server.deliveries.set(TrustWorld.bundlePath(digestOf(pkg.bytes)), {
        kind: 'rate',
        bytesPerSecond: 4 * 1024,
      });
    },
    check(s) {
      const request = s.server.requestsTo(/^\/v1\/bundles\//).find((r) => r.aborted);
      if (!request) throw new CaseFailure('the host never closed the slow bundle download');
      const took = (request.endedAt ?? Date.now()) - request.startedAt;
      if (took > 35_000)
        throw new CaseFailure(`the host closed the slow bundle download after ${took} ms`);
    },
  },
];

/** Delegations and statements (signing.md, "Delegations" and "The partner statement"). */
const delegationScenarios: Scenario[] = [
  {
    name: 'delegation-signed-by-release-key',
    description:
      'A host refuses a delegation signed by a release key instead of the delegation role',
    requirements: ['SIG-080'],
    why: 'Only the offline delegation role binds partner keys to an app; a compromised server holds the release key.',
    arrange(s, pkg) {
      const app = s.world.app(pkg.appId);
      delegationWith(s, app, (p) => p, s.world.signersOf('release'));
      s.world.addRelease(pkg.appId, specOf(pkg));
      s.world.publish();
    },
  },
  {
    name: 'delegation-threshold-above-keys',
    description: 'A host refuses a delegation whose threshold exceeds its number of keys',
    requirements: ['SIG-081'],
    why: 'A delegation lists at least one key and a reachable threshold.',
    arrange(s, pkg) {
      delegationWith(s, s.world.app(pkg.appId), (p) => ({ ...p, threshold: 2 }));
      s.world.addRelease(pkg.appId, specOf(pkg));
      s.world.publish();
    },
  },
  {
    name: 'delegation-lists-root-key',
    description:
      'A host refuses a delegation that delegates a key of its trusted root, with SIG_KEY_REUSED',
    requirements: ['SIG-081'],
    why: 'A partner key may serve no platform role; a platform key delegated to an app carries two powers.',
    codes: ['SIG_KEY_REUSED'],
    arrange(s, pkg) {
      const app = s.world.app(pkg.appId);
      const platformKey = must(s.world.roles.index.keys[0], 's.world.roles.index.keys[0]');
      app.partnerKeys = [platformKey];
      s.world.delegate(app);
      s.world.addRelease(pkg.appId, specOf(pkg));
      s.world.publish();
    },
  },
  {
    name: 'delegation-lifetime-too-long',
    description: 'A host refuses a delegation that expires more than 400 days after it was issued',
    requirements: ['SIG-083'],
    why: 'The 400-day bound limits how long a captured delegation can be replayed.',
    arrange(s, pkg) {
      const issuedAt = new Date(Date.now() - 60_000);
      delegationWith(s, s.world.app(pkg.appId), (p) => ({
        ...p,
        issuedAt: timestamp(issuedAt),
        expires: timestamp(new Date(issuedAt.getTime() + 401 * day)),
      }));
      s.world.addRelease(pkg.appId, specOf(pkg));
      s.world.publish();
    },
  },
  {
    name: 'delegation-digest-not-pinned',
    description:
      'A host refuses a delegation whose envelope bytes do not hash to the bin pin, with SIG_DIGEST_MISMATCH',
    requirements: ['SIG-085'],
    why: 'The bin pins the delegation by digest; another envelope of the same version is not the one the platform published.',
    codes: ['SIG_DIGEST_MISMATCH'],
    arrange(s, pkg) {
      const app = s.world.app(pkg.appId);
      const pinned = must(app.delegations[0], 'app.delegations[0]');
      const other = signPayload(
        'delegation',
        { ...pinned.payload, issuedAt: timestamp(new Date(Date.now() - 120_000)) },
        s.world.signersOf('delegation'),
      );
      s.world.routes.set(`/v1/delegations/${app.appId}/1.delegation.json`, {
        body: other.bytes,
        type: 'application/json',
        cache: 'public, max-age=31536000, immutable',
      });
      s.world.addRelease(pkg.appId, specOf(pkg));
      s.world.publish();
      s.world.routes.set(`/v1/delegations/${app.appId}/1.delegation.json`, {
        body: other.bytes,
        type: 'application/json',
        cache: 'public, max-age=31536000, immutable',
      });
    },
  },
  {
    name: 'delegation-version-not-pinned',
    description:
      'A host refuses a delegation whose version differs from its bin pin, with SIG_NOT_IN_INDEX',
    requirements: ['SIG-085'],
    why: 'Version and digest are both pinned; the delegation must be the version the bin names.',
    codes: ['SIG_NOT_IN_INDEX'],
    arrange(s, pkg) {
      const app = s.world.app(pkg.appId);
      const wrong = signPayload(
        'delegation',
        { ...must(app.delegations[0], 'app.delegations[0]').payload, version: 2 },
        s.world.signersOf('delegation'),
      );
      app.pinnedDelegation = { ...wrong, payload: { ...wrong.payload, version: 1 } };
      s.world.routes.set(`/v1/delegations/${app.appId}/1.delegation.json`, {
        body: wrong.bytes,
        type: 'application/json',
        cache: 'public, max-age=31536000, immutable',
      });
      s.world.addRelease(pkg.appId, specOf(pkg));
      s.world.publish();
    },
  },
  {
    name: 'delegation-of-another-app',
    description:
      'A host refuses a delegation of another app pinned for the app it installs, with SIG_WRONG_APP',
    requirements: ['SIG-085'],
    why: "A delegation binds keys to one app; app B's keys must never sign for app A.",
    codes: ['SIG_WRONG_APP'],
    arrange(s, pkg) {
      const app = s.world.app(pkg.appId);
      delegationWith(s, app, (p) => ({ ...p, appId: 'dev.openminiapp.conformance.other' }));
      s.world.addRelease(pkg.appId, specOf(pkg));
      s.world.publish();
    },
  },
  {
    name: 'delegation-rollback',
    description:
      'A host refuses a delegation older than the one it trusts for the app, with SIG_ROLLBACK',
    requirements: ['SIG-086'],
    why: 'Replaying an old delegation would re-enable a partner key that was removed.',
    codes: ['SIG_ROLLBACK'],
    async arrange(s, pkg) {
      const app = s.world.app(pkg.appId);
      const first = must(app.delegations[0], 'app.delegations[0]');
      s.world.delegate(app);
      s.world.addRelease(pkg.appId, specOf(pkg));
      s.world.publish();
      const installed = await s.install(pkg.appId);
      if (installed.kind !== 'installed')
        throw new CaseFailure(`the first install failed: ${JSON.stringify(installed)}`);
      app.pinnedDelegation = first;
      s.world.addRelease(pkg.appId, specOf(buildProbe({ versionCode: 2 })));
      s.world.publish();
      return 1;
    },
  },
  {
    name: 'delegation-expired',
    description: 'A host refuses a delegation whose expiry has passed, with SIG_EXPIRED',
    requirements: ['SIG-087', 'SIG-063'],
    why: 'An expired delegation no longer vouches for partner keys; the platform must re-sign it.',
    codes: ['SIG_EXPIRED'],
    arrange(s, pkg) {
      const issuedAt = new Date(Date.now() - 100 * day);
      delegationWith(s, s.world.app(pkg.appId), (p) => ({
        ...p,
        issuedAt: timestamp(issuedAt),
        expires: timestamp(new Date(Date.now() - day)),
      }));
      s.world.addRelease(pkg.appId, specOf(pkg));
      s.world.publish();
    },
  },
  {
    name: 'delegation-expired-at-session-time',
    description:
      'A host refuses a delegation that the wall clock still finds valid but whose expiry has passed at the time set with setClock, with SIG_EXPIRED',
    requirements: ['SIG-087', 'SIG-063'],
    why: 'Expiry is judged at the time fixed for the update session; a host that reads another clock for one document trusts an expired delegation.',
    codes: ['SIG_EXPIRED'],
    async arrange(s, pkg) {
      delegationWith(s, s.world.app(pkg.appId), (p) => ({
        ...p,
        issuedAt: timestamp(new Date(Date.now() - 100 * day)),
        expires: timestamp(new Date(Date.now() + 2 * 60 * 60 * 1000)),
      }));
      s.world.addRelease(pkg.appId, specOf(pkg));
      s.world.publish();
      // Before the index (12 hours) and the root expire: only the delegation has expired then.
      await s.command('setClock', { time: timestamp(new Date(Date.now() + 3 * 60 * 60 * 1000)) });
    },
  },
  {
    name: 'fast-forward-recovery',
    description:
      'A host forgets the versionCode floor of an app when a new delegation drops the key that signed a huge versionCode',
    requirements: ['SIG-088'],
    why: 'Recovery from a stolen partner key that signed versionCode 2,000,000,000: a delegation without that key resets the floor.',
    expect: 'installed',
    async arrange(s, pkg) {
      const app = s.world.app(pkg.appId);
      const stolen = buildProbe({ versionCode: 2_000_000_000 });
      s.world.addRelease(pkg.appId, specOf(stolen));
      s.world.publish();
      const first = await s.install(pkg.appId);
      if (first.kind !== 'installed')
        throw new CaseFailure(`the first install failed: ${JSON.stringify(first)}`);
      app.partnerKeys = [await pooledKey(s.world.algorithm, 'partner-recovery')];
      s.world.delegate(app);
      for (const r of app.releases) r.listed = false;
      s.world.addRelease(pkg.appId, specOf(buildProbe({ versionCode: 2 })));
      s.world.publish();
    },
    check(_s, outcome) {
      if (outcome.versionCode !== 2)
        throw new CaseFailure(`installed ${outcome.versionCode}, expected 2`);
    },
  },
  {
    name: 'threshold-raise-forgets-floor',
    description:
      'A host forgets the versionCode floor of an app when a new delegation raises the threshold over the same keys',
    requirements: ['SIG-088'],
    why: 'Recovery when the partner keeps its keys but requires two signatures: the stolen key alone signed versionCode 2,000,000,000, and that floor must go with the lower threshold.',
    expect: 'installed',
    async arrange(s, pkg) {
      const app = s.world.app(pkg.appId);
      app.partnerKeys = [
        must(app.partnerKeys[0], 'app.partnerKeys[0]'),
        await pooledKey(s.world.algorithm, 'partner-second'),
      ];
      s.world.delegate(app);
      s.world.addRelease(pkg.appId, specOf(buildProbe({ versionCode: 2_000_000_000 })));
      s.world.publish();
      const first = await s.install(pkg.appId);
      if (first.kind !== 'installed')
        throw new CaseFailure(`the first install failed: ${JSON.stringify(first)}`);
      app.threshold = 2;
      s.world.delegate(app);
      for (const r of app.releases) r.listed = false;
      s.world.addRelease(pkg.appId, specOf(buildProbe({ versionCode: 2 })));
      s.world.publish();
    },
    check(_s, outcome) {
      if (outcome.versionCode !== 2)
        throw new CaseFailure(`installed ${outcome.versionCode}, expected 2`);
    },
  },
  {
    name: 'statement-digest-mismatch',
    description:
      "A host refuses a statement whose bytes do not hash to the release's statement.sha256, with SIG_DIGEST_MISMATCH",
    requirements: ['SIG-090'],
    why: 'The platform signature names the exact statement; another validly signed statement is not the one reviewed.',
    codes: ['SIG_DIGEST_MISMATCH'],
    arrange(s, pkg) {
      const published = s.world.addRelease(pkg.appId, specOf(pkg));
      const app = s.world.app(pkg.appId);
      published.statement = signPayload(
        'statement',
        { ...published.statement.payload, createdAt: timestamp(new Date(Date.now() - 3_600_000)) },
        app.partnerKeys,
      );
      s.world.publish();
    },
  },
  {
    name: 'statement-by-undelegated-key',
    description:
      "A host refuses a statement signed by a key that the app's delegation does not list",
    requirements: ['SIG-091', 'SIG-089'],
    why: 'A compromised server can sign release metadata but not a statement under a delegated key; this check is what stops it.',
    async arrange(s, pkg) {
      const outsider = await pooledKey(s.world.algorithm, 'outsider');
      s.world.addRelease(pkg.appId, specOf(pkg, { statementSigners: [outsider] }));
      s.world.publish();
    },
  },
  {
    name: 'statement-below-threshold',
    description: 'A host refuses a statement signed by one key when the delegation requires two',
    requirements: ['SIG-091'],
    why: "The delegation's threshold applies to statements; one partner key alone is not enough.",
    async arrange(s, pkg) {
      const app = s.world.app(pkg.appId);
      app.partnerKeys = [
        must(app.partnerKeys[0], 'app.partnerKeys[0]'),
        await pooledKey(s.world.algorithm, 'partner-second'),
      ];
      app.threshold = 2;
      s.world.delegate(app);
      s.world.addRelease(
        pkg.appId,
        specOf(pkg, { statementSigners: [must(app.partnerKeys[0], 'app.partnerKeys[0]')] }),
      );
      s.world.publish();
    },
  },
  {
    name: 'release-names-other-signer',
    description:
      'A host refuses a release whose statement.keyid names a delegated key that did not sign the statement',
    requirements: ['SIG-091'],
    why: 'The platform vouches for which partner key signed; a mismatch means the two signatures disagree.',
    async arrange(s, pkg) {
      const app = s.world.app(pkg.appId);
      const second = await pooledKey(s.world.algorithm, 'partner-second');
      app.partnerKeys = [must(app.partnerKeys[0], 'app.partnerKeys[0]'), second];
      s.world.delegate(app);
      s.world.addRelease(
        pkg.appId,
        specOf(pkg, { statementSigners: [must(app.partnerKeys[0], 'app.partnerKeys[0]')] }),
        {
          release: (p) => ({
            ...p,
            statement: { ...(p['statement'] as object), keyid: second.keyid },
          }),
        },
      );
      s.world.publish();
    },
  },
  {
    name: 'statement-version-code-differs',
    description: 'A host refuses a statement whose versionCode differs from the release metadata',
    requirements: ['SIG-092'],
    why: 'The partner signed one version; the platform must not relabel it.',
    arrange(s, pkg) {
      s.world.addRelease(pkg.appId, specOf(pkg), {
        statement: (p) => ({ ...p, versionCode: 2 }),
        release: (p) => ({ ...p, versionCode: 1 }),
      });
      s.world.publish();
      return undefined;
    },
  },
  {
    name: 'statement-manifest-digest-differs',
    description:
      "A host refuses a statement whose manifestSha256 differs from the release metadata, with SIG_MANIFEST_MISMATCH, even when the package's manifest matches the release",
    requirements: ['SIG-092'],
    why: 'The partner signed one manifest; release metadata naming another must not install under that statement, though the package agrees with the release.',
    codes: ['SIG_MANIFEST_MISMATCH'],
    arrange(s, pkg) {
      const spec = specOf(pkg);
      s.world.addRelease(pkg.appId, spec, {
        statement: (p) => ({ ...p, manifestSha256: digestOf(encoder.encode('another manifest')) }),
        release: (p) => ({ ...p, manifestSha256: digestOf(spec.manifestBytes) }),
      });
      s.world.publish();
    },
  },
  {
    name: 'statement-version-differs',
    description:
      "A host refuses a statement whose version differs from the release metadata, with SIG_MANIFEST_MISMATCH, even when the package's manifest matches the release",
    requirements: ['SIG-092'],
    why: 'The version string is what users see and what the partner signed; release metadata must not relabel it, though versionCode and package agree.',
    codes: ['SIG_MANIFEST_MISMATCH'],
    arrange(s, pkg) {
      s.world.addRelease(pkg.appId, specOf(pkg), {
        statement: (p) => ({ ...p, version: '9.9.9' }),
        release: (p) => ({ ...p, version: pkg.version }),
      });
      s.world.publish();
    },
  },
  {
    name: 'statement-of-another-app',
    description:
      'A host refuses a statement whose appId differs from the release metadata, with SIG_WRONG_APP',
    requirements: ['SIG-092'],
    why: "A partner's statement for app B must not vouch for app A.",
    codes: ['SIG_WRONG_APP'],
    arrange(s, pkg) {
      s.world.addRelease(pkg.appId, specOf(pkg), {
        statement: (p) => ({ ...p, appId: 'dev.openminiapp.conformance.other' }),
        release: (p) => ({ ...p, appId: pkg.appId }),
      });
      s.world.publish();
    },
  },
  {
    name: 'statement-length-differs',
    description:
      'A host refuses a statement whose package length differs from the release metadata, with SIG_LENGTH_MISMATCH',
    requirements: ['SIG-092'],
    why: 'The statement and the release bind the same bytes; any difference in digest or length is refused.',
    codes: ['SIG_LENGTH_MISMATCH'],
    arrange(s, pkg) {
      s.world.addRelease(pkg.appId, specOf(pkg), {
        statement: (p) => ({
          ...p,
          package: { ...(p['package'] as object), length: pkg.bytes.length + 1 },
        }),
        release: (p) => ({
          ...p,
          package: { sha256: digestOf(pkg.bytes), length: pkg.bytes.length },
        }),
      });
      s.world.publish();
    },
  },
  {
    name: 'statement-checked-before-package',
    description:
      'A host refuses a release whose statement fails before it opens the package bytes, reporting a signing code',
    requirements: ['SIG-093', 'API-047'],
    why: 'Package bytes are opened only after the statement verified; a host that opens first meets the archive (here not even a ZIP) before the refusal.',
    async arrange(s, pkg) {
      const outsider = await pooledKey(s.world.algorithm, 'outsider');
      const junk = encoder.encode(
        'this is not a zip archive, and a host must not find out before the statement verified\n'.repeat(
          20,
        ),
      );
      s.world.addRelease(pkg.appId, specOf(pkg, { bundle: junk, statementSigners: [outsider] }));
      s.world.publish();
    },
    check(_s, outcome) {
      if (!outcome.code?.startsWith('SIG_')) {
        throw new CaseFailure(
          `the host reported ${outcome.code}: it read the package before refusing the statement`,
        );
      }
    },
  },
];

export const hostTrustCases = [
  ...envelopeScenarios,
  ...releaseScenarios,
  ...rootScenarios,
  ...indexScenarios,
  ...delegationScenarios,
].map((scenario) => scenarioCase('signing', scenario));
