/** The host's own screens around a launch, drawn by the shell; the super app tells it what to show. */
import type { BundleProgress } from '../distribution/transfer.ts';

export interface LaunchingApp {
  appId: string;
  name: string;
  iconUrl?: string;
}

export interface HostScreens {
  /** Where the runtime puts mini-app frames. */
  frameContainer(): HTMLElement;
  loading(app: LaunchingApp, step: string, progress?: BundleProgress): void;
  /** The app's frame is shown under the top bar. */
  showApp(app: LaunchingApp, options: { simulator: boolean }): void;
  /** [VER-008] the super app needs an update to run this mini-app. */
  updateRequired(app: LaunchingApp, minHostVersion: string): void;
  /** [ADR-008] no such mini-app. */
  notAvailable(appId: string): void;
  failed(app: LaunchingApp, code: string, message: string): void;
  /** Back to the storefront (an app closed or went to the background). */
  home(): void;
}
