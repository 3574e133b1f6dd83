/**
 * A vendor capability, registered like every other plugin: the super app's loyalty card, on the
 * vendor channel `x-acme` (never under `openminiapp` [BRG-024]). It needs the `userInfo` permission,
 * which the dispatcher checks as for a registry method.
 */
import type { HostServices } from '../host-services.ts';
import type { HostPlugin } from '../plugin-registry.ts';

export const loyaltyPlugin: HostPlugin<HostServices> = {
  name: 'acme-loyalty',
  vendor: {
    channel: 'x-acme',
    methods: {
      'loyalty.getCard': {
        permission: 'userInfo',
        async handle(_params, { services }) {
          const profile = await services.profile();
          return { holder: profile.displayName, tier: 'gold', points: 1280 };
        },
      },
    },
  },
};
