import { MiniAppError } from '#sdk/diagnostics/index.ts';
import { packageDigestOf, sha256Hex, type PackageDigest } from './digest.ts';
import {
  parseEnvelope,
  payloadTypes,
  signDocument,
  verifyEnvelope,
  type SignedDocument,
} from './envelope.ts';
import type { PublicJwk } from './jwk.ts';
import type { PrivateKey } from './key-pair.ts';
import { decodeSignedPayload } from './payload.ts';
import { formatTimestamp } from './timestamp.ts';

/** The partner's statement over one package (spec/signing.md, "The partner statement"). */
export interface Statement {
  _type: 'statement';
  /** [SIG-074] `1.MINOR`; this toolkit writes 1.0. */
  specVersion: string;
  appId: string;
  version: string;
  versionCode: number;
  package: PackageDigest;
  manifestSha256: string;
  createdAt: string;
  critical?: string[];
}

export interface StatementInput {
  appId: string;
  version: string;
  versionCode: number;
  /** The exact `.ma` bytes. */
  packageBytes: Uint8Array;
  /** The exact bytes of the package's `manifest.json`. */
  manifestBytes: Uint8Array;
  createdAt?: Date;
}

/** What the server checks a statement against [SIG-021] [SIG-022]. */
export interface StatementExpectation {
  appId?: string;
  package: PackageDigest;
  /** The highest versionCode already accepted for the app; a statement must exceed it [SIG-022]. */
  latestVersionCode?: number;
  /** When given, createdAt must lie within the freshness window around this time [SIG-023]. */
  now?: Date;
}

/** [SIG-023] how far createdAt may lie in the future (clock skew) and in the past. */
export const statementClockSkewMs = 5 * 60 * 1000;
export const statementMaxAgeMs = 30 * 24 * 60 * 60 * 1000;

/** A statement that verified, with the digest of its envelope bytes and the key that signed it [SIG-031]. */
export interface VerifiedStatement {
  statement: Statement;
  keyid: string;
  sha256: string;
}

/** Signs a statement over exact package and manifest bytes with one partner key [SIG-020]. */
export function createStatement(input: StatementInput, key: PrivateKey): SignedDocument<Statement> {
  const statement: Statement = {
    _type: 'statement',
    specVersion: '1.0',
    appId: input.appId,
    version: input.version,
    versionCode: input.versionCode,
    package: packageDigestOf(input.packageBytes),
    manifestSha256: sha256Hex(input.manifestBytes),
    createdAt: formatTimestamp(input.createdAt ?? new Date()),
  };
  return signDocument(payloadTypes.statement, statement, [key]);
}

/**
 * Verifies a statement envelope as received by the server [SIG-020] [SIG-021] [SIG-022]:
 * signed by one of the partner's keys, over the uploaded package, for a new versionCode.
 */
export function verifyStatement(
  envelopeBytes: Uint8Array,
  partnerKeys: Readonly<Record<string, PublicJwk>>,
  expected: StatementExpectation,
): VerifiedStatement {
  const envelope = parseEnvelope(envelopeBytes);
  const { payload, validKeyids } = verifyEnvelope(envelope, partnerKeys, 1, payloadTypes.statement);
  const statement = decodeSignedPayload<Statement>(
    payload,
    'signing/statement.schema.json',
    'The statement',
  );
  if (expected.appId !== undefined && statement.appId !== expected.appId) {
    throw new MiniAppError(
      'SIG_WRONG_APP',
      `The statement is for ${statement.appId}, not ${expected.appId}.`,
      {
        requirement: 'SIG-021',
        location: { pointer: '/appId' },
      },
    );
  }
  if (statement.package.length !== expected.package.length) {
    throw new MiniAppError(
      'SIG_LENGTH_MISMATCH',
      `The statement signs ${statement.package.length} bytes; the package has ${expected.package.length}.`,
      { requirement: 'SIG-021', location: { pointer: '/package/length' } },
    );
  }
  if (statement.package.sha256 !== expected.package.sha256) {
    throw new MiniAppError(
      'SIG_DIGEST_MISMATCH',
      'The statement signs a different package digest.',
      {
        requirement: 'SIG-021',
        location: { pointer: '/package/sha256' },
      },
    );
  }
  if (
    expected.latestVersionCode !== undefined &&
    statement.versionCode <= expected.latestVersionCode
  ) {
    // [SIG-022] an old statement replayed as a new release; the server-side code of [VER-001].
    throw new MiniAppError(
      'VERSION_CODE_NOT_INCREASING',
      `versionCode ${statement.versionCode} is not greater than the released ${expected.latestVersionCode}.`,
      {
        requirement: 'SIG-022',
        location: { pointer: '/versionCode' },
        fix: 'Increase versionCode and sign again.',
      },
    );
  }
  if (expected.now !== undefined) {
    const age = expected.now.getTime() - Date.parse(statement.createdAt);
    if (age < -statementClockSkewMs || age > statementMaxAgeMs) {
      throw new MiniAppError(
        'SIG_EXPIRED',
        `The statement was created at ${statement.createdAt}, outside the accepted window.`,
        {
          requirement: 'SIG-023',
          location: { pointer: '/createdAt' },
          fix: 'Sign a fresh statement.',
        },
      );
    }
  }
  return { statement, keyid: validKeyids[0] ?? '', sha256: sha256Hex(envelopeBytes) };
}
