import type { Release, ReleasePage, VersionPage } from './api-types.ts';
import type { ConsoleContext } from './console-shell.ts';
import { el } from './dom-builder.ts';
import { actionButton, actionForm, field, select, table } from './form-controls.ts';
import { formatTime } from './quantity-format.ts';

type Action = 'pause' | 'resume' | 'complete' | 'rollback';

/** The actions the release state table of spec/distribution.md allows from each state [API-076]. */
export const allowedActions: Record<Release['state'], readonly Action[]> = {
  rollingOut: ['pause', 'complete', 'rollback'],
  paused: ['resume', 'complete', 'rollback'],
  completed: ['rollback'],
  rolledBack: [],
  revoked: [],
};

const actionLabels: Record<Action, string> = {
  pause: 'Pause',
  resume: 'Resume',
  complete: 'Complete',
  rollback: 'Roll back',
};

function releasePath(appId: string, releaseId?: string): string {
  const base = `/v1/partner/apps/${encodeURIComponent(appId)}/releases`;
  return releaseId ? `${base}/${encodeURIComponent(releaseId)}` : base;
}

/** A number input for a rollout percentage: 0 to 100 with at most two decimals [API-077]. */
function percentInput(name: string, value: number, min = 0): HTMLInputElement {
  return el('input', {
    attrs: {
      type: 'number',
      name,
      min,
      max: 100,
      step: 0.01,
      value,
      required: true,
      inputmode: 'decimal',
    },
  });
}

function widenControl(context: ConsoleContext, appId: string, release: Release): HTMLElement {
  const input = percentInput(
    'rolloutPercent',
    Math.min(100, release.rolloutPercent),
    release.rolloutPercent,
  );
  input.classList.add('narrow');
  input.setAttribute('aria-label', `New rollout percentage of versionCode ${release.versionCode}`);
  return el(
    'span',
    { class: 'widen' },
    input,
    actionButton(
      context,
      'Widen',
      async () => {
        const updated = await context.api.json<Release>(
          'PATCH',
          releasePath(appId, release.releaseId),
          {
            rolloutPercent: Number(input.value),
          },
        );
        return `Rollout of versionCode ${updated.versionCode} is now ${updated.rolloutPercent} %.`;
      },
      { name: 'widen' },
    ),
  );
}

function releaseRow(context: ConsoleContext, appId: string, release: Release): HTMLTableRowElement {
  const actions = allowedActions[release.state].map((action) =>
    actionButton(
      context,
      actionLabels[action],
      async () => {
        const updated = await context.api.json<Release>(
          'POST',
          `${releasePath(appId, release.releaseId)}/${action}`,
        );
        return `Release of versionCode ${updated.versionCode} is now ${updated.state}.`;
      },
      {
        name: action,
        ...(action === 'rollback'
          ? {
              confirm: `Roll back versionCode ${release.versionCode}? Devices will no longer be offered it.`,
            }
          : {}),
      },
    ),
  );
  const meter = el('meter', {
    attrs: { min: 0, max: 100, value: release.rolloutPercent, 'aria-label': 'Rollout percentage' },
  });
  return el(
    'tr',
    { attrs: { 'data-release': release.releaseId } },
    el('td', { class: 'num' }, release.versionCode),
    el('td', {}, release.channel),
    el('td', {}, el('span', { class: `badge state-${release.state}` }, release.state)),
    el('td', { class: 'rollout' }, meter, ` ${release.rolloutPercent} %`),
    el('td', {}, release.mandatory ? 'yes' : 'no'),
    el('td', {}, formatTime(release.updatedAt)),
    el(
      'td',
      { class: 'row-actions' },
      ...actions,
      release.state === 'rollingOut' || release.state === 'paused'
        ? widenControl(context, appId, release)
        : null,
    ),
  );
}

function createReleaseForm(
  context: ConsoleContext,
  appId: string,
  approved: readonly number[],
): HTMLElement {
  if (approved.length === 0) {
    return el(
      'p',
      { class: 'card muted' },
      'No approved version yet: a release needs a version that passed review.',
    );
  }
  const version = select(
    'versionCode',
    approved.map((code) => [String(code), `versionCode ${code}`] as const),
  );
  const channel = select('channel', [
    ['stable', 'stable'],
    ['beta', 'beta'],
  ]);
  const rollout = percentInput('rolloutPercent', 10);
  const mandatory = el('input', { attrs: { type: 'checkbox', name: 'mandatory' } });
  return actionForm(
    context,
    { label: 'Create a release', submit: 'Create release' },
    [
      el('h2', {}, 'New release'),
      el(
        'div',
        { class: 'row' },
        field('Version', version),
        field('Channel', channel),
        field(
          'Rollout (%)',
          rollout,
          'Devices are chosen by a stable hash; raising it only adds devices.',
        ),
        el('div', { class: 'field checkbox' }, el('label', {}, mandatory, ' Mandatory update')),
      ),
    ],
    async () => {
      const created = await context.api.json<Release>('POST', releasePath(appId), {
        versionCode: Number(version.value),
        channel: channel.value,
        rolloutPercent: Number(rollout.value),
        mandatory: mandatory.checked,
      });
      return `Released versionCode ${created.versionCode} on ${created.channel} at ${created.rolloutPercent} %.`;
    },
  );
}

/** The releases of an app with their actions, and the form to release an approved version. */
export async function releaseView(context: ConsoleContext, appId: string): Promise<Node> {
  const appPath = `/v1/partner/apps/${encodeURIComponent(appId)}`;
  const [releases, versions] = await Promise.all([
    context.api.json<ReleasePage>('GET', `${releasePath(appId)}?limit=100`),
    context.api.json<VersionPage>('GET', `${appPath}/versions?limit=100`),
  ]);
  const approved = versions.items
    .filter((v) => v.reviewStatus === 'approved')
    .map((v) => v.versionCode);
  return el(
    'div',
    {},
    table(
      ['versionCode', 'Channel', 'State', 'Rollout', 'Mandatory', 'Updated', 'Actions'],
      releases.items.map((r) => releaseRow(context, appId, r)),
      'No releases yet.',
    ),
    createReleaseForm(context, appId, approved),
  );
}
