import manifestSchema from '#schemas/manifest/manifest.schema.json' with { type: 'json' };
import type { App, AppPage } from './api-types.ts';
import { routeHref, type ConsoleContext } from './console-shell.ts';
import { el } from './dom-builder.ts';
import { actionForm, field, select, table } from './form-controls.ts';
import { formatTime } from './quantity-format.ts';

/** The closed category list of the manifest schema [MAN-027], so the form offers only valid ids. */
const categories: readonly string[] = manifestSchema.$defs.category.enum;

function createAppForm(context: ConsoleContext): HTMLFormElement {
  const appId = el('input', {
    attrs: {
      name: 'appId',
      required: true,
      placeholder: 'com.example.shop',
      pattern: '[a-z][a-z0-9\\-]*(\\.[a-z0-9][a-z0-9\\-]*)+',
      autocomplete: 'off',
    },
  });
  const name = el('input', { attrs: { name: 'name', required: true, maxlength: 200 } });
  const category = select(
    'category',
    categories.map((c) => [c, c] as const),
  );
  return actionForm(
    context,
    { label: 'Claim an app id', submit: 'Create app' },
    [
      el('h2', {}, 'New app'),
      el(
        'div',
        { class: 'row' },
        field('App id', appId, 'Reverse DNS under a domain you control.'),
        field('Name', name),
        field('Category', category),
      ),
    ],
    async () => {
      const app = await context.api.json<App>('POST', '/v1/partner/apps', {
        appId: appId.value.trim(),
        name: name.value.trim(),
        category: category.value,
      });
      location.hash = routeHref('apps', app.appId);
      return `Created ${app.appId}.`;
    },
  );
}

/** The partner's apps with a form to claim a new app id. */
export async function appListView(context: ConsoleContext): Promise<Node> {
  const page = await context.api.json<AppPage>('GET', '/v1/partner/apps?limit=100');
  const rows = page.items.map((app) =>
    el(
      'tr',
      {},
      el('td', {}, el('a', { attrs: { href: routeHref('apps', app.appId) } }, app.appId)),
      el('td', {}, app.name),
      el('td', {}, app.category),
      el('td', { class: 'num' }, app.latestVersionCode ?? '–'),
      el('td', {}, formatTime(app.createdAt)),
    ),
  );
  return el(
    'section',
    { attrs: { 'aria-labelledby': 'apps-title' } },
    el('h1', { attrs: { id: 'apps-title' } }, 'My apps'),
    table(
      ['App id', 'Name', 'Category', 'Latest versionCode', 'Created'],
      rows,
      'No apps yet: claim an app id below.',
    ),
    page.nextCursor ? el('p', { class: 'muted' }, 'Showing the first 100 apps.') : null,
    createAppForm(context),
  );
}
