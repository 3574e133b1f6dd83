import { appListView } from './app-list-view.ts';
import { appView } from './app-view.ts';
import { startConsole } from './console-shell.ts';
import { el } from './dom-builder.ts';
import { keyView } from './key-view.ts';
import { versionReportView } from './version-list-view.ts';

startConsole({
  title: 'Developer portal',
  role: 'partner',
  nav: [
    { href: '#/', label: 'My apps', sections: ['', 'apps'] },
    { href: '#/keys', label: 'Keys', sections: ['keys'] },
  ],
  async render(route, context) {
    const [section, appId, tab, versionCode] = route;
    if (section === undefined) return appListView(context);
    if (section === 'apps' && appId !== undefined) {
      if (tab === 'versions' && versionCode !== undefined)
        return versionReportView(context, appId, versionCode);
      return appView(context, appId, tab);
    }
    if (section === 'keys') return keyView(context);
    return el(
      'p',
      {},
      'There is no such page. ',
      el('a', { attrs: { href: '#/' } }, 'Back to my apps'),
    );
  },
});
