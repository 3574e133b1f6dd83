import type {
  BridgeMethodName,
  BridgeMethods,
  PermissionName,
} from '#schemas/generated/bridge/methods.ts';
import { bridgeMethodList } from '#schemas/generated/bridge/methods.ts';
import { BridgeError } from './bridge-error.ts';
import { compareHostApiVersions } from './host-api-version.ts';
import { storageLimits, type StorageNamespace } from './mock-storage.ts';

export type PermissionState = 'granted' | 'denied' | 'prompt';

/** What a mock handler may use besides its params. */
export interface MockCallContext {
  appId: string;
  hostApiVersion: string;
  storage: StorageNamespace;
  /** The remembered state of a permission, `denied` when the manifest does not declare it [PRM-016]. */
  permissionState(name: PermissionName): PermissionState;
  /** Prompts (once, coalesced) and remembers the decision [PRM-010]. */
  requestPermission(name: PermissionName): Promise<PermissionState>;
  /** Whether a method name is registered and implemented at this host API version [BRG-026]. */
  implements(method: string): boolean;
}

export type MockHandler<M extends BridgeMethodName> = (
  params: BridgeMethods[M]['params'],
  context: MockCallContext,
) => BridgeMethods[M]['result'] | Promise<BridgeMethods[M]['result']>;

export type MockHandlers = { [M in BridgeMethodName]?: MockHandler<M> };

function base64url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A token shaped like the platform's [STO-012] [STO-013]; its signature is a placeholder. */
function mockToken(appId: string, scopes: readonly string[], now: Date): string {
  const iat = Math.floor(now.getTime() / 1000);
  const header = base64url(JSON.stringify({ alg: 'EdDSA', kid: 'mock', typ: 'JWT' }));
  const payload = base64url(
    JSON.stringify({
      iss: 'https://mock.openminiapp.dev',
      aud: appId,
      sub: `mock-user-${appId}`,
      iat,
      exp: iat + 15 * 60,
      scope: scopes.join(' '),
    }),
  );
  return `${header}.${payload}.${base64url('mock-signature-not-valid')}`;
}

/** Fake answers for every registered method, so that a mini-app runs in a plain browser or a test. */
export function defaultMockHandlers(): Required<MockHandlers> {
  return {
    'host.getInfo': (_p, ctx) => ({
      hostName: 'OpenMiniApp mock host',
      hostVersion: '0.0.0-mock',
      hostApiVersion: ctx.hostApiVersion,
      platform: 'web',
      language: 'en',
      theme: 'light',
    }),
    'host.canIUse': (p, ctx) => ({ available: ctx.implements(p.method) }),
    'app.close': () => ({}),
    'app.openMiniApp': (p) => {
      throw new BridgeError('NOT_FOUND', `The mock host knows no mini-app ${p.appId}.`);
    },
    'ui.showToast': () => ({}),
    'ui.showModal': () => ({ confirmed: true }),
    'ui.setNavigationBar': () => ({}),
    'storage.get': (p, ctx) => ctx.storage.get(p.key) as BridgeMethods['storage.get']['result'],
    'storage.set': (p, ctx) => {
      ctx.storage.set(p.key, p.value);
      return {};
    },
    'storage.remove': (p, ctx) => ({ existed: ctx.storage.remove(p.key) }),
    'storage.clear': (_p, ctx) => {
      ctx.storage.clear();
      return {};
    },
    'storage.list': (p, ctx) => ({
      keys: ctx.storage.list(p.prefix),
      bytesUsed: ctx.storage.bytesUsed,
      bytesQuota: storageLimits.maxNamespaceBytes,
    }),
    'auth.getToken': (p, ctx) => {
      const now = new Date();
      return {
        token: mockToken(ctx.appId, p.scopes ?? [], now),
        expiresAt: new Date(now.getTime() + 15 * 60_000).toISOString(),
      };
    },
    'user.getProfile': () => ({ displayName: 'Mock User' }),
    'user.getPhoneNumber': () => ({ phoneNumber: '+15555550100', verified: true }),
    'user.chooseAddress': () => ({
      recipient: 'Mock User',
      countryCode: 'US',
      city: 'Springfield',
      lines: ['742 Evergreen Terrace'],
    }),
    'location.getCurrent': () => ({
      latitude: 52.52,
      longitude: 13.405,
      accuracyMeters: 25,
      timestamp: new Date().toISOString(),
    }),
    'camera.scanCode': (p) => ({
      format: p.formats?.[0] ?? 'qr',
      text: 'https://example.com/mock',
    }),
    'media.chooseImage': (p) => ({
      images: Array.from({ length: p.count ?? 1 }, (_v, i) => ({
        uri: `mock://image/${i + 1}.jpg`,
        width: 640,
        height: 480,
        size: 48_000,
        mimeType: 'image/jpeg' as const,
      })),
    }),
    'clipboard.read': () => ({ text: '' }),
    'clipboard.write': () => ({}),
    'payment.pay': (p) => ({ status: 'paid', transactionId: `mock-${p.orderId ?? p.productId}` }),
    'payment.checkEntitlement': () => ({ entitled: false }),
    'notifications.subscribe': (p) => ({ subscribed: p.topics }),
    'network.request': (p) => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ mock: true, method: p.method ?? 'GET', url: p.url }),
    }),
    'permissions.query': (p, ctx) => ({
      states: Object.fromEntries(p.names.map((name) => [name, ctx.permissionState(name)])),
    }),
    'permissions.request': async (p, ctx) => ({ state: await ctx.requestPermission(p.name) }),
    'device.vibrate': () => ({}),
    'share.open': () => ({}),
  };
}

/** The registry entries a host implementing `hostApiVersion` offers [BRG-023]. */
export function implementedMethods(hostApiVersion: string): ReadonlySet<string> {
  return new Set(
    bridgeMethodList
      .filter((m) => compareHostApiVersions(m.since, hostApiVersion) <= 0)
      .map((m) => m.name),
  );
}
