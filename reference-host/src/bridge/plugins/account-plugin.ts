/**
 * auth.getToken and user.*: the user's data leaves the host only with consent, and the host's own
 * session never does [STO-011]: a mini-app gets a token bound to its id, from the server [STO-012].
 */
import { BridgeError } from '#sdk/bridge/bridge-error.ts';
import { DistributionError } from '../../distribution/distribution-client.ts';
import type { HostServices } from '../host-services.ts';
import type { HostPlugin } from '../plugin-registry.ts';

/** [STO-017] a cached token is reused until one minute before it expires. */
const reuseMarginMs = 60_000;
const tokens = new Map<string, { token: string; expiresAt: number }>();

function utc(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

export const accountPlugin: HostPlugin<HostServices> = {
  name: 'account',
  methods: {
    'auth.getToken': async (p, { app, services }) => {
      // [STO-150] the token holds only the asked scopes the user has granted; the host asks for no
      // others and prompts for none.
      const scopes: string[] = [];
      for (const scope of [...new Set(p.scopes ?? [])].sort()) {
        const state = await services.permissions
          .state(app, scope as Parameters<typeof services.permissions.state>[1])
          .catch(() => 'denied');
        if (state === 'granted') scopes.push(scope);
      }
      const cacheKey = `${app.userId}\u0000${app.appId}\u0000${scopes.join(' ')}`;
      const cached = tokens.get(cacheKey);
      if (cached && cached.expiresAt - Date.now() > reuseMarginMs) {
        return { token: cached.token, expiresAt: utc(cached.expiresAt) };
      }
      try {
        const issued = await services.distribution.appToken(app.appId, scopes);
        const expiresAt = Date.now() + issued.expiresIn * 1000;
        tokens.set(cacheKey, { token: issued.accessToken, expiresAt });
        return { token: issued.accessToken, expiresAt: utc(expiresAt) };
      } catch (error) {
        if (error instanceof DistributionError && error.code === 'API_SCOPE_NOT_ALLOWED') {
          throw new BridgeError(
            'PERMISSION_DENIED',
            'A requested scope is not a permission the app declares.',
          );
        }
        throw error;
      }
    },
    'user.getProfile': async (_p, { services }) => {
      const profile = await services.profile();
      return {
        displayName: profile.displayName,
        ...(profile.avatarUrl ? { avatarUrl: profile.avatarUrl } : {}),
      };
    },
    'user.getPhoneNumber': async (_p, { app, services }) => {
      const profile = await services.profile();
      // The number is shown to the user before it is handed over, each time.
      if (!(await services.ui.confirmPhoneNumber(app, profile.phoneNumber))) {
        throw new BridgeError('USER_CANCELLED', 'The user did not share the phone number.');
      }
      return { phoneNumber: profile.phoneNumber, verified: profile.phoneVerified };
    },
    'user.chooseAddress': async (_p, { app, services }) => {
      const profile = await services.profile();
      const chosen = await services.ui.chooseAddress(app, profile.addresses);
      if (!chosen) throw new BridgeError('USER_CANCELLED', 'The user closed the address picker.');
      return chosen;
    },
  },
};
