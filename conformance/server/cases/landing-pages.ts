import { CaseFailure } from '../../framework/index.ts';
import { serverCase } from '../server-case.ts';
import { describeExchange, jsonOf } from '../subject/http-exchange.ts';

export const landingCases = [
  serverCase({
    id: 'server.links.landing-page',
    description:
      "A browser GET of the https form of a listed app's link answers 200 with an HTML landing page naming the app, and of an unknown id 404",
    requirements: ['ADR-015'],
    why: 'The https form is what a phone camera opens where the super app is missing; an error there loses the user.',
    async run(t) {
      const shared = await t.world.sharedRelease(t.scope);
      const appId = shared.version.app.appId;
      const page = await t.send({
        path: `/m/${appId}/pages/index.html`,
        headers: { accept: 'text/html' },
      });
      if (page.status !== 200)
        throw new CaseFailure(`the landing page of ${appId} answered ${page.status}`, [
          describeExchange(page),
        ]);
      if (!(page.headers.get('content-type') ?? '').startsWith('text/html'))
        throw new CaseFailure(`the landing page is ${page.headers.get('content-type')}, not HTML`);
      if (!new TextDecoder().decode(page.body).includes(t.world.sharedName('en')))
        throw new CaseFailure('the landing page does not name the app');
      const unknown = await t.send({
        path: `/m/${appId}.unknown/`,
        headers: { accept: 'text/html' },
      });
      if (unknown.status !== 404 || jsonOf<{ code?: string }>(unknown)?.code !== 'API_NOT_FOUND') {
        throw new CaseFailure(
          `the landing page of an unknown id answered ${unknown.status}, not 404 API_NOT_FOUND`,
        );
      }
    },
  }),
  serverCase({
    id: 'server.links.malformed-links',
    description:
      'https links with an invalid id or version, a dot-segment or empty page segment, a query over 2048 bytes or a length over 4096 bytes answer 404 API_NOT_FOUND',
    requirements: ['ADR-015'],
    why: 'A server that normalises a malformed link serves a page for a link hosts refuse, or for another app than the one named.',
    async run(t) {
      const shared = await t.world.sharedRelease(t.scope);
      const appId = shared.version.app.appId;
      const links = [
        `/m/${appId.toUpperCase()}/`,
        `/m/${appId}@not-a-version/`,
        `/m/${appId}/pages/%2E%2E/manifest.json`,
        `/m/${appId}/pages//index.html`,
        `/m/${appId}/pages/index.html?${'q'.repeat(2049)}`,
        `/m/${appId}/${'p'.repeat(4100)}`,
      ];
      for (const path of links) {
        const exchange = await t.send({ path, headers: { accept: 'text/html' }, quiet: true });
        if (
          exchange.status !== 404 ||
          jsonOf<{ code?: string }>(exchange)?.code !== 'API_NOT_FOUND'
        ) {
          throw new CaseFailure(
            `${path.slice(0, 80)} answered ${exchange.status}, not 404 API_NOT_FOUND`,
            [describeExchange(exchange)],
          );
        }
      }
    },
  }),
];
