/**
 * The storefront: catalog search and categories, recommendations, recently used apps and favourites
 * (all from the distribution server's catalog routes, none of it trusted for what gets installed),
 * plus opening by QR code: scanning one, and showing an app's own.
 */
import type { CatalogApp } from '../distribution/distribution-client.ts';
import type { SuperApp } from '../host/super-app.ts';
import { byId, h, monogram } from './dom.ts';
import { icon } from './icons.ts';
import { qrCodeSvg } from './qr-code.ts';
import type { ShellUi } from './shell-ui.ts';

interface StorefrontState {
  query: string;
  category: string | undefined;
}

function appIcon(app: { appId: string; name: string; iconUrl?: string }, size = 'md'): HTMLElement {
  const wrap = h('span', { class: `icon ${size}` });
  if (app.iconUrl) {
    const img = h('img', { src: app.iconUrl, alt: '', loading: 'lazy' });
    img.addEventListener('error', () => img.replaceWith(monogram(app.name, app.appId)));
    wrap.append(img);
  } else wrap.append(monogram(app.name, app.appId));
  return wrap;
}

export class Storefront {
  #state: StorefrontState = { query: '', category: undefined };
  #catalog = new Map<string, CatalogApp>();
  #searchTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly host: SuperApp,
    private readonly ui: ShellUi,
    private readonly open: (link: string) => void,
    private readonly scan: () => void,
  ) {}

  catalogEntry(appId: string): CatalogApp | undefined {
    return this.#catalog.get(appId);
  }

  async render(): Promise<void> {
    const root = byId('home');
    const search = h('input', {
      type: 'search',
      placeholder: 'Search mini-apps',
      value: this.#state.query,
      'aria-label': 'Search mini-apps',
      'data-testid': 'search',
    });
    search.addEventListener('input', () => {
      this.#state.query = search.value;
      if (this.#searchTimer) clearTimeout(this.#searchTimer);
      this.#searchTimer = setTimeout(() => void this.#renderCatalog(), 200);
    });
    root.replaceChildren(
      h(
        'header',
        { class: 'home-bar' },
        h('div', {}, h('p', { class: 'eyebrow' }, 'Open Mini-App'), h('h1', {}, 'Discover')),
        h(
          'button',
          {
            class: 'round',
            'aria-label': 'Scan a QR code',
            'data-testid': 'scan',
            onclick: () => this.scan(),
          },
          icon('scan', 22),
        ),
      ),
      h('div', { class: 'search' }, search),
      h('div', { id: 'categories', class: 'chips' }),
      h(
        'section',
        { id: 'recent-section', class: 'shelf', hidden: true },
        h('h2', {}, 'Recently used'),
        h('div', { id: 'recent', class: 'row' }),
      ),
      h(
        'section',
        { id: 'favourites-section', class: 'shelf', hidden: true },
        h('h2', {}, 'Favourites'),
        h('div', { id: 'favourites', class: 'row' }),
      ),
      h(
        'section',
        { id: 'recommended-section', class: 'shelf', hidden: true },
        h('h2', {}, 'Recommended for you'),
        h('div', { id: 'recommended', class: 'cards' }),
      ),
      h(
        'section',
        { class: 'shelf' },
        h('h2', { id: 'catalog-title' }, 'All mini-apps'),
        h('ul', { id: 'catalog', class: 'list', 'data-testid': 'catalog' }),
      ),
    );
    await Promise.all([
      this.#renderCategories(),
      this.#renderCatalog(),
      this.#renderRecommendations(),
    ]);
    await this.#renderShelves();
  }

  async #renderCategories(): Promise<void> {
    if (!this.host.configured || !this.host.client.hasDeviceCredential) return;
    const list = await this.host.client.categories().catch(() => undefined);
    const root = byId('categories');
    const chip = (id: string | undefined, label: string): HTMLElement =>
      h(
        'button',
        {
          class: `chip ${this.#state.category === id ? 'on' : ''}`,
          onclick: () => {
            this.#state.category = id;
            void this.render();
          },
        },
        label,
      );
    root.replaceChildren(
      chip(undefined, 'All'),
      ...(list?.items ?? []).map((c) => chip(c.id, c.label)),
    );
  }

  async #renderCatalog(): Promise<void> {
    const list = byId('catalog');
    let items: CatalogApp[] = [];
    if (this.host.configured && this.host.client.hasDeviceCredential) {
      const page = await this.host.client
        .catalog({
          ...(this.#state.query ? { q: this.#state.query } : {}),
          ...(this.#state.category ? { category: this.#state.category } : {}),
        })
        .catch(() => undefined);
      items = page?.items ?? [];
    }
    for (const item of items) this.#catalog.set(item.appId, item);
    // Installed apps show even without a catalog (offline, or a host without a device credential).
    const installed = (await this.host.records()).filter(
      (r) => r.current && !items.some((i) => i.appId === r.appId),
    );
    const fromInstalled = this.#state.query || this.#state.category ? [] : installed;
    if (items.length === 0 && fromInstalled.length === 0) {
      list.replaceChildren(
        h(
          'li',
          { class: 'empty' },
          this.#state.query ? 'No mini-app matches your search.' : 'No mini-apps yet.',
        ),
      );
      return;
    }
    list.replaceChildren(
      ...items.map((app) =>
        this.#listItem(app.appId, app.name, app.description ?? '', app.category, app.iconUrl),
      ),
      ...fromInstalled.map((r) =>
        this.#listItem(
          r.appId,
          r.current?.manifest.name ?? r.appId,
          r.current?.manifest.description ?? '',
          r.current?.manifest.category ?? '',
          undefined,
        ),
      ),
    );
  }

  #listItem(
    appId: string,
    name: string,
    description: string,
    category: string,
    iconUrl: string | undefined,
  ): HTMLElement {
    return h(
      'li',
      { class: 'item', 'data-app-id': appId },
      h(
        'button',
        {
          class: 'item-open',
          'data-testid': `open-${appId}`,
          onclick: () => this.open(`miniapp://${appId}/`),
        },
        appIcon({ appId, name, ...(iconUrl ? { iconUrl } : {}) }),
        h(
          'span',
          { class: 'item-text' },
          h('strong', {}, name),
          h('span', { class: 'fine' }, description),
          category ? h('span', { class: 'tag' }, category) : null,
        ),
      ),
      h(
        'button',
        {
          class: 'item-qr',
          'aria-label': `QR code of ${name}`,
          'data-testid': `qr-${appId}`,
          onclick: () => this.showQr(appId, name),
        },
        icon('qr', 18),
      ),
    );
  }

  async #renderRecommendations(): Promise<void> {
    if (
      !this.host.configured ||
      !this.host.client.hasDeviceCredential ||
      this.#state.query ||
      this.#state.category
    )
      return;
    const list = await this.host.client
      .recommendations(this.host.config.deviceId)
      .catch(() => undefined);
    const items = list?.items ?? [];
    if (items.length === 0) return;
    byId('recommended-section').hidden = false;
    const reasons: Record<string, string> = {
      popularInCategory: 'Popular in its category',
      newRelease: 'New release',
      similarToInstalled: 'Like apps you use',
      editorial: 'Editors’ pick',
    };
    byId('recommended').replaceChildren(
      ...items
        .slice(0, 6)
        .map(({ app, reason }) =>
          h(
            'button',
            { class: 'card', onclick: () => this.open(`miniapp://${app.appId}/`) },
            appIcon(app, 'lg'),
            h('strong', {}, app.name),
            h('span', { class: 'fine' }, reasons[reason] ?? reason),
          ),
        ),
    );
  }

  async #renderShelves(): Promise<void> {
    const names = async (
      appId: string,
    ): Promise<{ appId: string; name: string; iconUrl?: string }> => {
      const entry = this.#catalog.get(appId);
      if (entry) return { appId, name: entry.shortName ?? entry.name, iconUrl: entry.iconUrl };
      const record = await this.host.record(appId);
      return {
        appId,
        name: record?.current?.manifest.shortName ?? record?.current?.manifest.name ?? appId,
      };
    };
    const tile = (app: { appId: string; name: string; iconUrl?: string }): HTMLElement =>
      h(
        'button',
        { class: 'tile', onclick: () => this.open(`miniapp://${app.appId}/`) },
        appIcon(app),
        h('span', {}, app.name),
      );
    const recent = (await this.host.history()).slice(0, 8);
    byId('recent-section').hidden = recent.length === 0;
    byId('recent').replaceChildren(
      ...(await Promise.all(recent.map((r) => names(r.appId)))).map(tile),
    );
    const favourites = await this.host.favourites();
    byId('favourites-section').hidden = favourites.length === 0;
    byId('favourites').replaceChildren(...(await Promise.all(favourites.map(names))).map(tile));
  }

  /** A mini-app's QR code: its link, which the scanner (or any camera) opens. */
  showQr(appId: string, name: string): void {
    const link = `miniapp://${appId}/`;
    void this.ui.showPanel('qr', (close) =>
      h(
        'section',
        { class: 'share', 'data-testid': 'qr-panel' },
        h('h2', {}, name),
        h('div', { class: 'qr' }, qrCodeSvg(link)),
        h('code', { class: 'link-text', 'data-testid': 'qr-link' }, link),
        h('p', { class: 'fine' }, 'Scan it with the scanner of this app to open it.'),
        h('button', { class: 'primary wide', onclick: close }, 'Done'),
      ),
    );
  }
}
