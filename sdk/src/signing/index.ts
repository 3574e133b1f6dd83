/** Public surface of signing and trust (spec/signing.md). */
export { signingAlgorithms, minimumRsaBits, type SigningAlgorithm } from './algorithm.ts';
export {
  jwkThumbprint,
  importPublicJwk,
  type PublicJwk,
  type Ed25519Jwk,
  type EcP256Jwk,
  type RsaPssJwk,
  type ImportedKey,
} from './jwk.ts';
export {
  generateKeyPair,
  loadPrivateKey,
  type PrivateKey,
  type GeneratedKeyPair,
} from './key-pair.ts';
export { pae } from './pae.ts';
export { sha256Hex, packageDigestOf, type PackageDigest } from './digest.ts';
export { formatTimestamp, isExpired } from './timestamp.ts';
export {
  payloadTypes,
  maxMetadataBytes,
  signEnvelope,
  signDocument,
  encodeEnvelope,
  parseEnvelope,
  verifyEnvelope,
  type PayloadType,
  type Envelope,
  type EnvelopeSignature,
  type SignedDocument,
  type VerifiedEnvelope,
} from './envelope.ts';
export {
  createStatement,
  verifyStatement,
  statementClockSkewMs,
  statementMaxAgeMs,
  type Statement,
  type StatementInput,
  type StatementExpectation,
  type VerifiedStatement,
} from './statement.ts';
export { createRelease, type Release, type ReleaseInput } from './release.ts';
export {
  createRoot,
  checkRoot,
  roleKeys,
  type Root,
  type RootInput,
  type Role,
  type RoleName,
} from './root.ts';
export {
  createIndex,
  maxIndexLifetimeMs,
  type ReleaseIndex,
  type IndexEntry,
  type IndexInput,
} from './release-index.ts';
export { readPackageStream, readMetadataStream } from './bounded-download.ts';
export { verifyPackageBytes } from './package-identity.ts';
export {
  TrustStore,
  type TrustState,
  type ReleaseRequest,
  type VerifiedRelease,
} from './trust-store.ts';
