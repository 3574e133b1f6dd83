/**
 * The native shells of the reference host (Capacitor 7). The web layer is the production build;
 * CapacitorHttp sends the host's distribution requests natively (distribution servers send no CORS
 * headers, and a native host needs none of the web build's forwarding route).
 */
import type { CapacitorConfig } from '@capacitor/cli';

const config: CapacitorConfig = {
  appId: 'dev.openminiapp.host',
  appName: 'Open Mini-App',
  webDir: '../dist/production',
  android: { path: '../android', allowMixedContent: false, webContentsDebuggingEnabled: false },
  ios: { path: '../ios', contentInset: 'automatic', limitsNavigationsToAppBoundDomains: true },
  plugins: {
    CapacitorHttp: { enabled: true },
  },
};

export default config;
