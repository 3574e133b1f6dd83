import type { MockManifest } from '../bridge/index.ts';
import type { NetworkFixture } from './network-fixture.ts';

/** What the preview server hands to its host page (`/preview-config.json`). */
export interface PreviewConfig {
  /** The manifest's `name`, shown in the host's top bar. */
  appName: string;
  manifest: MockManifest;
  /** The exact origin of the mini-app frame; the init message is addressed to it [BRG-032]. */
  appOrigin: string;
  /** Absolute URL of the manifest's `entryPage` on the mini-app origin. */
  entryUrl: string;
  hostApiVersion: string;
  fixtures: readonly NetworkFixture[];
}
