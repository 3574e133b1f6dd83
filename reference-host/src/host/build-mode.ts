/** Which build this is; esbuild defines the constants, and code run outside a build (tests) is a development build. */
declare global {
  /** Replaced by the build; code that must vanish from production builds tests it where it is used. */
  const __OMP_BUILD_MODE__: 'production' | 'development' | 'conformance' | undefined;
  const __OMP_HOST_VERSION__: string | undefined;
}

export const buildMode: 'production' | 'development' | 'conformance' =
  typeof __OMP_BUILD_MODE__ === 'string' ? __OMP_BUILD_MODE__ : 'development';

export const hostReleaseVersion: string =
  typeof __OMP_HOST_VERSION__ === 'string' ? __OMP_HOST_VERSION__ : '0.0.0-dev';
