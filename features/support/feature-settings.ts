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
