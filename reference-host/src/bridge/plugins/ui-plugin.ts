/** ui.*: toasts, modals and the navigation bar, all drawn by the host. */
import { BridgeError } from '#sdk/bridge/bridge-error.ts';
import type { HostServices } from '../host-services.ts';
import type { HostPlugin } from '../plugin-registry.ts';

export const uiPlugin: HostPlugin<HostServices> = {
  name: 'ui',
  methods: {
    'ui.showToast': (p, { services }) => {
      services.ui.toast(p.message, p.icon ?? 'none', p.durationMs ?? 1500);
      return {};
    },
    'ui.showModal': async (p, { app, services }) => {
      const answer = await services.ui.modal(app, p);
      // [BRG-042] closing the dialog is not an answer.
      if (answer === 'dismiss')
        throw new BridgeError('USER_CANCELLED', 'The user closed the dialog.');
      return { confirmed: answer === 'confirm' };
    },
    'ui.setNavigationBar': (p, { app, services }) => {
      services.apps.setNavigationBar(app.appId, p);
      return {};
    },
  },
};
