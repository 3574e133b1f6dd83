/** storage.*: one namespace per user and app, quotas of spec/storage.md (state/bridge-storage.ts). */
import type { HostServices } from '../host-services.ts';
import type { HostPlugin } from '../plugin-registry.ts';

export const storagePlugin: HostPlugin<HostServices> = {
  name: 'storage',
  methods: {
    'storage.get': (p, { app, services }) => services.storage.get(app.userId, app.appId, p.key),
    'storage.set': async (p, { app, services }) => {
      await services.storage.set(app.userId, app.appId, p.key, p.value);
      return {};
    },
    'storage.remove': async (p, { app, services }) => ({
      existed: await services.storage.remove(app.userId, app.appId, p.key),
    }),
    'storage.clear': async (_p, { app, services }) => {
      await services.storage.clear(app.userId, app.appId);
      return {};
    },
    'storage.list': (p, { app, services }) =>
      services.storage.list(app.userId, app.appId, p.prefix ?? ''),
  },
};
