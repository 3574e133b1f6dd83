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
export { formatTimestamp, isExpired, checkValidityWindow } from './timestamp.ts';
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
  roleNames,
  type Root,
  type RootInput,
  type Role,
  type RoleName,
} from './root.ts';
export {
  createDelegation,
  checkDelegation,
  delegationPayload,
  signDelegationPayload,
  maxDelegationLifetimeMs,
  type Delegation,
  type DelegationInput,
} from './delegation.ts';
export {
  createIndex,
  checkBinCover,
  allBinPrefixes,
  maxIndexLifetimeMs,
  maxBinPrefixLength,
  type ReleaseIndex,
  type BinPin,
  type IndexInput,
} from './release-index.ts';
export {
  createBin,
  binApps,
  binPrefixOf,
  checkBinApps,
  type Bin,
  type BinInput,
  type AppEntry,
  type BinRelease,
} from './bin.ts';
export { decodeSignedPayload, verifierSpecVersion } from './payload.ts';
export {
  readPackageStream,
  readMetadataStream,
  slowRetrievalDeadline,
  metadataTimeoutMs,
  bundleRateWindowMs,
  bundleMinBytesPerWindow,
  type Arrival,
  type RetrievalTiming,
  type MetadataRetrieval,
  type BundleRetrieval,
} from './bounded-download.ts';
export { verifyPackageBytes } from './package-identity.ts';
export {
  TrustStore,
  maxRootRotations,
  type TrustState,
  type TrustedDelegation,
  type ReleaseRequest,
  type VerifiedRelease,
  type VerifiedReleaseStatement,
  type BinLocation,
} from './trust-store.ts';
