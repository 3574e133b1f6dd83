/** Public surface of `miniapp preview`: a mini-app in a plain browser, on a mock host. */
export { startPreview, hostScriptFile } from './preview-server.ts';
export type { PreviewOptions, PreviewServer } from './preview-server.ts';
export { checkPreviewTarget, checkHostApiVersion, newestHostApiVersion } from './preview-target.ts';
export type { PreviewTarget } from './preview-target.ts';
export { resolveRequestPath } from './request-path.ts';
export type { RequestPath } from './request-path.ts';
export { contentTypeFor } from './content-type.ts';
export { appContentSecurityPolicy, hostContentSecurityPolicy } from './content-security-policy.ts';
export { matchFixture } from './network-fixture.ts';
export type { FixtureResponse, NetworkFixture } from './network-fixture.ts';
export { parseFixtures, readFixtureFile } from './fixture-file.ts';
export type { PreviewConfig } from './preview-config.ts';
export {
  defaultChromiumPath,
  headlessChromiumFlags,
  launchHeadlessChromium,
} from './headless-chromium.ts';
