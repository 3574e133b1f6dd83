/** host.*, app.* and permissions.*: what every host has, independent of any device feature. */
import { BridgeError } from '#sdk/bridge/bridge-error.ts';
import type { PermissionName } from '#schemas/generated/bridge/methods.ts';
import { canIUseQuery } from '../method-catalog.ts';
import type { HostServices } from '../host-services.ts';
import type { HostPlugin } from '../plugin-registry.ts';

export const corePlugin: HostPlugin<HostServices> = {
  name: 'core',
  methods: {
    'host.getInfo': (_p, { app, services }) => ({
      hostName: services.info.hostName,
      hostVersion: services.info.hostVersion,
      hostApiVersion: app.hostApiVersion,
      platform: services.info.platform,
      language: services.info.language,
      theme: services.info.theme,
    }),
    // [VER-012] [VER-017] [VER-018] [BRG-026] false, never an error, for anything unknown.
    'host.canIUse': (p, { app, services }) => ({
      available: canIUseQuery(app.hostApiVersion, p.method, services.apps.implemented()),
    }),
    'app.close': async (_p, { app, services }) => {
      await services.apps.close(app.appId);
      return {};
    },
    'app.openMiniApp': async (p, { services }) => {
      await services.apps.open(p.appId, p.page, p.query);
      return {};
    },
    // [PRM-016] without prompting.
    'permissions.query': async (p, { app, services }) => {
      const states: Partial<Record<PermissionName, 'granted' | 'denied' | 'prompt'>> = {};
      for (const name of p.names) states[name] = await services.permissions.state(app, name);
      return { states };
    },
    'permissions.request': async (p, { app, services }) => {
      const declared = Object.hasOwn(app.manifest.permissions ?? {}, p.name);
      // [PRM-005] undeclared: denied, no prompt.
      if (!declared) return { state: 'denied' };
      return { state: await services.permissions.request(app, p.name) };
    },
  },
};

export function notFound(what: string): BridgeError {
  return new BridgeError('NOT_FOUND', `${what} does not exist.`);
}
