import { CaseFailure, pass, skip } from '../framework/index.ts';
import { launchProbe } from '../bridge/host-bridge-support.ts';
import { expectOutcome, expectRefused, hostCase } from '../host/host-case.ts';
import { describe } from '../host/host-session.ts';
import { buildProbe, probeAppId, probePages } from '../host/probe/probe-package.ts';
import { probeIn, specOf } from '../signing/host-trust-scenarios.ts';

/** Links (spec/addressing.md): their syntax, resolution and what reaches the page. */

function malformed(
  id: string,
  description: string,
  requirements: string[],
  why: string,
  links: [string, string | string[]][],
) {
  return hostCase({
    id,
    description,
    requirements,
    why,
    async run(s) {
      await s.publishProbe();
      for (const [link, code] of links) {
        const outcome = await s.launch(link);
        expectRefused(
          outcome,
          Array.isArray(code) ? code : [code],
          `the link ${link.slice(0, 100)}`,
        );
        if ((await s.driver.appFrames()).length > 0)
          throw new CaseFailure(`a mini-app frame exists after the link ${link.slice(0, 80)}`);
      }
      return pass();
    },
  });
}

const id = probeAppId;
const neighbour = 'dev.openminiapp.conformance.neighbour';
const third = 'dev.openminiapp.conformance.third';
const fourth = 'dev.openminiapp.conformance.fourth';

export const hostLinkCases = [
  hostCase({
    id: 'host.addressing.link-forms',
    description:
      'A host opens both link forms, compares the scheme case-insensitively and splits the miniapp form itself at the first / ? #',
    requirements: ['ADR-001', 'ADR-002'],
    why: 'A generic URL parser reads id@version as user@host; a host that relies on it opens the wrong app or none.',
    async run(s) {
      await s.publishProbe();
      expectOutcome(await s.launch(`MiniApp://${id}/`), 'launched', 1, 'an upper-case scheme');
      expectOutcome(
        await s.launch(`miniapp://${id}@1.0.1/${probePages.second}`),
        'launched',
        1,
        'an id followed by @version',
      );
      return pass();
    },
  }),
  malformed(
    'host.addressing.malformed-links',
    'A host refuses links with another scheme, user information, a port or an empty segment with LINK_MALFORMED and opens nothing',
    ['ADR-001'],
    'Anything but the two forms is not a link; guessing what it meant opens apps no one asked for.',
    [
      [`https://example.com/${id}/`, 'LINK_MALFORMED'],
      [`miniapp:${id}/`, 'LINK_MALFORMED'],
      [`miniapp://${id}:8080/`, 'LINK_MALFORMED'],
      // An empty segment breaks ADR-001 and ADR-005 at once: either code names it.
      [`miniapp://${id}//pages/index.html`, ['LINK_MALFORMED', 'LINK_INVALID_PAGE']],
    ],
  ),
  malformed(
    'host.addressing.link-id',
    'A host refuses a link whose id is not a valid manifest id with LINK_INVALID_ID',
    ['ADR-003'],
    'The id decides which app runs; an id the manifest rules reject cannot name one.',
    [
      ['miniapp://Dev.Example.Shop/', 'LINK_INVALID_ID'],
      ['miniapp://example/', 'LINK_INVALID_ID'],
      ['miniapp://dev..example/', 'LINK_INVALID_ID'],
      ['miniapp://dev.1example.shop/', 'LINK_INVALID_ID'],
    ],
  ),
  malformed(
    'host.addressing.link-version',
    'A host refuses a link whose version is not a Semantic Versioning 2.0.0 version with LINK_INVALID_VERSION',
    ['ADR-004'],
    'A pin that is not a version cannot be compared exactly.',
    [
      [`miniapp://${id}@1.0/`, 'LINK_INVALID_VERSION'],
      [`miniapp://${id}@01.0.0/`, 'LINK_INVALID_VERSION'],
      [`miniapp://${id}@latest/`, 'LINK_INVALID_VERSION'],
    ],
  ),
  malformed(
    'host.addressing.link-page',
    'A host refuses page segments that are empty, . or .., or decode to /, \\ or a control character, with LINK_INVALID_PAGE',
    ['ADR-005'],
    'Path traversal through the page of a link must be impossible before any lookup.',
    [
      [`miniapp://${id}/pages/../manifest.json`, 'LINK_INVALID_PAGE'],
      [`miniapp://${id}/pages/%2E%2E/manifest.json`, 'LINK_INVALID_PAGE'],
      [`miniapp://${id}/pages%2Findex.html`, 'LINK_INVALID_PAGE'],
      [`miniapp://${id}/pages%5Cindex.html`, 'LINK_INVALID_PAGE'],
      [`miniapp://${id}/pages/%00.html`, 'LINK_INVALID_PAGE'],
      [`miniapp://${id}/pages/%FF.html`, 'LINK_INVALID_PAGE'],
    ],
  ),
  malformed(
    'host.addressing.link-lengths',
    'A host refuses a query above 2048 bytes with LINK_QUERY_TOO_LONG and a link above 4096 bytes with LINK_TOO_LONG',
    ['ADR-006', 'ADR-007'],
    'Bounded links keep QR codes readable and parsers cheap.',
    [
      [`miniapp://${id}/?q=${'a'.repeat(2050)}`, 'LINK_QUERY_TOO_LONG'],
      [`miniapp://${id}/${'p/'.repeat(1000)}index.html#${'f'.repeat(2200)}`, 'LINK_TOO_LONG'],
    ],
  ),
  hostCase({
    id: 'host.addressing.not-available',
    description:
      'A host launches nothing for a link whose app it cannot find and shows its notAvailable screen',
    requirements: ['ADR-008', 'CNF-032'],
    why: 'An unknown id must not fall back to another app; the user is told the app is not available.',
    async run(s) {
      await s.publishProbe();
      const outcome = await s.launch('miniapp://dev.openminiapp.conformance.nowhere/');
      expectOutcome(outcome, 'notAvailable', undefined, 'a link to an app no bin lists');
      const screen = await s.waitForScreen('notAvailable', 5_000);
      if (!screen)
        throw new CaseFailure('no element marked data-openminiapp-screen="notAvailable" is shown');
      if ((await s.driver.appFrames()).length > 0)
        throw new CaseFailure('a mini-app frame exists after the link');
      return pass(screen.text.slice(0, 80));
    },
  }),
  hostCase({
    id: 'host.addressing.entry-page-fallback',
    description:
      "A host opens the app's entry page when the link's page is empty or not a page of the manifest",
    requirements: ['ADR-009', 'PKG-061'],
    why: 'A stale or made-up page falls back to the entry page instead of an error or a file that is not a page.',
    async run(s) {
      // Each link opens another app, so that each is a cold start: a link to an app that already
      // runs may just bring it back, which would show nothing about the page of the link.
      const links: [string, string][] = [
        [id, ''],
        [neighbour, 'pages/unknown.html'],
        [third, probePages.notAPage],
        [fourth, 'manifest.json'],
      ];
      for (const [appId, page] of links) {
        await s.publishProbe({ appId });
        const outcome = await s.launch(`miniapp://${appId}/${page}`);
        expectOutcome(outcome, 'launched', 1, `a link to "${page}"`);
        const shown = await s.probe<string>(appId, '(p) => p.page');
        if (shown !== probePages.entry)
          throw new CaseFailure(`a link to "${page}" opened ${shown}, not the entry page`);
      }
      return pass();
    },
  }),
  hostCase({
    id: 'host.addressing.non-page-never-top-level',
    description:
      'A host never loads a package file that is not a page as a document of the mini-app, even when the app navigates to it',
    requirements: ['PKG-061'],
    why: 'Any HTML file in a package becoming a document widens what review has to check; only declared pages run.',
    async run(s) {
      const { appId } = await launchProbe(s);
      await s.probe(
        appId,
        '(p) => { setTimeout(() => { location.href = "../static/not-a-page.html"; }, 50); return true; }',
      );
      await new Promise((r) => setTimeout(r, 2_500));
      const shown = await s.driver.inApp(appId, () =>
        s.driver.execute<string | null>(
          'return window.__openMiniAppProbe ? window.__openMiniAppProbe.page : null',
        ),
      );
      if (shown.value === probePages.notAPage)
        throw new CaseFailure(
          `${probePages.notAPage}, which no manifest lists as a page, ran as a document`,
        );
      return pass(`the frame shows ${shown.value ?? 'no probe document'}`);
    },
  }),
  hostCase({
    id: 'host.addressing.version-ignored-outside-preview',
    description:
      "A host on the stable channel ignores a link's version and opens the current release",
    requirements: ['ADR-010'],
    why: 'Version pins are for preview channels; on stable they would let links roll users back.',
    async run(s) {
      const pkg = await probeIn(s);
      s.world.addRelease(pkg.appId, specOf(pkg));
      s.world.addRelease(pkg.appId, specOf(buildProbe({ versionCode: 2 })));
      s.world.publish();
      const outcome = await s.launch(`miniapp://${id}@${pkg.version}/`);
      expectOutcome(outcome, 'launched', 2, `a link pinning ${pkg.version}`);
      return pass(describe(outcome));
    },
  }),
  hostCase({
    id: 'host.addressing.pinned-release-exact',
    description:
      'A host that opens pinned releases on a testing channel opens the release whose version equals the pin exactly, build metadata included',
    requirements: ['ADR-150'],
    why: 'SemVer precedence ignores build metadata; the pin must select by exact string and then by versionCode.',
    session: { channel: 'beta' },
    async run(s) {
      const a = await probeIn(s, { versionCode: 1, version: '1.0.0+a' });
      s.world.addRelease(a.appId, specOf(a, { channel: 'beta' }));
      s.world.addRelease(
        a.appId,
        specOf(buildProbe({ versionCode: 2, version: '1.0.0+b' }), { channel: 'beta' }),
      );
      s.world.addRelease(
        a.appId,
        specOf(buildProbe({ versionCode: 3, version: '1.0.0' }), { channel: 'beta' }),
      );
      s.world.publish();
      const outcome = await s.launch(`miniapp://${id}@1.0.0+a/`);
      if (outcome.kind === 'launched' && outcome.versionCode === 3) {
        return skip(
          'the host opens the current release for pinned links on its testing channel: it does not implement the optional ADR-011',
        );
      }
      expectOutcome(outcome, 'launched', 1, 'a link pinning 1.0.0+a');
      return pass();
    },
  }),
  hostCase({
    id: 'host.addressing.query-and-fragment',
    description:
      "A host hands the link's query and fragment to the page unchanged as location.search and location.hash, also when the link's page is empty or unknown and the entry page opens",
    requirements: ['ADR-012', 'ADR-009'],
    why: 'Pages read their parameters from their URL; a host that re-encodes or drops them, or keeps them only for a named page, changes what the link said (a QR code is usually miniapp://<id>/?ref=...).',
    async run(s) {
      await s.publishProbe();
      const query = '?sku=47%2011&tag=a+b&empty=&utf=%C3%A9';
      const fragment = '#section-2?x=1';
      // Each link opens another app, so that each is a cold start: what a host does with a link to
      // an app that already runs is not what this case is about.
      const links: [string, string, string][] = [
        [id, probePages.second, probePages.second],
        [neighbour, '', probePages.entry],
        [third, 'pages/unknown.html', probePages.entry],
      ];
      for (const [appId, page, expected] of links) {
        if (appId !== id) await s.publishProbe({ appId });
        const link = `${page}${query}${fragment}`;
        await s.launchProbe(appId, link);
        const seen = await s.probe<{ search: string; hash: string; page: string }>(
          appId,
          '(p) => ({ search: location.search, hash: location.hash, page: p.page })',
        );
        const what = `the link miniapp://${appId}/${link}`;
        if (seen.page !== expected)
          throw new CaseFailure(`${what} opened ${seen.page}, not ${expected}`);
        if (seen.search !== query)
          throw new CaseFailure(`after ${what}, location.search is ${seen.search || '(empty)'}`);
        if (seen.hash !== fragment)
          throw new CaseFailure(`after ${what}, location.hash is ${seen.hash || '(empty)'}`);
      }
      return pass();
    },
  }),
];
