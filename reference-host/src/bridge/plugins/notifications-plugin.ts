/** notifications.subscribe: topics the user agreed to (through the `notifications` permission). */
import type { HostServices } from '../host-services.ts';
import type { HostPlugin } from '../plugin-registry.ts';

export const notificationsPlugin: HostPlugin<HostServices> = {
  name: 'notifications',
  methods: {
    'notifications.subscribe': async (p, { app, services }) => ({
      subscribed: await services.subscribe(app.appId, p.topics),
    }),
  },
};
