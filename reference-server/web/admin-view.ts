import type { Partner, PartnerPage, Revocation } from './api-types.ts';
import type { ConsoleContext } from './console-shell.ts';
import { el } from './dom-builder.ts';
import { actionForm, field, table } from './form-controls.ts';
import { formatTime } from './quantity-format.ts';

function partnerSection(context: ConsoleContext, page: PartnerPage): HTMLElement {
  const name = el('input', { attrs: { name: 'name', required: true, maxlength: 200 } });
  const test = el('input', { attrs: { type: 'checkbox', name: 'test' } });
  const rows = page.items.map((p) =>
    el(
      'tr',
      {},
      el('td', {}, p.name),
      el('td', {}, el('code', {}, p.partnerId)),
      el('td', {}, p.test ? 'test' : ''),
      el('td', {}, formatTime(p.createdAt)),
    ),
  );
  return el(
    'section',
    { attrs: { 'aria-labelledby': 'partners-title' } },
    el('h2', { attrs: { id: 'partners-title' } }, 'Partners'),
    table(['Name', 'Partner id', 'Kind', 'Admitted'], rows, 'No partners yet.'),
    actionForm(
      context,
      { label: 'Admit a partner', submit: 'Admit partner' },
      [
        el('h3', {}, 'Admit a partner'),
        el(
          'div',
          { class: 'row' },
          field('Name', name),
          el(
            'div',
            { class: 'field checkbox' },
            el('label', {}, test, ' Test partner (sandbox payments only)'),
          ),
        ),
      ],
      async () => {
        const partner = await context.api.json<Partner>('POST', '/v1/admin/partners', {
          name: name.value.trim(),
          test: test.checked,
        });
        return `Admitted ${partner.name} (${partner.partnerId}).`;
      },
    ),
  );
}

function revokeSection(context: ConsoleContext): HTMLElement {
  const appId = el('input', {
    attrs: { name: 'appId', required: true, placeholder: 'com.example.shop' },
  });
  const versionCode = el('input', {
    attrs: { name: 'versionCode', type: 'number', min: 1, step: 1, required: true },
  });
  const reason = el('textarea', {
    attrs: { name: 'reason', rows: 2, required: true, maxlength: 2000 },
  });
  return el(
    'section',
    { attrs: { 'aria-labelledby': 'revoke-title' } },
    el('h2', { attrs: { id: 'revoke-title' } }, 'Revoke a release'),
    el(
      'p',
      { class: 'muted' },
      'A revocation reaches every device through the next signed index; it cannot be undone.',
    ),
    actionForm(
      context,
      {
        label: 'Revoke a release',
        submit: 'Revoke everywhere',
        class: 'card form danger-zone',
        submitClass: 'danger',
      },
      [
        el('div', { class: 'row' }, field('App id', appId), field('versionCode', versionCode)),
        field('Reason', reason),
      ],
      async () => {
        if (
          !window.confirm(`Revoke ${appId.value} versionCode ${versionCode.value} on every device?`)
        )
          return null;
        const revocation = await context.api.json<Revocation>(
          'POST',
          `/v1/admin/releases/${encodeURIComponent(appId.value.trim())}/${encodeURIComponent(versionCode.value)}/revoke`,
          { reason: reason.value.trim() },
        );
        return `Revoked ${revocation.appId} versionCode ${revocation.versionCode}; published in signed index ${revocation.indexVersion}.`;
      },
    ),
  );
}

/** Admin tasks: the partners and their admission, and revoking a release everywhere. */
export async function adminView(context: ConsoleContext): Promise<Node> {
  const page = await context.api.json<PartnerPage>('GET', '/v1/admin/partners?limit=100');
  return el(
    'div',
    { class: 'stack' },
    el('h1', {}, 'Administration'),
    partnerSection(context, page),
    revokeSection(context),
  );
}
