import { ApiClient } from './api-client.ts';
import { el, replaceChildren } from './dom-builder.ts';
import { errorNotice, successNotice } from './notice.ts';
import { session, signInForm } from './session.ts';

/** What a view may do: call the API, report success or failure, re-render, or move elsewhere. */
export interface ConsoleContext {
  api: ApiClient;
  notify(message: string): void;
  fail(error: unknown): void;
  refresh(): void;
}

/** A console: its name, the role that uses it, its navigation and the view of each route. */
export interface ConsoleDefinition {
  title: string;
  role: string;
  /** Links of the header; `sections` are the first route segments under which a link is current. */
  nav: { href: string; label: string; sections: string[] }[];
  /** Renders the route (the hash split on "/", without the leading "#/"). */
  render(route: string[], context: ConsoleContext): Promise<Node>;
}

/** The route in the location hash, each segment decoded: "#/apps/com.example.shop" is ["apps", "com.example.shop"]. */
export function currentRoute(): string[] {
  return location.hash
    .replace(/^#\/?/, '')
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    });
}

/** A hash link to a route; segments are encoded so that data never changes the link's meaning. */
export function routeHref(...segments: (string | number)[]): string {
  return `#/${segments.map((s) => encodeURIComponent(String(s))).join('/')}`;
}

/** Starts a console in the page's <body>: the sign-in screen, or the navigation and the current view. */
export function startConsole(definition: ConsoleDefinition): void {
  const notices = el('div', { class: 'notices', attrs: { 'aria-live': 'polite' } });
  const main = el('main', { attrs: { id: 'main', tabindex: '-1' } });
  // A refused token ends the session: the sign-in screen comes back with the problem shown.
  const api = new ApiClient(
    () => session.token(),
    () => session.signOut(),
  );
  let generation = 0;

  const context: ConsoleContext = {
    api,
    notify: (message) => replaceChildren(notices, successNotice(message)),
    fail: (error) => {
      replaceChildren(notices, errorNotice(error));
      notices.scrollIntoView({ block: 'nearest' });
    },
    refresh: () => void render(false),
  };

  const signOut = (): void => {
    session.signOut();
    void render();
  };

  async function render(clearNotices = true): Promise<void> {
    const mine = ++generation;
    if (clearNotices) replaceChildren(notices);
    if (!session.token()) {
      document.body.replaceChildren(
        el(
          'div',
          { class: 'signed-out' },
          notices,
          signInForm(definition.title, definition.role, () => void render()),
        ),
      );
      return;
    }
    const route = currentRoute();
    const header = el(
      'header',
      { class: 'top' },
      el('span', { class: 'brand' }, definition.title),
      el(
        'nav',
        { attrs: { 'aria-label': 'Sections' } },
        ...definition.nav.map((item) =>
          el(
            'a',
            {
              attrs: {
                href: item.href,
                'aria-current': item.sections.includes(route[0] ?? '') ? 'page' : undefined,
              },
            },
            item.label,
          ),
        ),
      ),
      el(
        'button',
        { class: 'link', attrs: { type: 'button', id: 'sign-out' }, on: { click: signOut } },
        'Sign out',
      ),
    );
    if (!document.body.contains(main)) {
      document.body.replaceChildren(header, el('div', { class: 'page' }, notices, main));
    } else {
      document.querySelector('header.top')?.replaceWith(header);
    }
    main.setAttribute('aria-busy', 'true');
    try {
      const view = await definition.render(route, context);
      // A slower, older render must not replace the view of a newer route.
      if (mine === generation) replaceChildren(main, view);
    } catch (error) {
      if (mine !== generation) return;
      replaceChildren(main);
      context.fail(error);
      if (!session.token()) void render(false);
    } finally {
      if (mine === generation) main.removeAttribute('aria-busy');
    }
  }

  window.addEventListener('hashchange', () => void render());
  void render();
}
