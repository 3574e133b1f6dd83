/** Which build this is; esbuild defines the constants, and code run outside a build (tests) is a development build. */
declare const __OMP_BUILD_MODE__: 'production' | 'development' | 'conformance';
declare const __OMP_HOST_VERSION__: string;

export const buildMode: 'production' | 'development' | 'conformance' =
  typeof __OMP_BUILD_MODE__ === 'string' ? __OMP_BUILD_MODE__ : 'development';

export const hostReleaseVersion: string =
  typeof __OMP_HOST_VERSION__ === 'string' ? __OMP_HOST_VERSION__ : '0.0.0-dev';
