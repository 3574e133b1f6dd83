import { Given, Then, When, type World } from '@cucumber/cucumber';
import { isDeepStrictEqual } from 'node:util';
import { expectError, expectSuccess } from '../../conformance/bridge/host-bridge-support.ts';
import { CaseFailure } from '../../conformance/framework/index.ts';
import type { BridgeResponse } from '../../conformance/host/host-session.ts';
import { buildProbe, echoOrigin } from '../../conformance/host/probe/probe-package.ts';
import { specOf } from '../../conformance/signing/host-trust-scenarios.ts';
import { hostOf, type HostScenario } from '../support/host-world.ts';

/** Storage namespaces (spec/storage.md) as two probe apps see them from inside their frames. */

const ids: Record<string, string> = {
  A: 'dev.openminiapp.conformance.probe',
  B: 'dev.openminiapp.conformance.neighbour',
};

/** Makes `name` the running mini-app (a launch of an installed app), so the probe can be entered. */
async function running(h: HostScenario, name: string): Promise<string> {
  const appId = h.app(name).appId;
  const state = await h.session.state();
  if (state.running?.appId !== appId) await h.session.launchProbe(appId);
  return appId;
}

async function call(
  h: HostScenario,
  name: string,
  method: string,
  params: unknown,
): Promise<BridgeResponse> {
  return h.session.call(await running(h, name), method, params);
}

async function read(h: HostScenario, name: string, key: string): Promise<unknown> {
  const result = expectSuccess(
    'storage.get',
    await call(h, name, 'storage.get', { key }),
    `${name} reads ${JSON.stringify(key)}`,
  ) as { value?: unknown };
  return result.value ?? null;
}

async function store(h: HostScenario, name: string, key: string, value: unknown): Promise<void> {
  expectSuccess(
    'storage.set',
    await call(h, name, 'storage.set', { key, value }),
    `${name} stores ${key}`,
  );
}

/** Writes every kind of web storage from inside the app's frame, tagged with `tag`. */
const writeWebStorage = `(p, tag) => {
  localStorage.setItem('features', tag);
  sessionStorage.setItem('features', tag);
  document.cookie = 'features=' + tag + '; path=/; SameSite=Lax';
  const idb = new Promise((resolve) => {
    const open = indexedDB.open('features-' + tag);
    open.onsuccess = () => { open.result.close(); resolve(true); };
    open.onerror = () => resolve(false);
  });
  const cache = typeof caches === 'undefined' ? Promise.resolve(false) : caches.open('features-' + tag).then(() => true, () => false);
  return Promise.all([idb, cache]);
}`;

interface Inspected {
  href: string;
  cookie: string;
  localStorage: Record<string, string>;
  sessionStorage: Record<string, string>;
  indexedDB: unknown;
  caches: unknown;
}

async function inspect(h: HostScenario, name: string): Promise<Inspected> {
  const seen = await h.session.probe<Inspected>(await running(h, name), '(p) => p.inspect()');
  h.log(`${name} sees ${JSON.stringify(seen).slice(0, 400)}`);
  return seen;
}

/** What of the web storage tagged `tag` an inspection shows. */
function traces(seen: Inspected, tag: string): string[] {
  const found: string[] = [];
  if (seen.localStorage['features'] === tag) found.push('local storage');
  if (seen.sessionStorage['features'] === tag) found.push('session storage');
  if (new RegExp(`(^|; )features=${tag}(;|$)`).test(seen.cookie)) found.push('a cookie');
  if (JSON.stringify(seen.indexedDB).includes(`features-${tag}`))
    found.push('an IndexedDB database');
  if (JSON.stringify(seen.caches).includes(`features-${tag}`)) found.push('a cache');
  return found;
}

Given(
  'a host with two probe mini-apps, A and B, installed for one user',
  { timeout: 120_000 },
  async function (this: World) {
    const h = hostOf(this);
    for (const [name, appId] of Object.entries(ids)) {
      const pkg = await h.session.publishProbe({ appId, allowedDomains: [echoOrigin] });
      const outcome = await h.session.install(appId);
      if (outcome.kind !== 'installed')
        throw new CaseFailure(`${name} was not installed: ${outcome.kind}`);
      h.apps.set(name, pkg);
    }
  },
);

When(
  /^(A|B) stores "([^"]*)" under the key "([^"]*)"$/,
  async function (this: World, name: string, value: string, key: string) {
    await store(hostOf(this), name, key, value);
  },
);

Then(
  /^(A|B) reads "([^"]*)" under "([^"]*)"$/,
  async function (this: World, name: string, value: string, key: string) {
    const seen = await read(hostOf(this), name, key);
    if (!isDeepStrictEqual(seen, value))
      throw new CaseFailure(`${name} reads ${JSON.stringify(seen)} under "${key}", not "${value}"`);
  },
);

Then(
  /^(A|B) reads nothing under "([^"]*)"$/,
  async function (this: World, name: string, key: string) {
    const seen = await read(hostOf(this), name, key);
    if (seen !== null)
      throw new CaseFailure(`${name} reads ${JSON.stringify(seen)} under "${key}"`);
  },
);

Then(
  'B reads nothing under "token", nor under "..\\/A\\/token" or any other spelling of it',
  { timeout: 120_000 },
  async function (this: World) {
    const h = hostOf(this);
    const a = h.app('A').appId;
    // Path, prefix, separator, encoding and NUL spellings of A's entry [STO-003].
    const spellings = [
      'token',
      `${a}/token`,
      `../${a}/token`,
      `../A/token`,
      `${a}:token`,
      `%2e%2e/${a}/token`,
      `..\\${a}\\token`,
      `\u0000${a}/token`,
      `/token`,
    ];
    for (const key of spellings) {
      const seen = await read(h, 'B', key);
      if (seen === 'secret')
        throw new CaseFailure(`B read A's entry with the key ${JSON.stringify(key)}`);
    }
    h.log(
      `B read nothing of A's under ${spellings.length} spellings: ${JSON.stringify(spellings)}`,
    );
  },
);

Then('nothing B writes or clears changes what A stored', async function (this: World) {
  const h = hostOf(this);
  if (h.session.hostApiVersion !== '1.0.0') {
    const list = expectSuccess(
      'storage.list',
      await call(h, 'B', 'storage.list', {}),
      'B lists its keys',
    ) as { keys?: string[] };
    if ((list.keys ?? []).length > 0)
      throw new CaseFailure(`B lists keys it never wrote: ${(list.keys ?? []).join(', ')}`);
  }
  await store(h, 'B', 'token', 'B-value');
  expectSuccess('storage.clear', await call(h, 'B', 'storage.clear', {}), 'B clears');
  const kept = await read(h, 'A', 'token');
  if (kept !== 'secret')
    throw new CaseFailure(`after B wrote and cleared, A reads ${JSON.stringify(kept)}`);
});

When(
  /^(A|B) writes "([^"]*)" to its local storage, session storage, cookies, IndexedDB and caches$/,
  async function (this: World, name: string, tag: string) {
    const h = hostOf(this);
    await h.session.probe(await running(h, name), writeWebStorage, tag);
    const own = traces(await inspect(h, name), tag);
    // The write must have happened where the app itself can see it, or the isolation check proves nothing.
    if (!own.includes('local storage'))
      throw new CaseFailure(`${name} cannot read back its own local storage`);
    h.noted.set('web storage tag', tag);
  },
);

Then('B sees none of it', async function (this: World) {
  const h = hostOf(this);
  const seen = traces(await inspect(h, 'B'), String(h.noted.get('web storage tag')));
  if (seen.length > 0) throw new CaseFailure(`B sees A's ${seen.join(', ')}`);
});

Then('A finds none of its earlier web storage', async function (this: World) {
  const h = hostOf(this);
  const seen = traces(await inspect(h, 'A'), String(h.noted.get('web storage tag')));
  if (seen.length > 0)
    throw new CaseFailure(`the reinstalled A still finds its ${seen.join(', ')}`);
});

When('A is updated to a new version', { timeout: 120_000 }, async function (this: World) {
  const h = hostOf(this);
  const appId = h.app('A').appId;
  h.session.world.addRelease(
    appId,
    specOf(buildProbe({ appId, versionCode: 2, allowedDomains: [echoOrigin] })),
  );
  h.session.world.publish();
  const updated = await h.session.install(appId);
  if (updated.kind !== 'installed' || updated.versionCode !== 2)
    throw new CaseFailure(`the update of A to version 2 was not installed: ${updated.kind}`);
  // An update applies at the next cold start (spec/conformance.md, restart).
  await h.session.driver.restart();
  const launched = await h.session.launchProbe(appId);
  if (launched.versionCode !== 2)
    throw new CaseFailure(`after a restart A launched as versionCode ${launched.versionCode}`);
});

When('A is uninstalled and installed again', { timeout: 120_000 }, async function (this: World) {
  const h = hostOf(this);
  const appId = h.app('A').appId;
  const removed = await h.session.command<{ uninstalled: boolean }>('uninstall', { appId });
  if (!removed.uninstalled) throw new CaseFailure('uninstall answered that A was not installed');
  const outcome = await h.session.install(appId);
  if (outcome.kind !== 'installed')
    throw new CaseFailure(`A was not installed again: ${outcome.kind}`);
});

When(
  'A stores a value of more than 1 MiB under the key "big"',
  { timeout: 120_000 },
  async function (this: World) {
    const h = hostOf(this);
    // Built inside the frame: 1 MiB of text through WebDriver's arguments would be slow.
    const answer = await h.session.probe<BridgeResponse>(
      await running(h, 'A'),
      `(p) => p.call('storage.set', { key: 'big', value: 'x'.repeat(1024 * 1024 + 8) }, 30000)`,
    );
    h.log(`storage.set of 1 MiB + 8 bytes -> ${JSON.stringify(answer).slice(0, 300)}`);
    h.noted.set('write', answer);
  },
);

Then('the write is answered with QUOTA_EXCEEDED', function (this: World) {
  const answer = hostOf(this).noted.get('write') as BridgeResponse | undefined;
  if (!answer) throw new Error('no write was made');
  expectError(answer, 'QUOTA_EXCEEDED', 'a value of more than 1 MiB');
});

When('A asks for an access token', async function (this: World) {
  const h = hostOf(this);
  const result = expectSuccess(
    'auth.getToken',
    await call(h, 'A', 'auth.getToken', {}),
    'auth.getToken',
  ) as { token: string; expiresAt: string };
  h.noted.set('token', result.token);
});

Then(
  "the token is one the distribution server issued for A, not the host user's credential",
  function (this: World) {
    const h = hostOf(this);
    const token = String(h.noted.get('token'));
    const user = h.server.credentials.user;
    if (token === user || token.includes(user))
      throw new CaseFailure("A received the host user's credential");
    const issued = h.server.tokens.find((t) => t.token === token);
    if (!issued)
      throw new CaseFailure(
        'the token is not one the distribution server issued (changed or made up)',
      );
    if (issued.appId !== h.app('A').appId)
      throw new CaseFailure(`the token was issued for ${issued.appId}, not for A`);
    h.log(`token issued for ${issued.appId}, scopes [${issued.scopes.join(' ')}]`);
  },
);

Then("the host user's credential appears nowhere A can read", async function (this: World) {
  const h = hostOf(this);
  const appId = await running(h, 'A');
  const seen = JSON.stringify({
    inspect: await h.session.probe(appId, '(p) => p.inspect()'),
    log: await h.session.probe(appId, '(p) => p.log'),
  });
  const user = h.server.credentials.user;
  // Its tail too: a host may strip a scheme prefix before it leaks the rest.
  if (seen.includes(user) || seen.includes(user.slice(4)))
    throw new CaseFailure(
      "the host user's credential appears in A's cookies, URL, storage or bridge messages",
    );
  h.log(`checked ${seen.length} characters of A's environment and bridge log`);
});
