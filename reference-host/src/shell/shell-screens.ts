/**
 * The screens around a mini-app: the launch progress, the app screen with its top bar (the app's
 * name, an action menu and a close button), the "update the app" screen [VER-008], the "not
 * available" screen [ADR-008] and the error screen, each marked with `data-openminiapp-screen`
 * [CNF-032] while it is shown.
 */
import type { BundleProgress } from '../distribution/transfer.ts';
import type { HostScreens, LaunchingApp } from '../host/host-screens.ts';
import type { NavigationBar } from '../host/host-ui.ts';
import { byId, h, monogram } from './dom.ts';
import { icon } from './icons.ts';

const stepWords: Record<string, string> = {
  cache: 'Checking this device',
  metadata: 'Checking signatures',
  download: 'Downloading',
  verify: 'Verifying the package',
  compatibility: 'Checking compatibility',
  extract: 'Installing',
  load: 'Opening',
  handshake: 'Connecting',
};

export interface ScreenActions {
  close(): void;
  menu(): void;
  retry(appId: string): void;
  home(): void;
}

export class ShellScreens implements HostScreens {
  #current: LaunchingApp | undefined;
  iconFor: (appId: string) => string | undefined = () => undefined;
  /** The catalog's name of an app, for screens shown before its manifest was read. */
  nameFor: (appId: string) => string | undefined = () => undefined;

  #named(app: LaunchingApp): LaunchingApp {
    return app.name === app.appId ? { ...app, name: this.nameFor(app.appId) ?? 'Mini-app' } : app;
  }

  constructor(private readonly actions: ScreenActions) {}

  frameContainer(): HTMLElement {
    return byId('frames');
  }

  get currentApp(): LaunchingApp | undefined {
    return this.#current;
  }

  #show(screen: 'home' | 'app' | 'settings'): void {
    for (const id of ['home', 'app-screen', 'settings']) {
      byId(id).hidden = id !== (screen === 'app' ? 'app-screen' : screen);
    }
    document.body.dataset.screen = screen;
  }

  #icon(app: LaunchingApp): HTMLElement {
    const url = app.iconUrl ?? this.iconFor(app.appId);
    return url ? h('img', { class: 'app-icon', src: url, alt: '' }) : monogram(app.name, app.appId);
  }

  #bar(app: LaunchingApp, options: { simulator?: boolean } = {}): void {
    const bar = byId('app-bar');
    bar.replaceChildren(
      h(
        'button',
        {
          class: 'bar-button',
          'aria-label': 'Close',
          'data-testid': 'app-close',
          onclick: () => this.actions.close(),
        },
        icon('close'),
      ),
      h(
        'div',
        { class: 'bar-title' },
        h('span', { id: 'app-title', 'data-testid': 'app-title' }, app.name),
        options.simulator
          ? h(
              'span',
              { class: 'badge simulator', 'data-testid': 'simulator-badge' },
              'SIMULATOR · unsigned',
            )
          : null,
      ),
      h(
        'button',
        {
          class: 'bar-button',
          'aria-label': 'More',
          'data-testid': 'app-menu',
          onclick: () => this.actions.menu(),
        },
        icon('more'),
      ),
    );
    bar.style.removeProperty('background');
    bar.classList.remove('light-text');
    bar.classList.toggle('simulator', options.simulator === true);
  }

  /** [ui.setNavigationBar] the app may colour the bar and set its title; the close button stays. */
  applyNavigationBar(appId: string, bar: NavigationBar): void {
    if (this.#current?.appId !== appId) return;
    const element = byId('app-bar');
    if (bar.backgroundColor) element.style.background = bar.backgroundColor;
    if (bar.textStyle) element.classList.toggle('light-text', bar.textStyle === 'light');
    if (bar.title !== undefined) byId('app-title').textContent = bar.title || this.#current.name;
  }

  #overlay(content: HTMLElement | null): void {
    const overlay = byId('overlay');
    overlay.replaceChildren(...(content ? [content] : []));
    overlay.hidden = content === null;
  }

  loading(given: LaunchingApp, step: string, progress?: BundleProgress): void {
    const app = this.#named(given);
    if (this.#current?.appId !== app.appId || byId('app-screen').hidden) {
      this.#current = app;
      this.#show('app');
      this.#bar(app);
    }
    const percent = progress
      ? Math.round((progress.received / Math.max(1, progress.total)) * 100)
      : undefined;
    const words = progress ? `Downloading · ${percent}%` : (stepWords[step] ?? step);
    this.#overlay(
      h(
        'div',
        { class: 'launching', 'data-testid': 'launching' },
        h('div', { class: 'launch-icon' }, this.#icon(app)),
        h('p', { class: 'launch-name' }, app.name),
        h(
          'div',
          { class: 'progress', role: 'progressbar', 'aria-valuenow': percent ?? 0 },
          h('span', { class: percent === undefined ? 'indeterminate' : '', style: undefined }),
        ),
        h('p', { class: 'fine', 'data-testid': 'launch-step' }, words),
      ),
    );
    if (percent !== undefined) {
      const bar = byId('overlay').querySelector<HTMLElement>('.progress span');
      if (bar) bar.style.width = `${percent}%`;
    }
  }

  showApp(app: LaunchingApp, options: { simulator: boolean }): void {
    this.#current = {
      ...app,
      ...(this.#current?.appId === app.appId && this.#current.iconUrl
        ? { iconUrl: this.#current.iconUrl }
        : {}),
    };
    this.#show('app');
    this.#bar(app, options);
    this.#overlay(null);
    for (const frame of byId('frames').querySelectorAll<HTMLIFrameElement>('iframe')) {
      frame.hidden = frame.getAttribute('data-openminiapp-app') !== app.appId;
    }
  }

  updateRequired(given: LaunchingApp, minHostVersion: string): void {
    const app = this.#named(given);
    this.#current = app;
    this.#show('app');
    this.#bar(app);
    this.#overlay(
      h(
        'div',
        {
          class: 'notice',
          'data-testid': 'update-required',
          'data-openminiapp-screen': 'updateRequired',
        },
        h('div', { class: 'notice-art' }, icon('update', 40)),
        h('h2', {}, 'Update Open Mini-App'),
        h(
          'p',
          {},
          `${app.name} needs a newer version of this app (bridge API ${minHostVersion}). Your version implements an older one.`,
        ),
        h(
          'button',
          {
            class: 'primary wide',
            onclick: () => window.open('https://openminiapp.dev/get', '_blank', 'noopener'),
          },
          'Update the app',
        ),
        h('button', { class: 'link', onclick: () => this.actions.home() }, 'Not now'),
      ),
    );
  }

  notAvailable(appId: string): void {
    this.#current = { appId, name: 'Not available' };
    this.#show('app');
    this.#bar(this.#current);
    this.#overlay(
      h(
        'div',
        {
          class: 'notice',
          'data-testid': 'not-available',
          'data-openminiapp-screen': 'notAvailable',
        },
        h('div', { class: 'notice-art' }, icon('question', 40)),
        h('h2', {}, 'This mini-app is not available'),
        h('p', {}, 'The link points to a mini-app that does not exist or is no longer offered.'),
        h('code', {}, appId),
        h(
          'button',
          { class: 'primary wide', onclick: () => this.actions.home() },
          'Back to the store',
        ),
      ),
    );
  }

  failed(given: LaunchingApp, code: string, message: string): void {
    const app = this.#named(given);
    this.#current = app;
    this.#show('app');
    this.#bar(app);
    const security =
      code.startsWith('SIG_') || code.startsWith('PKG_') || code.startsWith('MANIFEST_');
    this.#overlay(
      h(
        'div',
        {
          class: 'notice',
          'data-testid': 'launch-failed',
          'data-code': code,
          'data-openminiapp-screen': 'error',
        },
        h(
          'div',
          { class: `notice-art ${security ? 'danger' : ''}` },
          icon(security ? 'shield' : 'alert', 40),
        ),
        h('h2', {}, security ? 'This mini-app was blocked' : 'The mini-app could not open'),
        h(
          'p',
          {},
          security
            ? 'It did not pass the security checks, so nothing of it was installed or run.'
            : message,
        ),
        h('code', { 'data-testid': 'failure-code' }, code),
        security ? h('p', { class: 'fine' }, message) : null,
        h(
          'div',
          { class: 'actions' },
          h('button', { class: 'secondary', onclick: () => this.actions.home() }, 'Back'),
          h(
            'button',
            { class: 'primary', onclick: () => this.actions.retry(app.appId) },
            'Try again',
          ),
        ),
      ),
    );
  }

  home(): void {
    this.#current = undefined;
    this.#overlay(null);
    this.#show('home');
  }

  settings(): void {
    this.#show('settings');
  }
}
