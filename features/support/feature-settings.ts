/** How a features run finds the server under test: the same two inputs as `miniapp-certify server`. */
export interface FeatureSettings {
  credentialsFile: string;
  url?: string;
}

export class FeatureSettingsError extends Error {}

/** Reads MINIAPP_CREDENTIALS (required) and MINIAPP_SERVER_URL (optional: the credentials file's url). */
export function featureSettings(env: NodeJS.ProcessEnv): FeatureSettings {
  const credentialsFile = env.MINIAPP_CREDENTIALS;
  if (!credentialsFile) {
    throw new FeatureSettingsError(
      'MINIAPP_CREDENTIALS is not set: name the credentials file of spec/conformance.md (Server adapter), or run `npm run features -- --credentials FILE`',
    );
  }
  const url = env.MINIAPP_SERVER_URL;
  return url ? { credentialsFile, url } : { credentialsFile };
}

/** How a features run finds the host under test: the same inputs as `miniapp-certify host`. */
export interface HostFeatureSettings {
  /** The host's top-level page (`--url` of `miniapp-certify host`). */
  hostUrl: string;
  /** A running WebDriver server; without it chromedriver is started as the host suite does. */
  webdriver?: string;
}

/** Reads MINIAPP_HOST_URL and MINIAPP_WEBDRIVER_URL; undefined when no host is configured. */
export function hostFeatureSettings(env: NodeJS.ProcessEnv): HostFeatureSettings | undefined {
  const hostUrl = env.MINIAPP_HOST_URL;
  if (!hostUrl) return undefined;
  const webdriver = env.MINIAPP_WEBDRIVER_URL;
  return webdriver ? { hostUrl, webdriver } : { hostUrl };
}

/** Why the @host scenarios do not run, said once by every run that leaves them out. */
export const hostScenariosNotRun =
  'the @host scenarios were not run: no host is configured (give --host-url URL or MINIAPP_HOST_URL, the top-level page of a host in its conformance build)';
