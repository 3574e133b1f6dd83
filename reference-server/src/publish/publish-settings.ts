import { defaultChromiumPath } from '#sdk/preview/index.ts';
import type { Services } from '../services.ts';

/** Named points of the upload and decision pipelines where tests may inject a failure. */
export type FaultPoint =
  | 'upload:staged'
  | 'upload:promoted'
  | 'upload:inserted'
  | 'decision:countersigned'
  | 'decision:updated';

/** How the publish group behaves on one set of services. */
export interface PublishSettings {
  /** [REV-007] take a PNG of the entry page in headless Chromium on upload. */
  screenshots: boolean;
  /** The Chromium binary playwright-core drives. */
  chromiumPath: string;
  /** Called at each fault point; throwing there simulates a crash at that point. */
  fault: (point: FaultPoint) => void | Promise<void>;
}

function defaults(): PublishSettings {
  return {
    screenshots: process.env.REVIEW_SCREENSHOTS !== 'off',
    chromiumPath: process.env.CHROMIUM_PATH || defaultChromiumPath,
    fault: () => undefined,
  };
}

// Keyed by the services object so tests can tune one server without touching its configuration.
const settingsByServices = new WeakMap<Services, PublishSettings>();

/** The publish settings of a server, created from the environment on first use. */
export function publishSettings(services: Services): PublishSettings {
  let settings = settingsByServices.get(services);
  if (!settings) {
    settings = defaults();
    settingsByServices.set(services, settings);
  }
  return settings;
}

/** Changes some publish settings of a server (tests turn screenshots off or inject faults). */
export function configurePublishing(services: Services, changes: Partial<PublishSettings>): void {
  Object.assign(publishSettings(services), changes);
}
