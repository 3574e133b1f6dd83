import { adminView } from './admin-view.ts';
import { startConsole } from './console-shell.ts';
import { el } from './dom-builder.ts';
import { reviewQueueView, reviewReportView } from './review-queue-view.ts';

startConsole({
  title: 'Review console',
  role: 'reviewer or admin',
  nav: [
    { href: '#/', label: 'Queue', sections: ['', 'versions'] },
    { href: '#/admin', label: 'Administration', sections: ['admin'] },
  ],
  async render(route, context) {
    const [section, appId, versionCode] = route;
    if (section === undefined) return reviewQueueView(context);
    if (section === 'versions' && appId !== undefined && versionCode !== undefined) {
      return reviewReportView(context, appId, versionCode);
    }
    if (section === 'admin') return adminView(context);
    return el(
      'p',
      {},
      'There is no such page. ',
      el('a', { attrs: { href: '#/' } }, 'Back to the queue'),
    );
  },
});
