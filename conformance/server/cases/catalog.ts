import { CaseFailure } from '../../framework/index.ts';
import { equalBytes } from '../crypto/byte-encoding.ts';
import { bodyOf, expectStatus, serverCase, type ServerTest } from '../server-case.ts';
import type { TestApp } from '../subject/test-world.ts';

interface CatalogPage {
  items: { appId: string; name: string; iconUrl: string }[];
  nextCursor?: string;
}

/** A run-unique word the suite puts into the names of its catalog apps, to find exactly them by search. */
function tag(t: ServerTest): string {
  return `cat${t.subject.runId}`;
}

async function namedApp(t: ServerTest, label: string): Promise<TestApp> {
  return t.world.createApp(
    t.scope,
    await t.world.partner(t.scope),
    t.world.label(label),
    `${tag(t)} ${label}`,
  );
}

/** Three listed apps and four that must not be listed, created once. */
function catalogWorld(t: ServerTest) {
  return t.world.once('catalog-world', async () => {
    const listed: TestApp[] = [];
    for (const label of ['listed', 'listed', 'rolling']) {
      const app = await namedApp(t, label);
      const v = await t.world.approvedVersion(t.scope, app, {
        versionCode: 1,
        name: `${tag(t)} ${label}`,
      });
      await t.world.release(t.scope, v, { rolloutPercent: label === 'rolling' ? 5 : 100 });
      listed.push(app);
    }
    const hidden: Record<string, TestApp> = {};
    for (const label of ['unreleased', 'betaonly', 'paused', 'rolledback', 'revoked']) {
      const app = await namedApp(t, label);
      const v = await t.world.approvedVersion(t.scope, app, {
        versionCode: 1,
        name: `${tag(t)} ${label}`,
      });
      if (label === 'betaonly') await t.world.release(t.scope, v, { channel: 'beta' });
      if (label === 'paused')
        await t.world.act(
          t.scope,
          await t.world.release(t.scope, v, { rolloutPercent: 50 }),
          'pause',
        );
      if (label === 'rolledback')
        await t.world.act(t.scope, await t.world.release(t.scope, v), 'rollback');
      if (label === 'revoked') {
        await t.world.release(t.scope, v);
        expectStatus(await t.world.revoke(t.scope, v, t.adminToken), 200);
      }
      hidden[label] = app;
    }
    return { listed, hidden };
  });
}

async function listAll(
  t: ServerTest,
  token: string,
  limit: number,
): Promise<{ pages: CatalogPage[]; ids: string[] }> {
  const pages: CatalogPage[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 30; i++) {
    const page = bodyOf<CatalogPage>(
      await t.send({ path: '/v1/catalog/apps', token, query: { q: tag(t), limit, cursor } }),
    );
    pages.push(page);
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return { pages, ids: pages.flatMap((p) => p.items.map((i) => i.appId)) };
}

export const catalogCases = [
  serverCase({
    id: 'server.catalog.only-released-apps',
    description:
      'The catalog lists apps with a completed or rolling-out stable release, and not apps that are unreleased, beta-only, paused, rolled back or revoked',
    requirements: ['API-050'],
    why: 'A storefront that shows an app nobody can install, or a withdrawn one, sends users to a dead end or to revoked code.',
    async run(t) {
      const device = await t.world.device(t.scope);
      const { listed, hidden } = await catalogWorld(t);
      const { ids } = await listAll(t, device.token, 100);
      for (const app of listed)
        if (!ids.includes(app.appId))
          throw new CaseFailure(`${app.appId}, released on stable, is not listed`);
      for (const [why, app] of Object.entries(hidden)) {
        if (ids.includes(app.appId)) throw new CaseFailure(`${app.appId} (${why}) is listed`);
        expectStatus(
          await t.send({ path: `/v1/catalog/apps/${app.appId}`, token: device.token }),
          404,
          'API_NOT_FOUND',
        );
      }
    },
  }),
  serverCase({
    id: 'server.catalog.pagination',
    description:
      'Catalog pages follow the cursor without duplicates or gaps, give nextCursor only when more items follow, and refuse a limit outside 1 to 100 with 400',
    requirements: ['API-048'],
    why: 'A nextCursor on the last page loops storefronts forever; a limit of 0 or 1000 is a denial of service or an empty page.',
    async run(t) {
      const device = await t.world.device(t.scope);
      const { listed } = await catalogWorld(t);
      const { pages, ids } = await listAll(t, device.token, 1);
      if (new Set(ids).size !== ids.length)
        throw new CaseFailure(`the pages repeat an app: ${ids.join(', ')}`);
      if (ids.length !== listed.length)
        throw new CaseFailure(`paging by 1 gave ${ids.length} apps, expected ${listed.length}`);
      if (pages.at(-1)?.nextCursor !== undefined)
        throw new CaseFailure('the last page has a nextCursor');
      if (pages.some((p) => p.items.length > 1))
        throw new CaseFailure('a page holds more items than the limit');
      const last = bodyOf<CatalogPage>(
        await t.send({
          path: '/v1/catalog/apps',
          token: device.token,
          query: { q: tag(t), limit: 100 },
        }),
      );
      if (last.nextCursor !== undefined)
        throw new CaseFailure('a page holding every match has a nextCursor');
      const byDefault = bodyOf<CatalogPage>(
        await t.send({ path: '/v1/catalog/apps', token: device.token }),
      );
      if (byDefault.items.length > 20)
        throw new CaseFailure(`the default page holds ${byDefault.items.length} items, over 20`);
      for (const limit of ['0', '101', '-1', '1.5', 'ten']) {
        expectStatus(
          await t.send({ path: '/v1/catalog/apps', token: device.token, query: { limit } }),
          400,
          'API_VALIDATION_FAILED',
        );
      }
    },
  }),
  serverCase({
    id: 'server.catalog.forged-cursor',
    description:
      'A cursor the server did not issue, or an issued cursor with one character changed, is refused with 400 API_CURSOR_INVALID',
    requirements: ['API-049'],
    why: 'A cursor the server trusts without checking is an injection point into its queries.',
    async run(t) {
      const device = await t.world.device(t.scope);
      await catalogWorld(t);
      const first = bodyOf<CatalogPage>(
        await t.send({
          path: '/v1/catalog/apps',
          token: device.token,
          query: { q: tag(t), limit: 1 },
        }),
      );
      const issued = first.nextCursor;
      if (!issued) throw new CaseFailure('the first of several pages has no nextCursor');
      // The cursor is opaque, but most servers encode it in base64url, whose last character may
      // carry padding bits a lenient decoder ignores: swap the character for the one whose value
      // differs in the most significant of its six bits, so the change reaches the decoded bytes.
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const flip = (s: string, i: number) => {
        const value = alphabet.indexOf(s[i] ?? '');
        const other = value < 0 ? (s[i] === 'A' ? 'B' : 'A') : alphabet[value ^ 32];
        return s.slice(0, i) + other + s.slice(i + 1);
      };
      const forged = [
        'eyJhZnRlciI6ImNvbS5leGFtcGxlLnNob3AifQ',
        Buffer.from(JSON.stringify({ offset: 0 })).toString('base64url'),
        flip(issued, Math.floor(issued.length / 2)),
        flip(issued, issued.length - 1),
        `${issued}x`,
      ];
      for (const cursor of forged) {
        expectStatus(
          await t.send({
            path: '/v1/catalog/apps',
            token: device.token,
            query: { q: tag(t), limit: 1, cursor },
          }),
          400,
          'API_CURSOR_INVALID',
        );
      }
    },
  }),
  serverCase({
    id: 'server.catalog.locale-lookup',
    description:
      'Localised catalog names follow BCP 47 lookup of the locale parameter or Accept-Language with fallback to the default locale, named in Content-Language',
    requirements: ['API-051'],
    why: "A storefront that ignores the user's language, or mislabels the language it chose, shows text screen readers pronounce wrongly.",
    async run(t) {
      const device = await t.world.device(t.scope);
      const shared = await t.world.sharedRelease(t.scope);
      const path = `/v1/catalog/apps/${shared.version.app.appId}`;
      const cases: [Record<string, string>, Record<string, string>, string, string][] = [
        [{ locale: 'fr' }, {}, 'fr', t.world.sharedName('fr')],
        [{ locale: 'fr-CA' }, {}, 'fr', t.world.sharedName('fr')],
        [{ locale: 'de' }, {}, 'en', t.world.sharedName('en')],
        [{}, { 'accept-language': 'fr' }, 'fr', t.world.sharedName('fr')],
        [{}, { 'accept-language': 'de-CH, fr;q=0.8' }, 'fr', t.world.sharedName('fr')],
        [{}, {}, 'en', t.world.sharedName('en')],
      ];
      for (const [query, headers, language, name] of cases) {
        const exchange = await t.send({ path, token: device.token, query, headers });
        const body = bodyOf<{ app: { name: string } }>(exchange);
        const what = JSON.stringify({ ...query, ...headers });
        if (exchange.headers.get('content-language') !== language) {
          throw new CaseFailure(
            `${what}: Content-Language ${JSON.stringify(exchange.headers.get('content-language'))}, expected ${language}`,
          );
        }
        if (body.app.name !== name)
          throw new CaseFailure(
            `${what}: name ${JSON.stringify(body.app.name)}, expected ${JSON.stringify(name)}`,
          );
      }
    },
  }),
  serverCase({
    id: 'server.catalog.icons',
    description:
      "A listed app's icon of a declared size is served with its bytes and type, a sandbox CSP and nosniff, and undeclared sizes or unlisted apps answer 404",
    requirements: ['API-095', 'API-096'],
    why: "A partner SVG served without the sandbox runs script on the platform's origin; an icon of another size or app is a wrong image in the store.",
    async run(t) {
      const shared = await t.world.sharedRelease(t.scope);
      const { hidden } = await catalogWorld(t);
      const appId = shared.version.app.appId;
      for (const [size, path] of [
        ['192x192', 'icons/icon-192.png'],
        ['512x512', 'icons/icon-512.png'],
      ] as const) {
        const exchange = await t.send({ path: `/v1/catalog/apps/${appId}/icons/${size}` });
        expectStatus(exchange, 200);
        const expected =
          shared.version.pkg.entries.find((e) => e.path === path)?.data ?? new Uint8Array();
        if (!equalBytes(exchange.body, expected))
          throw new CaseFailure(`icon ${size} is not the package's ${path}`);
        if (exchange.headers.get('content-type')?.split(';')[0] !== 'image/png')
          throw new CaseFailure(
            `icon ${size} has Content-Type ${exchange.headers.get('content-type')}`,
          );
        const csp = exchange.headers.get('content-security-policy');
        if (csp !== "sandbox; default-src 'none'; style-src 'unsafe-inline'")
          throw new CaseFailure(`icon ${size} has Content-Security-Policy ${JSON.stringify(csp)}`);
        if (exchange.headers.get('x-content-type-options') !== 'nosniff')
          throw new CaseFailure(
            `icon ${size} has X-Content-Type-Options ${JSON.stringify(exchange.headers.get('x-content-type-options'))}`,
          );
      }
      expectStatus(
        await t.send({ path: `/v1/catalog/apps/${appId}/icons/64x64` }),
        404,
        'API_NOT_FOUND',
      );
      expectStatus(
        await t.send({
          path: `/v1/catalog/apps/${hidden.unreleased?.appId ?? 'x.y'}/icons/192x192`,
        }),
        404,
        'API_NOT_FOUND',
      );
    },
  }),
  serverCase({
    id: 'server.catalog.recommendations-explained',
    description:
      'Every recommendation names a reason and a listed app, and the same device id gets the same items whatever the credential, User-Agent or Accept-Language',
    requirements: ['API-052'],
    why: 'Recommendations may use no personal data but the pseudonymous device id; answers that change with the credential or the browser show that they do.',
    async run(t) {
      const device = await t.world.device(t.scope);
      await catalogWorld(t);
      const ask = async (token: string, headers: Record<string, string>) =>
        bodyOf<{ items: { app: { appId: string }; reason?: string }[] }>(
          await t.send({
            path: '/v1/catalog/recommendations',
            token,
            headers,
            query: { deviceId: device.deviceId, locale: 'en', limit: 100 },
          }),
        );
      const body = await ask(device.token, {});
      for (const item of body.items) {
        if (!item.reason)
          throw new CaseFailure(`the recommendation of ${item.app.appId} has no reason`);
        expectStatus(
          await t.send({
            path: `/v1/catalog/apps/${item.app.appId}`,
            token: device.token,
            quiet: true,
          }),
          200,
        );
      }
      const others = [
        await ask(device.token, {
          'user-agent': 'CertifyBrowser/9.9 (Linux)',
          'accept-language': 'fr',
        }),
      ];
      if (t.world.principals.complete)
        others.push(
          await ask((await t.world.device(t.scope, 'reco')).token, { 'user-agent': 'Other/1.0' }),
        );
      for (const other of others) {
        if (JSON.stringify(other.items) !== JSON.stringify(body.items))
          throw new CaseFailure(
            'the same device id got other recommendations when only the credential or request headers changed',
          );
      }
    },
  }),
];
