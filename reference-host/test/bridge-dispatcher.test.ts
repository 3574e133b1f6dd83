/**
 * The dispatcher and the plugins that need no device: the order of the checks of spec/bridge.md,
 * exactly-once answers, rate limiting, permissions, namespaced storage with quotas, and the vendor
 * channel a plugin adds without touching the dispatcher.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { PermissionName } from '#schemas/generated/bridge/methods.ts';
import type { Manifest } from '#sdk/manifest/manifest.ts';
import { Dispatcher, type CallRecord } from '../src/bridge/dispatcher.ts';
import type { HostServices } from '../src/bridge/host-services.ts';
import { PluginRegistry, type AppContext } from '../src/bridge/plugin-registry.ts';
import { RateLimiter } from '../src/bridge/rate-limiter.ts';
import { corePlugin } from '../src/bridge/plugins/core-plugin.ts';
import { loyaltyPlugin } from '../src/bridge/plugins/loyalty-plugin.ts';
import { networkPlugin } from '../src/bridge/plugins/network-plugin.ts';
import { storagePlugin } from '../src/bridge/plugins/storage-plugin.ts';
import { uiPlugin } from '../src/bridge/plugins/ui-plugin.ts';
import { accountPlugin } from '../src/bridge/plugins/account-plugin.ts';
import { PermissionManager, type PromptAnswer } from '../src/permissions/permission-manager.ts';
import { BridgeStorage, storageLimits } from '../src/state/bridge-storage.ts';
import { MemoryStore } from '../src/state/key-value-store.ts';

function manifest(
  id: string,
  permissions: Partial<Record<PermissionName, { reason: string }>> = {},
): Manifest {
  return {
    specVersion: '1.0',
    id,
    name: `App ${id}`,
    version: '1.0.0',
    versionCode: 1,
    minHostVersion: '1.0.0',
    entryPage: 'index.html',
    pages: ['index.html'],
    permissions,
    allowedDomains: ['https://api.example.com'],
    icons: [{ src: 'icon.png', sizes: '192x192' }],
    category: 'utilities',
    defaultLocale: 'en',
  } as Manifest;
}

interface Harness {
  dispatcher: Dispatcher<HostServices>;
  send(message: unknown): Promise<Record<string, unknown> | null>;
  prompts: string[];
  answers: PromptAnswer[];
  calls: CallRecord[];
  permissions: PermissionManager;
  storage: BridgeStorage;
  fetched: string[];
}

function harness(
  options: {
    appId?: string;
    permissions?: Partial<Record<PermissionName, { reason: string }>>;
    hostApiVersion?: string;
    store?: MemoryStore;
    limiter?: RateLimiter;
  } = {},
): Harness {
  const store = options.store ?? new MemoryStore();
  const prompts: string[] = [];
  const answers: PromptAnswer[] = [];
  const fetched: string[] = [];
  const permissions = new PermissionManager(store, {
    ask: async ({ permission, reason }) => {
      prompts.push(`${permission}: ${reason}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      return answers.shift() ?? 'dismissed';
    },
  });
  const storage = new BridgeStorage(store);
  const registry = new PluginRegistry<HostServices>()
    .register(corePlugin)
    .register(uiPlugin)
    .register(storagePlugin)
    .register(networkPlugin)
    .register(accountPlugin)
    .register(loyaltyPlugin);
  const app: AppContext = {
    appId: options.appId ?? 'com.example.app',
    name: 'Example',
    versionCode: 1,
    manifest: manifest(options.appId ?? 'com.example.app', options.permissions),
    userId: 'user-1',
    hostApiVersion: options.hostApiVersion ?? '1.2.0',
  };
  const services = {
    info: {
      hostName: 'Test host',
      hostVersion: '0.0.1',
      platform: 'web',
      language: 'en',
      theme: 'light',
    },
    permissions,
    storage,
    profile: async () => ({
      displayName: 'Alex Rivera',
      phoneNumber: '+4915112345678',
      phoneVerified: true,
      addresses: [],
    }),
    fetch: async (url: string) => {
      fetched.push(url);
      return new Response('{}', { status: 200 });
    },
    apps: {
      implemented: () => registry.provided,
      close: async () => undefined,
      open: async () => undefined,
      setNavigationBar: () => undefined,
      link: () => '',
    },
    ui: { toast: () => undefined },
  } as unknown as HostServices;
  const calls: CallRecord[] = [];
  const dispatcher = new Dispatcher<HostServices>({
    app,
    registry,
    services,
    consent: permissions,
    limiter: options.limiter ?? new RateLimiter(),
    onCall: (call) => calls.push(call),
  });
  return {
    dispatcher,
    async send(message) {
      const reply = await dispatcher.handle(message);
      return reply === null ? null : (JSON.parse(reply) as Record<string, unknown>);
    },
    prompts,
    answers,
    calls,
    permissions,
    storage,
    fetched,
  };
}

const request = (id: string, method: string, params: Record<string, unknown> = {}): string =>
  JSON.stringify({ bridge: 'openminiapp', v: 1, kind: 'request', id, method, params });

const codeOf = (reply: Record<string, unknown> | null): string | undefined =>
  (reply?.error as { code?: string } | undefined)?.code;

describe('the bridge dispatcher', () => {
  it('ignores anything that is not an openminiapp envelope, and never throws [BRG-001] [BRG-009]', async () => {
    const { send } = harness();
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.anything(), fc.string(), fc.json()), async (message) => {
        const reply = await send(message);
        if (reply !== null) assert.equal(reply.bridge, 'openminiapp');
      }),
      { numRuns: 300 },
    );
    assert.equal(
      await send({
        bridge: 'other',
        v: 1,
        kind: 'request',
        id: 'a',
        method: 'host.getInfo',
        params: {},
      }),
      null,
    );
  });

  it('answers malformed and oversized requests with their codes, executing nothing [BRG-002] [BRG-007]', async () => {
    const { send, calls } = harness();
    assert.equal(
      codeOf(
        await send(
          JSON.stringify({
            bridge: 'openminiapp',
            v: 2,
            kind: 'request',
            id: 'a',
            method: 'host.getInfo',
            params: {},
          }),
        ),
      ),
      'BRIDGE_MALFORMED',
    );
    assert.equal(
      codeOf(
        await send(
          JSON.stringify({
            bridge: 'openminiapp',
            v: 1,
            kind: 'request',
            id: 'b',
            method: 'host.getInfo',
            params: {},
            extra: 1,
          }),
        ),
      ),
      'BRIDGE_MALFORMED',
    );
    const huge = request('c', 'storage.set', { key: 'k', value: 'x'.repeat(2 * 1024 * 1024) });
    assert.equal(codeOf(await send(huge)), 'BRIDGE_TOO_LARGE');
    assert.equal(calls.length, 0);
  });

  it('checks method, version, declared permission and params in that order [BRG-014] to [BRG-018]', async () => {
    const { send, prompts } = harness({ hostApiVersion: '1.0.0' });
    assert.equal(codeOf(await send(request('1', 'host.getinfo'))), 'UNKNOWN_METHOD');
    assert.equal(codeOf(await send(request('2', '__proto__'))), 'UNKNOWN_METHOD');
    assert.equal(codeOf(await send(request('3', 'toString'))), 'UNKNOWN_METHOD');
    // Newer than the host, and its permission undeclared: the version answers first.
    assert.equal(codeOf(await send(request('4', 'user.chooseAddress'))), 'NOT_SUPPORTED');
    // Undeclared permission before invalid params, without a prompt.
    assert.equal(
      codeOf(await send(request('5', 'location.getCurrent', { bogus: true }))),
      'PERMISSION_DENIED',
    );
    assert.equal(
      codeOf(await send(request('6', 'storage.get', { key: 'k', extra: 1 }))),
      'INVALID_PARAMS',
    );
    const invalid = await send(request('7', 'ui.showToast', { message: '' }));
    assert.equal(codeOf(invalid), 'INVALID_PARAMS');
    assert.equal(
      ((invalid?.error as { details?: { pointer?: string } }).details ?? {}).pointer,
      '/message',
    );
    assert.deepEqual(prompts, []);
  });

  it('answers every request exactly once with its id, and refuses a pending id [BRG-004] [BRG-005]', async () => {
    const h = harness({ permissions: { userInfo: { reason: 'Shows your name.' } } });
    h.answers.push('granted');
    const first = h.send(request('same', 'user.getProfile'));
    const duplicate = await h.send(request('same', 'user.getProfile'));
    assert.equal(codeOf(duplicate), 'BRIDGE_DUPLICATE_ID');
    const answered = await first;
    assert.deepEqual([answered?.id, answered?.ok], ['same', true]);
    assert.equal(h.prompts.length, 1);
  });

  it('shows one prompt for concurrent calls, remembers a grant, does not remember a dismissal [PRM-010] [PRM-013]', async () => {
    const h = harness({ permissions: { userInfo: { reason: 'Shows your name.' } } });
    h.answers.push('dismissed');
    const [a, b] = await Promise.all([
      h.send(request('a', 'user.getProfile')),
      h.send(request('b', 'user.getProfile')),
    ]);
    assert.deepEqual(
      [codeOf(a), codeOf(b), h.prompts.length],
      ['PERMISSION_DENIED', 'PERMISSION_DENIED', 1],
    );
    h.answers.push('granted');
    assert.equal((await h.send(request('c', 'user.getProfile')))?.ok, true);
    assert.equal((await h.send(request('d', 'user.getProfile')))?.ok, true);
    assert.deepEqual(h.prompts, ['userInfo: Shows your name.', 'userInfo: Shows your name.']);
  });

  it('answers permissions.query without prompting, denied for undeclared names [PRM-016]', async () => {
    const h = harness({ permissions: { userInfo: { reason: 'r' }, clipboard: { reason: 'c' } } });
    h.answers.push('denied');
    await h.permissions.request(
      {
        appId: 'com.example.app',
        userId: 'user-1',
        manifest: manifest('com.example.app', { clipboard: { reason: 'c' } }),
      } as AppContext,
      'clipboard',
    );
    const reply = await h.send(
      request('q', 'permissions.query', { names: ['userInfo', 'location', 'clipboard'] }),
    );
    assert.deepEqual(reply?.result, {
      states: { userInfo: 'prompt', location: 'denied', clipboard: 'denied' },
    });
  });

  it('answers host.canIUse for methods and parameters, false for anything unknown [VER-017] [VER-018]', async () => {
    const { send } = harness({ hostApiVersion: '1.1.0' });
    const can = async (method: string): Promise<unknown> =>
      (
        (await send(request(`c${Math.random()}`.replace('.', ''), 'host.canIUse', { method })))
          ?.result as { available: boolean }
      ).available;
    assert.equal(await can('storage.list'), true);
    assert.equal(await can('payment.pay.description'), false); // no payment plugin in this harness
    assert.equal(await can('storage.set.value'), true);
    assert.equal(await can('storage.set.nope'), false);
    assert.equal(await can('user.chooseAddress'), false);
    assert.equal(await can('constructor'), false);
  });

  it('keeps storage per app: no key, however written, reaches another namespace [STO-001] [STO-003]', async () => {
    const store = new MemoryStore();
    // Hundreds of calls in a row: a limiter that never refuses, so every answer is about storage.
    const limiter = new RateLimiter({ burst: 100_000, perSecond: 100_000 });
    const a = harness({ appId: 'com.example.a', store, limiter });
    const b = harness({ appId: 'com.example.b', store, limiter });
    await a.send(request('1', 'storage.set', { key: 'secret', value: { pin: 1234 } }));
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 40 }), async (key) => {
        const reply = await b.send(request('2', 'storage.get', { key }));
        if (reply?.ok) assert.deepEqual(reply.result, { exists: false });
      }),
      { numRuns: 200 },
    );
    for (const key of ['../com.example.a/secret', '%2e%2e/secret', 'e/secret', '/secret']) {
      assert.deepEqual((await b.send(request('3', 'storage.get', { key })))?.result, {
        exists: false,
      });
    }
    assert.deepEqual((await a.send(request('4', 'storage.get', { key: 'secret' })))?.result, {
      exists: true,
      value: { pin: 1234 },
    });
    assert.deepEqual(
      ((await b.send(request('5', 'storage.list', {})))?.result as { keys: string[] }).keys,
      [],
    );
  });

  it('enforces the quotas and leaves the namespace unchanged on a refused write [STO-007] [STO-010]', async () => {
    const h = harness();
    const mib = 'x'.repeat(1024 * 1024 - 2);
    assert.equal((await h.send(request('1', 'storage.set', { key: 'big', value: mib })))?.ok, true);
    assert.equal(
      codeOf(await h.send(request('2', 'storage.set', { key: 'bigger', value: `${mib}yy` }))),
      'QUOTA_EXCEEDED',
    );
    // Ten values of 1 MiB do not fit beside their keys: the ninth more is refused as a whole.
    for (let i = 0; i < 8; i++)
      assert.equal(
        (await h.send(request(`f${i}`, 'storage.set', { key: `k${i}`, value: mib })))?.ok,
        true,
      );
    const before = (await h.send(request('l1', 'storage.list', {})))?.result as {
      bytesUsed: number;
    };
    assert.equal(
      codeOf(await h.send(request('over', 'storage.set', { key: 'k8', value: mib }))),
      'QUOTA_EXCEEDED',
    );
    const after = (await h.send(request('l2', 'storage.list', {})))?.result as {
      bytesUsed: number;
      keys: string[];
    };
    assert.equal(after.bytesUsed, before.bytesUsed);
    assert.equal(after.keys.includes('k8'), false);
    // A smaller write that fits is accepted [STO-008].
    assert.equal(
      (await h.send(request('fits', 'storage.set', { key: 'k8', value: 'x'.repeat(1000) })))?.ok,
      true,
    );
    assert.ok(after.bytesUsed <= storageLimits.maxNamespaceBytes);
    assert.equal(
      codeOf(await h.send(request('long', 'storage.get', { key: 'é'.repeat(200) }))),
      'INVALID_PARAMS',
    );
  });

  it('refuses network.request outside allowedDomains before any network activity [BRG-028] [BRG-031]', async () => {
    const h = harness();
    assert.equal(
      codeOf(await h.send(request('1', 'network.request', { url: 'https://evil.example/x' }))),
      'DOMAIN_NOT_ALLOWED',
    );
    assert.equal(
      codeOf(
        await h.send(request('2', 'network.request', { url: 'https://api.example.com:8443/x' })),
      ),
      'DOMAIN_NOT_ALLOWED',
    );
    assert.deepEqual(h.fetched, []);
    assert.equal(
      (await h.send(request('3', 'network.request', { url: 'https://API.example.com:443/v1' })))
        ?.ok,
      true,
    );
    assert.deepEqual(h.fetched, ['https://API.example.com:443/v1']);
  });

  it('answers RATE_LIMITED to a flood without executing it, and records those answers [BRG-022] [ANL-013]', async () => {
    let now = 0;
    const h = harness({ limiter: new RateLimiter({ burst: 5, perSecond: 1 }, () => now) });
    const codes: (string | undefined)[] = [];
    for (let i = 0; i < 8; i++)
      codes.push(codeOf(await h.send(request(`r${i}`, 'storage.list', {}))));
    assert.deepEqual(codes, [
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      'RATE_LIMITED',
      'RATE_LIMITED',
      'RATE_LIMITED',
    ]);
    // Answered with an error, so recorded (and reported as bridge.error) like any call.
    assert.deepEqual(
      h.calls.map((c) => c.ok),
      [true, true, true, true, true, false, false, false],
    );
    now = 2000;
    assert.equal(codeOf(await h.send(request('later', 'storage.list', {}))), undefined);
  });

  it('serves a vendor method on its own channel, with the permission check, invisible to canIUse [BRG-024]', async () => {
    const h = harness({ permissions: { userInfo: { reason: 'Shows your card.' } } });
    h.answers.push('granted');
    const reply = JSON.parse(
      (await h.dispatcher.handle({
        bridge: 'x-acme',
        v: 1,
        kind: 'request',
        id: 'v1',
        method: 'loyalty.getCard',
        params: {},
      })) ?? 'null',
    ) as { bridge: string; ok: boolean; result: unknown };
    assert.deepEqual(reply, {
      bridge: 'x-acme',
      v: 1,
      kind: 'response',
      id: 'v1',
      ok: true,
      result: { holder: 'Alex Rivera', tier: 'gold', points: 1280 },
    });
    assert.equal(codeOf(await h.send(request('u', 'loyalty.getCard'))), 'UNKNOWN_METHOD');
    assert.deepEqual(
      (await h.send(request('c', 'host.canIUse', { method: 'loyalty.getCard' })))?.result,
      { available: false },
    );
  });

  it('refuses to register a plugin method that the registry does not list', () => {
    assert.throws(() =>
      new PluginRegistry().register({
        name: 'rogue',
        methods: { 'rogue.method': () => ({}) } as never,
      }),
    );
    assert.throws(() =>
      new PluginRegistry<HostServices>()
        .register(corePlugin)
        .register({ name: 'twice', methods: { 'host.getInfo': () => ({}) as never } }),
    );
  });
});
