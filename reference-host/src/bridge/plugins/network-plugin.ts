/**
 * network.request: only to the origins of the manifest's allowedDomains, decided before any network
 * activity [BRG-028] and compared by scheme, lower-cased host and explicit port [BRG-031]; redirects
 * are not followed at all, so none can leave the allowed origins [BRG-029].
 */
import { BridgeError } from '#sdk/bridge/bridge-error.ts';
import { isAllowedOrigin } from '#sdk/bridge/allowed-origin.ts';
import type { HostServices } from '../host-services.ts';
import type { HostPlugin } from '../plugin-registry.ts';

/** Headers a mini-app may not set: the host's own credentials and the browser's connection headers. */
const forbiddenHeaders = new Set([
  'authorization',
  'cookie',
  'host',
  'origin',
  'referer',
  'proxy-authorization',
]);

export const networkPlugin: HostPlugin<HostServices> = {
  name: 'network',
  methods: {
    'network.request': async (p, { app, services }) => {
      // A URL that does not parse names no origin at all: bad params, never an internal error.
      if (!URL.canParse(p.url)) {
        throw new BridgeError('INVALID_PARAMS', 'url is not an absolute URL.', {
          pointer: '/url',
        });
      }
      if (!isAllowedOrigin(p.url, app.manifest.allowedDomains ?? [])) {
        throw new BridgeError(
          'DOMAIN_NOT_ALLOWED',
          `${new URL(p.url).origin} is not in the manifest's allowedDomains.`,
        );
      }
      const headers = new Headers();
      for (const [name, value] of Object.entries(p.headers ?? {})) {
        if (!forbiddenHeaders.has(name.toLowerCase())) headers.set(name, value);
      }
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), p.timeoutMs ?? 30_000);
      try {
        const response = await services.fetch(p.url, {
          method: p.method ?? 'GET',
          headers,
          ...(p.body !== undefined ? { body: p.body } : {}),
          redirect: 'manual',
          credentials: 'omit',
          signal: controller.signal,
        });
        if (
          response.type === 'opaqueredirect' ||
          (response.status >= 300 && response.status < 400)
        ) {
          throw new BridgeError(
            'DOMAIN_NOT_ALLOWED',
            'The server answered with a redirect, which is not followed.',
          );
        }
        const out: Record<string, string> = {};
        response.headers.forEach((value, name) => {
          if (!name.startsWith('x-omp-')) out[name] = value;
        });
        return { status: response.status, headers: out, body: await response.text() };
      } catch (error) {
        if (error instanceof BridgeError) throw error;
        throw new BridgeError('HOST_ERROR', 'The request failed before a response arrived.');
      } finally {
        clearTimeout(timer);
      }
    },
  },
};
