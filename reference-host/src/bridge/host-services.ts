/** What the host's plugins work with; the composition root (host/super-app.ts) provides it. */
import type { DistributionClient } from '../distribution/distribution-client.ts';
import type { HostUi, NavigationBar, UserProfile } from '../host/host-ui.ts';
import type { PermissionManager } from '../permissions/permission-manager.ts';
import type { BridgeStorage } from '../state/bridge-storage.ts';
import type { DeviceCapabilities } from './device-capabilities.ts';

export interface HostInfo {
  hostName: string;
  hostVersion: string;
  platform: 'web' | 'android' | 'ios';
  language: string;
  theme: 'light' | 'dark';
}

export interface AppControls {
  /** [LIF] `app.close`: the app leaves the foreground. */
  close(appId: string): Promise<void>;
  /** Opens another installed or catalog app; NOT_FOUND when none exists [BRG-043]. */
  open(appId: string, page?: string, query?: Record<string, string>): Promise<void>;
  setNavigationBar(appId: string, bar: NavigationBar): void;
  /** The registry methods this host implements (for host.canIUse). */
  implemented(): ReadonlySet<string>;
  /** The https or miniapp link of a page of the app, for sharing. */
  link(appId: string, page?: string): string;
}

export interface HostServices {
  info: HostInfo;
  ui: HostUi;
  permissions: PermissionManager;
  storage: BridgeStorage;
  distribution: DistributionClient;
  device: DeviceCapabilities;
  apps: AppControls;
  profile(): Promise<UserProfile>;
  /** Topics a user agreed to receive per app (notifications.subscribe). */
  subscribe(appId: string, topics: string[]): Promise<string[]>;
  /** Network requests leave the host through its own transport (no CORS for native hosts). */
  fetch(url: string, init: RequestInit): Promise<Response>;
}
