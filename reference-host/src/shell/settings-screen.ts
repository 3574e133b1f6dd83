/**
 * Settings: every remembered permission decision of every mini-app, revocable [PRM-014]; installed
 * apps with their current, kept and staged versions; analytics opt-out and device id reset
 * [ANL-007] [ANL-008]; trust state; and, in development builds, the simulator and the inspector.
 */
import type { PermissionName } from '#schemas/generated/bridge/methods.ts';
import { buildMode, hostReleaseVersion } from '../host/build-mode.ts';
import { randomDeviceId } from '../host/host-config.ts';
import type { SuperApp } from '../host/super-app.ts';
import { byId, h } from './dom.ts';
import { icon } from './icons.ts';
import { permissionWording } from './shell-ui.ts';

export interface SettingsActions {
  back(): void;
  simulate(files: FileList): void;
  toggleInspector(): void;
}

export class SettingsScreen {
  constructor(
    private readonly host: SuperApp,
    private readonly actions: SettingsActions,
  ) {}

  async render(focusAppId?: string): Promise<void> {
    const root = byId('settings');
    const records = await this.host.records();
    const names = new Map(records.map((r) => [r.appId, r.current?.manifest.name ?? r.appId]));
    const decisions = await this.host.permissions.decisions(this.host.userId);
    const byApp = new Map<string, typeof decisions>();
    for (const d of decisions) byApp.set(d.appId, [...(byApp.get(d.appId) ?? []), d]);
    const trust = this.host.trustSummary();
    const optedOut = await this.host.analytics.optedOut();

    const permissionRows = [...byApp.entries()]
      .sort(([a], [b]) => (a === focusAppId ? -1 : b === focusAppId ? 1 : a < b ? -1 : 1))
      .map(([appId, list]) =>
        h(
          'div',
          { class: 'group', 'data-app-id': appId },
          h('h3', {}, names.get(appId) ?? appId),
          ...list.map((d) =>
            h(
              'div',
              { class: 'setting-row', 'data-testid': `decision-${appId}-${d.permission}` },
              h('span', { class: 'setting-icon' }, icon(permissionWording[d.permission].icon)),
              h(
                'span',
                { class: 'setting-text' },
                h('strong', {}, d.permission),
                h('span', { class: 'fine' }, permissionWording[d.permission].title),
              ),
              h(
                'span',
                { class: `state ${d.state}` },
                d.state === 'granted' ? 'Allowed' : 'Denied',
              ),
              h(
                'button',
                {
                  class: 'small',
                  'data-testid': `revoke-${appId}-${d.permission}`,
                  onclick: () =>
                    void this.host
                      .revoke(appId, d.permission as PermissionName)
                      .then(() => this.render(focusAppId)),
                },
                'Reset',
              ),
            ),
          ),
        ),
      );

    const appRows = records.map((r) =>
      h(
        'div',
        { class: 'setting-row', 'data-testid': `installed-${r.appId}` },
        h(
          'span',
          { class: 'setting-text' },
          h('strong', {}, names.get(r.appId) ?? r.appId),
          h(
            'span',
            { class: 'fine' },
            [
              `v${r.current?.version ?? '–'} (${r.current?.versionCode ?? '–'})`,
              r.previous ? `kept ${r.previous.versionCode}` : '',
              r.pending ? `update ${r.pending.versionCode} ready` : '',
              r.rejected.length ? `rolled back ${r.rejected.join(', ')}` : '',
            ]
              .filter(Boolean)
              .join(' · '),
          ),
        ),
        h(
          'button',
          {
            class: 'small danger',
            'data-testid': `uninstall-${r.appId}`,
            onclick: () => void this.host.uninstall(r.appId).then(() => this.render(focusAppId)),
          },
          'Uninstall',
        ),
      ),
    );

    const optOut = h('input', { type: 'checkbox', 'data-testid': 'analytics-optout' });
    optOut.checked = optedOut;
    optOut.addEventListener('change', () => void this.host.analytics.setOptOut(optOut.checked));

    // Tested on the build constant itself, so that the production bundle drops the branch.
    const developer =
      typeof __OMP_BUILD_MODE__ === 'string' && __OMP_BUILD_MODE__ === 'production'
        ? null
        : (() => {
            const picker = h('input', { type: 'file', 'data-testid': 'simulator-input' });
            picker.setAttribute('webkitdirectory', '');
            picker.multiple = true;
            picker.addEventListener('change', () => {
              if (picker.files && picker.files.length > 0) this.actions.simulate(picker.files);
            });
            return h(
              'section',
              { class: 'panel' },
              h('h2', {}, 'Developer'),
              h(
                'p',
                { class: 'fine' },
                'Development build. The simulator runs a mini-app from a local folder without signatures; it is always marked as such.',
              ),
              h('label', { class: 'secondary wide file' }, 'Run a folder in the simulator', picker),
              h(
                'button',
                {
                  class: 'secondary wide',
                  'data-testid': 'toggle-inspector',
                  onclick: () => this.actions.toggleInspector(),
                },
                'Bridge inspector',
              ),
            );
          })();

    root.replaceChildren(
      h(
        'header',
        { class: 'sub-bar' },
        h(
          'button',
          {
            class: 'bar-button',
            'aria-label': 'Back',
            'data-testid': 'settings-back',
            onclick: () => this.actions.back(),
          },
          icon('back'),
        ),
        h('h1', {}, 'Settings'),
        h('span', {}),
      ),
      h(
        'section',
        { class: 'panel', 'data-testid': 'permissions-panel' },
        h('h2', {}, 'Permissions'),
        permissionRows.length > 0
          ? permissionRows
          : h('p', { class: 'fine' }, 'No mini-app has asked for a permission yet.'),
      ),
      h(
        'section',
        { class: 'panel' },
        h('h2', {}, 'Installed mini-apps'),
        appRows.length > 0 ? appRows : h('p', { class: 'fine' }, 'Nothing installed.'),
      ),
      h(
        'section',
        { class: 'panel' },
        h('h2', {}, 'Privacy'),
        h(
          'label',
          { class: 'setting-row toggle' },
          h(
            'span',
            { class: 'setting-text' },
            h('strong', {}, 'Do not send usage statistics'),
            h('span', { class: 'fine' }, 'Launch times and errors of mini-apps, never about you.'),
          ),
          optOut,
        ),
        h(
          'div',
          { class: 'setting-row' },
          h(
            'span',
            { class: 'setting-text' },
            h('strong', {}, 'Device pseudonym'),
            h(
              'span',
              { class: 'fine mono', 'data-testid': 'device-id' },
              this.host.configured ? this.host.config.deviceId : '–',
            ),
          ),
          h(
            'button',
            {
              class: 'small',
              onclick: () => void this.#resetDeviceId().then(() => this.render(focusAppId)),
            },
            'Reset',
          ),
        ),
      ),
      h(
        'section',
        { class: 'panel' },
        h('h2', {}, 'About'),
        h(
          'dl',
          { class: 'facts' },
          h('dt', {}, 'Host'),
          h('dd', {}, `Open Mini-App reference host ${hostReleaseVersion} (${buildMode})`),
          h('dt', {}, 'Bridge API'),
          h('dd', {}, this.host.hostApiVersion),
          h('dt', {}, 'Trust root'),
          h('dd', {}, trust ? `version ${trust.rootVersion}, expires ${trust.rootExpires}` : '–'),
          h('dt', {}, 'Index'),
          h('dd', {}, trust ? `version ${trust.indexVersion}` : '–'),
          h('dt', {}, 'Distribution'),
          h('dd', {}, this.host.configured ? this.host.config.distributionUrl : '–'),
        ),
      ),
      ...(developer ? [developer] : []),
    );
  }

  /** [ANL-007] a new random pseudonym, unlinked to the old one (queued events go with it). */
  async #resetDeviceId(): Promise<void> {
    if (!this.host.configured) return;
    await this.host.analytics.setOptOut(await this.host.analytics.optedOut());
    await this.host.deps.store.deletePrefix('ana/q/');
    await this.host.configure({ ...this.host.config, deviceId: randomDeviceId() });
  }
}
