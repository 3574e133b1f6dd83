/** Public surface of the tokens area: verifying mini-app access tokens (spec/storage.md, spec/distribution.md). */
export {
  appTokenAlgorithms,
  appTokenLifetimeSeconds,
  verifyAppToken,
  type AppTokenAlgorithm,
  type AppTokenClaims,
  type AppTokenExpectation,
  type AppTokenRejection,
  type AppTokenVerification,
} from './app-token-verifier.ts';
