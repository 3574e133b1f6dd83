import { isDeepStrictEqual } from 'node:util';
import { CaseFailure, pass } from '../framework/index.ts';
import {
  expectError,
  expectSuccess,
  launchProbe,
  reasonFor,
} from '../bridge/host-bridge-support.ts';
import { hostCase } from '../host/host-case.ts';
import type { HostSession } from '../host/host-session.ts';
import { buildProbe } from '../host/probe/probe-package.ts';
import { specOf } from '../signing/host-trust-scenarios.ts';

/** Storage namespaces, web storage, quotas and sessions (spec/storage.md), seen from two probe apps. */

const appA = 'dev.openminiapp.conformance.probe';
const appB = 'dev.openminiapp.conformance.neighbour';

async function get(s: HostSession, appId: string, key: string): Promise<unknown> {
  const result = expectSuccess(
    'storage.get',
    await s.call(appId, 'storage.get', { key }),
    `storage.get ${key}`,
  ) as { value?: unknown };
  return result.value ?? null;
}

async function set(s: HostSession, appId: string, key: string, value: unknown) {
  return s.call(appId, 'storage.set', { key, value });
}

/** Writes web storage of every kind from inside the app's frame. */
const writeWebStorage = `(p, tag) => {
  localStorage.setItem('iso', tag);
  sessionStorage.setItem('iso', tag);
  document.cookie = 'iso=' + tag + '; path=/; SameSite=Lax';
  document.cookie = 'isoWide=' + tag + '; domain=localhost; path=/';
  const idb = new Promise((resolve) => {
    const open = indexedDB.open('iso-' + tag);
    open.onsuccess = () => { open.result.close(); resolve(true); };
    open.onerror = () => resolve(false);
  });
  const cache = typeof caches === 'undefined' ? Promise.resolve(false) : caches.open('iso-' + tag).then(() => true, () => false);
  return Promise.all([idb, cache]);
}`;

export const hostStorageCases = [
  hostCase({
    id: 'host.storage.namespaces',
    description:
      "A host keeps each app's bridge storage apart: another app cannot read, list, change or size it, with any key",
    requirements: ['STO-001', 'STO-003'],
    why: "Storage is per user and app; a key that escapes the namespace reads another app's data.",
    async run(s) {
      await launchProbe(s, { appId: appA });
      expectSuccess('storage.set', await set(s, appA, 'shared', 'A-secret'), 'A writes');
      expectSuccess(
        'storage.set',
        await set(s, appA, 'nested/key', 'A-nested'),
        'A writes a path-like key',
      );
      await launchProbe(s, { appId: appB });
      for (const key of [
        'shared',
        `${appA}/shared`,
        `../${appA}/shared`,
        `${appA}:shared`,
        '%2e%2e/shared',
        'nested/key',
        '../nested/key',
        `\u0000${appA}/shared`,
      ]) {
        const value = await get(s, appB, key);
        if (value === 'A-secret' || value === 'A-nested')
          throw new CaseFailure(`app B read app A's entry with the key ${JSON.stringify(key)}`);
      }
      if (s.hostApiVersion !== '1.0.0') {
        const list = expectSuccess(
          'storage.list',
          await s.call(appB, 'storage.list', {}),
          'B lists',
        ) as { keys: string[]; usedBytes?: number };
        if ((list.keys ?? []).length > 0)
          throw new CaseFailure(`app B lists keys it never wrote: ${list.keys.join(', ')}`);
      }
      expectSuccess('storage.set', await set(s, appB, 'shared', 'B-value'), 'B writes');
      expectSuccess('storage.clear', await s.call(appB, 'storage.clear', {}), 'B clears');
      if ((await get(s, appA, 'shared')) !== 'A-secret')
        throw new CaseFailure("app B's writes or clear changed app A's entry");
      return pass();
    },
  }),
  hostCase({
    id: 'host.storage.web-storage-per-app',
    description: 'A host gives each app its own cookies, local storage, IndexedDB and caches',
    requirements: ['STO-002'],
    why: 'Two apps on one origin share everything the browser stores; only distinct origins or data stores keep them apart.',
    async run(s) {
      await launchProbe(s, { appId: appA });
      await s.probe(appA, writeWebStorage, 'A');
      const a = await s.probe<{ href: string }>(appA, '(p) => p.inspect()');
      await launchProbe(s, { appId: appB });
      const b = await s.probe<{
        href: string;
        cookie: string;
        localStorage: Record<string, string>;
        indexedDB: unknown;
        caches: unknown;
      }>(appB, '(p) => p.inspect()');
      if (new URL(a.href).origin === new URL(b.href).origin)
        throw new CaseFailure(`both apps run on the origin ${new URL(a.href).origin}`);
      const seen = JSON.stringify(b);
      if (
        seen.includes('iso-A') ||
        /iso(Wide)?=A/.test(b.cookie) ||
        b.localStorage['iso'] === 'A'
      ) {
        throw new CaseFailure("app B sees app A's web storage", [seen.slice(0, 400)]);
      }
      return pass();
    },
  }),
  hostCase({
    id: 'host.storage.json-round-trip',
    description:
      'A host returns stored JSON values unchanged and accepts writes within the limits, the longest key included',
    requirements: ['STO-004', 'STO-008', 'STO-010'],
    why: 'A store that coerces values (numbers to strings, nulls dropped) corrupts app data silently.',
    async run(s) {
      const { appId } = await launchProbe(s);
      const values: unknown[] = [
        { a: [1, 2, { b: null }], c: 'é🙂' },
        'text',
        0,
        -1.5,
        1e21,
        true,
        false,
        null,
        [],
        {},
      ];
      for (const [i, value] of values.entries()) {
        expectSuccess(
          'storage.set',
          await set(s, appId, `v${i}`, value),
          `writing ${JSON.stringify(value)}`,
        );
        const back = await get(s, appId, `v${i}`);
        if (!isDeepStrictEqual(back, value))
          throw new CaseFailure(
            `stored ${JSON.stringify(value)}, read back ${JSON.stringify(back)}`,
          );
      }
      const longKey = 'k'.repeat(256);
      expectSuccess('storage.set', await set(s, appId, longKey, 1), 'a key of 256 bytes');
      const big = await s.probe<{ ok?: boolean; error?: { code: string } }>(
        appId,
        `(p) => p.call('storage.set', { key: 'big', value: 'x'.repeat(1024 * 1024 - 64) }, 30000)`,
      );
      if (big.ok !== true)
        throw new CaseFailure(`a value just under 1 MiB was refused with ${big.error?.code}`);
      return pass();
    },
  }),
  hostCase({
    id: 'host.storage.quotas',
    description:
      'A host refuses keys outside 1 to 256 bytes with INVALID_PARAMS and writes beyond the quotas with QUOTA_EXCEEDED, keeping the old value, counts a namespace as the sum of its entries, and still counts it after a restart',
    requirements: ['STO-007', 'STO-008', 'STO-009', 'STO-010'],
    why: 'Quotas protect the device; a failed write must leave the namespace exactly as it was.',
    timeoutMs: 180_000,
    async run(s) {
      const { appId } = await launchProbe(s);
      expectError(await set(s, appId, '', 1), 'INVALID_PARAMS', 'an empty key');
      expectError(
        await set(s, appId, 'é'.repeat(129), 1),
        'INVALID_PARAMS',
        'a key of 258 bytes of UTF-8',
      );
      expectSuccess('storage.set', await set(s, appId, 'keep', 'old'), 'the value to keep');
      const over = await s.probe<{ ok?: boolean; error?: { code: string } }>(
        appId,
        `(p) => p.call('storage.set', { key: 'keep', value: 'x'.repeat(1024 * 1024 + 8) }, 30000)`,
      );
      if (over.ok !== false || over.error?.code !== 'QUOTA_EXCEEDED') {
        throw new CaseFailure(
          `a value above 1 MiB was answered ${over.ok ? 'with a success' : over.error?.code}`,
        );
      }
      if ((await get(s, appId, 'keep')) !== 'old')
        throw new CaseFailure('the refused write changed the stored value');
      const fill = await s.probe<{ codes: string[] }>(
        appId,
        `(p) => { const codes = []; const step = (i) => i >= 11 ? Promise.resolve() : p.call('storage.set', { key: 'fill' + i, value: 'y'.repeat(1000 * 1000) }, 30000).then((r) => { codes.push(r.ok ? 'ok' : r.error.code); return step(i + 1); }); return step(0).then(() => ({ codes })); }`,
      );
      const firstRefused = fill.codes.indexOf('QUOTA_EXCEEDED');
      if (firstRefused < 0)
        throw new CaseFailure(
          `eleven writes of 1,000,000 bytes (over 10 MiB) were all accepted: ${fill.codes.join(',')}`,
        );
      if (firstRefused < 9)
        throw new CaseFailure(
          `the namespace was refused after ${firstRefused} writes of 1 MB, well under 10 MiB`,
        );
      const refusedValue = await get(s, appId, `fill${firstRefused}`);
      if (refusedValue !== null)
        throw new CaseFailure('the write refused for the namespace quota was stored anyway');
      // The namespace size is a sum over entries, not over writes: replacing an entry with one of
      // the same size keeps the namespace where it is, so a full namespace must accept it [STO-008].
      const megabyte = (fill: string) => `'${fill}'.repeat(1000 * 1000)`;
      const write = (key: string, fill: string) =>
        s.probe<{ ok?: boolean; error?: { code: string } }>(
          appId,
          `(p) => p.call('storage.set', { key: '${key}', value: ${megabyte(fill)} }, 30000)`,
        );
      const replaced = await write('fill0', 'z');
      if (replaced.ok !== true)
        throw new CaseFailure(
          `replacing an entry of the full namespace with a value of the same size was refused with ${replaced.error?.code}; the namespace does not grow`,
        );
      // [CNF-028] storage survives a restart, and so must what it counts against the quota.
      await s.driver.restart();
      await s.launchProbe(appId);
      const late = await write('late', 'w');
      if (late.ok !== false || late.error?.code !== 'QUOTA_EXCEEDED')
        throw new CaseFailure(
          `after a restart, one more MB in the full namespace was answered ${late.ok ? 'with a success' : late.error?.code}`,
        );
      const removed = await s.call(appId, 'storage.remove', { key: 'fill1' });
      expectSuccess('storage.remove', removed, 'removing an entry of the full namespace');
      const afterRemove = await write('late', 'w');
      if (afterRemove.ok !== true)
        throw new CaseFailure(
          `after an entry of 1 MB was removed, a write of 1 MB was refused with ${afterRemove.error?.code}`,
        );
      return pass(
        `namespace full after ${firstRefused} MB; still full after a restart; a replaced or removed entry frees its size`,
      );
    },
  }),
  hostCase({
    id: 'host.storage.uninstall-deletes',
    description: "A host deletes an app's bridge and web storage when it is uninstalled",
    requirements: ['STO-005'],
    why: 'Uninstalling is the user removing the app and its data; a reinstall must start empty.',
    async run(s) {
      const { appId } = await launchProbe(s);
      expectSuccess('storage.set', await set(s, appId, 'kept', 'before'), 'a bridge entry');
      await s.probe(appId, writeWebStorage, 'U');
      await s.command('uninstall', { appId });
      await s.launchProbe(appId);
      if ((await get(s, appId, 'kept')) !== null)
        throw new CaseFailure('the reinstalled app finds its old bridge entry');
      const seen = await s.probe<{
        cookie: string;
        localStorage: Record<string, string>;
        indexedDB: unknown;
        caches: unknown;
      }>(appId, '(p) => p.inspect()');
      if (
        seen.localStorage['iso'] === 'U' ||
        /iso=U/.test(seen.cookie) ||
        JSON.stringify(seen).includes('iso-U')
      ) {
        throw new CaseFailure('the reinstalled app finds its old web storage', [
          JSON.stringify(seen).slice(0, 300),
        ]);
      }
      return pass();
    },
  }),
  hostCase({
    id: 'host.storage.kept-across-updates',
    description: "A host keeps an app's storage when it updates the app",
    requirements: ['STO-006'],
    why: 'An update is the same app; losing its data on every release is data loss.',
    async run(s) {
      const { appId } = await launchProbe(s);
      expectSuccess('storage.set', await set(s, appId, 'kept', 'v1'), 'a bridge entry');
      s.world.addRelease(appId, specOf(buildProbe({ versionCode: 2 })));
      s.world.publish();
      const updated = await s.install(appId);
      if (updated.kind !== 'installed' || updated.versionCode !== 2)
        throw new CaseFailure(`the update to version 2 was not installed: ${updated.kind}`);
      await s.driver.restart();
      const launched = await s.launchProbe(appId);
      if (launched.versionCode !== 2)
        throw new CaseFailure(
          `the update did not apply at the cold start (versionCode ${launched.versionCode})`,
        );
      if ((await get(s, appId, 'kept')) !== 'v1')
        throw new CaseFailure('the updated app lost its storage');
      return pass();
    },
  }),
  hostCase({
    id: 'host.storage.session-not-exposed',
    description:
      "A host never shows the super app's user session to a mini-app: not in cookies, URL, window.name, web storage, results or events",
    requirements: ['STO-011'],
    why: "The user's session works everywhere; a mini-app gets an app-bound token instead.",
    async run(s) {
      const { appId } = await launchProbe(s, { permissions: { userInfo: reasonFor('userInfo') } });
      await s.callAnswering(appId, 'user.getProfile', {}, ['grant']);
      await s.call(appId, 'auth.getToken', { scopes: ['userInfo'] });
      await s.call(appId, 'host.getInfo', {});
      await s.call(appId, 'payment.checkEntitlement', { productId: 'none-1' });
      const seen = JSON.stringify({
        inspect: await s.probe(appId, '(p) => p.inspect()'),
        log: await s.probe(appId, '(p) => p.log'),
      });
      const secret = s.server.credentials.user;
      if (seen.includes(secret) || seen.includes(secret.slice(4)))
        throw new CaseFailure('the host user session appears where the mini-app can read it');
      return pass();
    },
  }),
  hostCase({
    id: 'host.storage.app-token',
    description:
      'auth.getToken returns, unchanged, a token the server issued for the app with exactly the granted scopes, and expiresAt equal to its exp',
    requirements: ['STO-150', 'STO-151'],
    why: "The token's scope is what the user granted on the host; its expiry must be stated truthfully.",
    async run(s) {
      const { appId } = await launchProbe(s, {
        permissions: { userInfo: reasonFor('userInfo'), location: reasonFor('location') },
      });
      await s.callAnswering(appId, 'user.getProfile', {}, ['grant']);
      const result = expectSuccess(
        'auth.getToken',
        await s.call(appId, 'auth.getToken', { scopes: ['userInfo', 'location'] }),
        'auth.getToken',
      ) as {
        token: string;
        expiresAt: string;
      };
      const issued = s.server.tokens.find((t) => t.token === result.token);
      if (!issued)
        throw new CaseFailure(
          'the token is not one the distribution server issued (it was changed or made up)',
        );
      if (issued.appId !== appId) throw new CaseFailure(`the token was issued for ${issued.appId}`);
      if (issued.scopes.join(' ') !== 'userInfo') {
        throw new CaseFailure(
          `the token's scope is "${issued.scopes.join(' ')}"; the user granted userInfo only (location was never granted)`,
        );
      }
      const exp = new Date(issued.exp * 1000).toISOString().replace('.000Z', 'Z');
      if (result.expiresAt !== exp)
        throw new CaseFailure(`expiresAt ${result.expiresAt} is not the token's exp ${exp}`);
      return pass();
    },
  }),
];
