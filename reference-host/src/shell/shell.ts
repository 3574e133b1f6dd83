/**
 * The super app's shell: it composes the host (SuperApp) with the screens the user sees, the deep
 * links and QR codes that open mini-apps, the top bar's action menu, settings and developer aids.
 */
import { App as CapacitorApp } from '@capacitor/app';
import { Capacitor } from '@capacitor/core';
import { capacitorDevice } from '../bridge/device-capabilities.ts';
import { forwardingTransport, directTransport } from '../distribution/distribution-client.ts';
import { buildMode, hostReleaseVersion } from '../host/build-mode.ts';
import type { HostConfig } from '../host/host-config.ts';
import { SuperApp } from '../host/super-app.ts';
import type { LaunchRegistrar, RuntimeOrigins } from '../runtime/runtime-frame.ts';
import { IndexedDbStore } from '../state/indexeddb-store.ts';
import { byId, h } from './dom.ts';
import { icon, type IconName } from './icons.ts';
import { InspectorPanel } from './inspector-panel.ts';
import { openScanner } from './scanner.ts';
import { SettingsScreen } from './settings-screen.ts';
import { ShellScreens } from './shell-screens.ts';
import { ShellUi } from './shell-ui.ts';
import { Storefront } from './storefront.ts';
import { workerExtractor } from '../launch/package-extractor.ts';
import { parseManifest } from '#sdk/manifest/manifest-parser.ts';

export interface Shell {
  host: SuperApp;
  ui: ShellUi;
  screens: ShellScreens;
  storefront: Storefront;
  open(link: string): Promise<void>;
  /**
   * [CNF-030] The conformance adapter's `init.network` (undefined forgets it): the host names to
   * resolve and the certificate authorities to trust for mini-app and distribution traffic.
   */
  network(overrides: unknown): Promise<void>;
}

/** The web runtime's origins: the shell's own, and <label>.localhost on the same port. */
function webOrigins(): RuntimeOrigins {
  const port = location.port;
  return {
    hostOrigin: location.origin,
    runtimeOrigin: (label) => `${location.protocol}//${label}.localhost${port ? `:${port}` : ''}`,
  };
}

const webRegistrar: LaunchRegistrar = async (label, versionKey, launch) => {
  const response = await fetch('/__runtime/register', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-omp-forward': '1' },
    body: JSON.stringify({ label, versionKey, launch }),
  });
  if (!response.ok) throw new Error(`the runtime refused the registration (${response.status})`);
};

/**
 * The browser build's traffic leaves from its own server (forwardingTransport), so the overrides go
 * there. A native build sends through CapacitorHttp, which offers neither name overrides nor extra
 * certificate authorities: it does not apply them (native builds cannot be built or run on the machine
 * this host is developed on, see reference-host/README.md).
 */
async function webNetwork(overrides: unknown): Promise<void> {
  if (Capacitor.isNativePlatform()) return;
  const response = await fetch('/__network', {
    method: overrides === undefined ? 'DELETE' : 'PUT',
    headers: { 'content-type': 'application/json', 'x-omp-forward': '1' },
    ...(overrides === undefined ? {} : { body: JSON.stringify(overrides) }),
  });
  if (!response.ok)
    throw new Error(`the host server refused the network overrides (${response.status})`);
}

/** A link from the shell's own address: ?link=<uri>, or the https form /m/<id>/<page> [ADR-016]. */
function linkFromLocation(): string | undefined {
  const param = new URLSearchParams(location.search).get('link');
  if (param) return param;
  if (location.pathname.startsWith('/m/'))
    return `miniapp://${location.pathname.slice(3)}${location.search}${location.hash}`;
  return undefined;
}

export async function startShell(): Promise<Shell> {
  const ui = new ShellUi();
  const store = await IndexedDbStore.open();
  const open = async (link: string): Promise<void> => {
    const outcome = await host.launch(link);
    if (outcome.kind === 'launched') await host.addHistory(outcome.appId);
  };
  const screens = new ShellScreens({
    close: () => void host.background(),
    menu: () => void actionMenu(),
    retry: (appId) => void open(`miniapp://${appId}/`),
    home: () => {
      screens.home();
      void storefront.render();
    },
  });
  const host: SuperApp = new SuperApp({
    store,
    ui,
    screens,
    origins: webOrigins(),
    registrar: webRegistrar,
    transport: Capacitor.isNativePlatform()
      ? directTransport
      : forwardingTransport(location.origin),
    device: capacitorDevice,
    // The browser build's requests leave through its own server, which a worker can reach too.
    extractor: workerExtractor(
      new URL('/extraction-worker.js', location.href).href,
      Capacitor.isNativePlatform() ? {} : { forwardOrigin: location.origin },
    ),
    info: {
      hostName: 'Open Mini-App',
      hostVersion: hostReleaseVersion,
      platform:
        Capacitor.getPlatform() === 'android'
          ? 'android'
          : Capacitor.getPlatform() === 'ios'
            ? 'ios'
            : 'web',
      language: navigator.language || 'en',
      theme: matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light',
    },
  });
  ui.onNavigationBar = (appId, bar) => screens.applyNavigationBar(appId, bar);
  const scanToOpen = (): void => {
    void ui.showPanel('scanner', (close) =>
      openScanner((text) => {
        close();
        void open(text);
      }, close),
    );
  };
  const storefront = new Storefront(host, ui, (link) => void open(link), scanToOpen);
  screens.iconFor = (appId) => storefront.catalogEntry(appId)?.iconUrl;
  screens.nameFor = (appId) => storefront.catalogEntry(appId)?.name;
  const inspector = new InspectorPanel(host);
  const settings = new SettingsScreen(host, {
    back: () => {
      if (screens.currentApp && host.foregroundApp) void host.foreground(host.foregroundApp);
      else screens.home();
      void storefront.render();
    },
    simulate: (files) => void simulate(files),
    toggleInspector: () => inspector.toggle(),
  });

  async function actionMenu(): Promise<void> {
    const app = screens.currentApp;
    if (!app) return;
    const favourite = (await host.favourites()).includes(app.appId);
    const item = (glyph: IconName, label: string, testid: string, run: () => void): HTMLElement =>
      h(
        'button',
        { class: 'menu-item', 'data-testid': testid, onclick: run },
        h('span', { class: 'menu-icon' }, icon(glyph, 22, glyph === 'star' && favourite)),
        label,
      );
    await ui.showPanel('menu', (close) =>
      h(
        'section',
        { class: 'menu', 'data-testid': 'action-menu' },
        h('p', { class: 'from' }, app.name),
        h(
          'div',
          { class: 'menu-grid' },
          item('share', 'Share', 'menu-share', () => {
            close();
            void ui.shareSheet(app, {
              title: app.name,
              link: `miniapp://${app.appId}/`,
            });
          }),
          item('star', favourite ? 'Unfavourite' : 'Favourite', 'menu-favourite', () => {
            close();
            void host
              .toggleFavourite(app.appId)
              .then((on) =>
                ui.toast(on ? 'Added to favourites' : 'Removed from favourites', 'success', 1500),
              );
          }),
          item('home', 'Add to home', 'menu-home', () => {
            close();
            void host
              .toggleFavourite(app.appId)
              .then(() => ui.toast('Pinned to your home screen', 'success', 1500));
          }),
          item('flag', 'Report', 'menu-report', () => {
            close();
            void feedback(app.appId, app.name, 'report');
          }),
          item('edit', 'Feedback', 'menu-feedback', () => {
            close();
            void feedback(app.appId, app.name, 'feedback');
          }),
          item('settings', 'Settings', 'menu-settings', () => {
            close();
            screens.settings();
            void settings.render(app.appId);
          }),
        ),
        h('button', { class: 'link', onclick: close }, 'Cancel'),
      ),
    );
  }

  /** Reports and feedback stay on the device: the distribution API has no route for them yet. */
  async function feedback(appId: string, name: string, kind: 'report' | 'feedback'): Promise<void> {
    await ui.showPanel(kind, (close) => {
      const text = h('textarea', {
        rows: 4,
        maxlength: 1000,
        placeholder:
          kind === 'report'
            ? 'What is wrong with this mini-app?'
            : 'Tell the developers what you think',
      });
      return h(
        'section',
        { class: 'picker' },
        h('h2', {}, kind === 'report' ? `Report ${name}` : `Feedback on ${name}`),
        text,
        h(
          'div',
          { class: 'actions' },
          h('button', { class: 'secondary', onclick: close }, 'Cancel'),
          h(
            'button',
            {
              class: 'primary',
              onclick: () => {
                void store
                  .put(`${kind}/${appId}/${Date.now()}`, { text: text.value })
                  .then(() => ui.toast('Thank you', 'success', 1500));
                close();
              },
            },
            'Send',
          ),
        ),
      );
    });
  }

  /** Development builds: run a local folder without signatures, marked as a simulation. */
  async function simulate(list: FileList): Promise<void> {
    const files: Record<string, Uint8Array> = {};
    for (const file of [...list]) {
      const relative = (file.webkitRelativePath || file.name).split('/').slice(1).join('/');
      if (relative) files[relative] = new Uint8Array(await file.arrayBuffer());
    }
    const manifestBytes = files['manifest.json'];
    const parsed = manifestBytes ? parseManifest(manifestBytes) : undefined;
    if (!parsed?.manifest) {
      ui.toast('The folder has no valid manifest.json', 'error', 2500);
      return;
    }
    await host.simulate(parsed.manifest, files);
  }

  byId('open-settings').prepend(icon('settings', 16));
  byId('open-settings').addEventListener('click', () => {
    screens.settings();
    void settings.render();
  });
  byId('build-mode').textContent = buildMode === 'production' ? '' : buildMode;

  // Deep links: from the native shell (custom scheme and claimed https links), and from the address.
  void CapacitorApp.addListener('appUrlOpen', ({ url }) => void open(url)).catch(() => undefined);

  if (!(await host.restore())) {
    // The development server's configuration, or the one a native build bundles beside index.html.
    for (const source of ['/__config.json', 'config.json']) {
      const response = await fetch(source).catch(() => undefined);
      if (!response?.ok) continue;
      await host.configure((await response.json()) as HostConfig);
      break;
    }
  }
  screens.home();
  if (host.configured) {
    // One background batch check for every installed app when the host starts.
    void host
      .refresh()
      .catch(() => undefined)
      .then(() => storefront.render());
  }
  // Analytics wait in the queue and leave at most once a minute [ANL-012].
  let lastSent = performance.now();
  setInterval(() => {
    const every = Math.max(60_000, host.configured ? (host.config.analyticsIntervalMs ?? 0) : 0);
    if (!host.configured || performance.now() - lastSent < every - 1_000) return;
    lastSent = performance.now();
    void host.sendAnalytics().catch(() => undefined);
  }, 60_000);
  await storefront.render();
  const link = linkFromLocation();
  if (link && host.configured) void open(link);
  return { host, ui, screens, storefront, open, network: webNetwork };
}
