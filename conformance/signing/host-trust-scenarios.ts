import { createHash, generateKeyPairSync } from 'node:crypto';
import type { PrivateKey, SigningAlgorithm } from '#sdk/signing/index.ts';
import { CaseFailure, pass, type ConformanceCase } from '../framework/index.ts';
import {
  digestOf,
  pkcs1Signature,
  signPayload,
  signPayloadText,
  timestamp,
  type SignedBytes,
} from '../host/distribution/signed-document.ts';
import { TrustWorld, type AppState, type ReleaseSpec } from '../host/distribution/trust-world.ts';
import { expectInstalled, expectRefused, hostCase } from '../host/host-case.ts';
import type { HostSubject } from '../host/host-subject.ts';
import { describe, type HostSession, type Outcome } from '../host/host-session.ts';
import { buildProbe, type BuiltPackage, type ProbeOptions } from '../host/probe/probe-package.ts';

/**
 * The trust scenarios of the conformance distribution server (spec/conformance.md): each case
 * publishes a world that a conforming server would publish, except for the one fault the case
 * names, sends `install`, and checks the outcome and what the host kept. A fault the specification
 * gives a code for must be refused with that code.
 */

export const day = 24 * 60 * 60 * 1000;

export function specOf(pkg: BuiltPackage, over: Partial<ReleaseSpec> = {}): ReleaseSpec {
  return {
    versionCode: pkg.versionCode,
    version: pkg.version,
    minHostVersion: pkg.minHostVersion,
    permissions: pkg.permissions,
    bundle: pkg.bytes,
    manifestBytes: pkg.manifestBytes,
    ...over,
  };
}

/** Adds the probe's app to the world (once) and returns the built probe. */
export async function probeIn(s: HostSession, options: ProbeOptions = {}): Promise<BuiltPackage> {
  const pkg = buildProbe(options);
  if (!s.world.apps.has(pkg.appId)) await s.world.addApp(pkg.appId);
  return pkg;
}

/** Publishes a valid release of a probe and installs it; fails the case unless it installed. */
export async function installValid(
  s: HostSession,
  options: ProbeOptions = {},
): Promise<BuiltPackage> {
  const pkg = await probeIn(s, options);
  s.world.addRelease(pkg.appId, specOf(pkg));
  s.world.publish();
  const outcome = await s.install(pkg.appId);
  if (outcome.kind !== 'installed' || outcome.versionCode !== pkg.versionCode) {
    throw new CaseFailure(
      `the valid release ${pkg.versionCode} of ${pkg.appId} was not installed (${describe(outcome)}); the scenario needs it first`,
    );
  }
  return pkg;
}

export interface Scenario {
  name: string;
  description: string;
  requirements: string[];
  why: string;
  /** Codes the requirement names for the refusal; any registry code when absent. */
  codes?: string[];
  /** What a conforming host does: refuse (default), install, or keep what it had. */
  expect?: 'refused' | 'installed' | 'notInstalled';
  /** The world to start from (default: Ed25519 keys, one key per role). */
  world?: () => Promise<TrustWorld>;
  timeoutMs?: number;
  /** Publishes the faulty world; may install earlier versions first. Returns the version the host must end with. */
  arrange(s: HostSession, pkg: BuiltPackage): unknown;
  /** Extra checks after the install (on the outcome, the requests the host made). */
  check?(s: HostSession, outcome: Outcome): Promise<void> | void;
  probe?: ProbeOptions;
}

export function scenarioCase(area: string, scenario: Scenario): ConformanceCase<HostSubject> {
  return hostCase({
    id: `host.${area}.${scenario.name}`,
    description: scenario.description,
    requirements: scenario.requirements,
    why: scenario.why,
    ...(scenario.timeoutMs ? { timeoutMs: scenario.timeoutMs } : {}),
    session: false,
    async run(s) {
      await s.start(scenario.world ? { world: await scenario.world() } : {});
      const pkg = await probeIn(s, scenario.probe);
      const arranged: unknown = await scenario.arrange(s, pkg);
      const kept = typeof arranged === 'number' ? arranged : undefined;
      const outcome = await s.install(pkg.appId);
      const expect = scenario.expect ?? 'refused';
      if (expect === 'installed') {
        if (outcome.kind !== 'installed') {
          throw new CaseFailure(
            `a conforming host installs this release; it answered ${describe(outcome)}`,
          );
        }
        await expectInstalled(s, pkg.appId, outcome.versionCode, 'after the install');
      } else if (expect === 'refused') {
        expectRefused(outcome, scenario.codes, 'the faulty release');
        await expectInstalled(s, pkg.appId, kept, 'after the refusal');
      } else {
        if (outcome.kind === 'installed') {
          throw new CaseFailure(
            `the host installed the app although it must not: ${describe(outcome)}`,
          );
        }
        await expectInstalled(s, pkg.appId, kept, 'after the install');
      }
      await scenario.check?.(s, outcome);
      return pass(describe(outcome));
    },
  });
}

/** Re-signs the app's newest release with a payload change (by the release role). */
export function releaseWithPayload(
  s: HostSession,
  pkg: BuiltPackage,
  change: (payload: Record<string, unknown>) => Record<string, unknown>,
  spec: Partial<ReleaseSpec> = {},
): undefined {
  s.world.addRelease(pkg.appId, specOf(pkg, spec), {
    release: (payload) => change(structuredClone(payload)),
  });
  s.world.publish();
  return undefined;
}

/** Releases with a statement hook. */
export function releaseWithStatement(
  s: HostSession,
  pkg: BuiltPackage,
  statement: (payload: Record<string, unknown>) => SignedBytes | Record<string, unknown>,
  spec: Partial<ReleaseSpec> = {},
): undefined {
  s.world.addRelease(pkg.appId, specOf(pkg, spec), { statement });
  s.world.publish();
  return undefined;
}

/** Replaces the app's delegation with one whose payload a case changed, signed as given. */
export function delegationWith(
  s: HostSession,
  app: AppState,
  change: (payload: Record<string, unknown>) => Record<string, unknown>,
  signers?: PrivateKey[],
): SignedBytes {
  const payload = change(s.world.delegationPayload(app, { version: app.delegations.length + 1 }));
  return s.world.delegate(app, payload, signers);
}

export async function worldOf(algorithm: SigningAlgorithm): Promise<TrustWorld> {
  return TrustWorld.create({ algorithm });
}

/** A JWK of an RSA key below the minimum size, labelled as a PS256 key. */
export function weakRsaJwk(): Record<string, unknown> {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...(publicKey.export({ format: 'jwk' }) as Record<string, unknown>), alg: 'PS256' };
}

export function p384Jwk(): Record<string, unknown> {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  return publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
}

/** RFC 7638 thumbprint of any EC, RSA or OKP JWK (also of keys the platform must refuse). */
export function thumbprintOf(jwk: Record<string, unknown>): string {
  const members: Record<string, string[]> = {
    EC: ['crv', 'kty', 'x', 'y'],
    RSA: ['e', 'kty', 'n'],
    OKP: ['crv', 'kty', 'x'],
  };
  const names = members[String(jwk['kty'])] ?? ['kty'];
  const canonical = `{${names.map((n) => `${JSON.stringify(n)}:${JSON.stringify(jwk[n])}`).join(',')}}`;
  return createHash('sha256').update(canonical).digest('base64url');
}

export { digestOf, pkcs1Signature, signPayload, signPayloadText, timestamp };
