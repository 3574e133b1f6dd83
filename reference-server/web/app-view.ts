import { analyticsView } from './analytics-view.ts';
import type { App } from './api-types.ts';
import { routeHref, type ConsoleContext } from './console-shell.ts';
import { el } from './dom-builder.ts';
import { releaseView } from './release-view.ts';
import { versionListView } from './version-list-view.ts';

const tabs = {
  versions: { label: 'Versions', view: versionListView },
  releases: { label: 'Releases', view: releaseView },
  analytics: { label: 'Analytics', view: analyticsView },
} as const;

type Tab = keyof typeof tabs;

const isTab = (value: string | undefined): value is Tab => value !== undefined && value in tabs;

/** One app: its name and id, and the tab chosen in the route (versions by default). */
export async function appView(
  context: ConsoleContext,
  appId: string,
  tab: string | undefined,
): Promise<Node> {
  const chosen: Tab = isTab(tab) ? tab : 'versions';
  const [app, content] = await Promise.all([
    context.api.json<App>('GET', `/v1/partner/apps/${encodeURIComponent(appId)}`),
    tabs[chosen].view(context, appId),
  ]);
  return el(
    'section',
    { attrs: { 'aria-labelledby': 'app-title' } },
    el('p', {}, el('a', { attrs: { href: routeHref() } }, '← My apps')),
    el(
      'h1',
      { attrs: { id: 'app-title' } },
      app.name,
      ' ',
      el('code', { class: 'app-id' }, app.appId),
    ),
    el(
      'nav',
      { class: 'tabs', attrs: { 'aria-label': 'App sections' } },
      ...(Object.keys(tabs) as Tab[]).map((name) =>
        el(
          'a',
          {
            attrs: {
              href: routeHref('apps', appId, name),
              'aria-current': name === chosen ? 'page' : undefined,
            },
          },
          tabs[name].label,
        ),
      ),
    ),
    content,
  );
}
