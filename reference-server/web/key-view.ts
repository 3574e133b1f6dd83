import type { ApiKeyCreated, ApiKeyList, PartnerKey, PartnerKeyList } from './api-types.ts';
import type { ConsoleContext } from './console-shell.ts';
import { el } from './dom-builder.ts';
import { actionButton, actionForm, field, table } from './form-controls.ts';
import { formatTime } from './quantity-format.ts';

function keyAlgorithm(key: PartnerKey): string {
  const jwk = key.jwk as { kty?: string; crv?: string; n?: string };
  if (jwk.kty === 'RSA')
    return `RSA-PSS ${Math.round(((jwk.n?.length ?? 0) * 6) / 1024) * 1024}-bit`;
  return jwk.crv ?? jwk.kty ?? '';
}

/** Parses the pasted JWK; a paste that is not a JSON object is refused before any request. */
function parseJwk(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(
      'The key is not valid JSON: paste the public JWK object, e.g. {"kty":"OKP","crv":"Ed25519","x":"…"}.',
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error('The key must be a JSON object (a public JWK).');
  }
  return value as Record<string, unknown>;
}

function signingKeys(context: ConsoleContext, keys: PartnerKeyList): HTMLElement {
  const label = el('input', { attrs: { name: 'label', maxlength: 200 } });
  const jwk = el('textarea', {
    attrs: {
      name: 'jwk',
      rows: 4,
      required: true,
      spellcheck: 'false',
      placeholder: '{"kty":"OKP","crv":"Ed25519","x":"…"}',
    },
  });
  const rows = keys.items.map((key) =>
    el(
      'tr',
      {},
      el('td', {}, el('code', {}, key.keyId)),
      el('td', {}, key.label ?? ''),
      el('td', {}, keyAlgorithm(key)),
      el('td', {}, formatTime(key.createdAt)),
      el(
        'td',
        {},
        key.revokedAt
          ? el('span', { class: 'badge status-rejected' }, `revoked ${formatTime(key.revokedAt)}`)
          : actionButton(
              context,
              'Revoke',
              async () => {
                await context.api.json(
                  'POST',
                  `/v1/partner/keys/${encodeURIComponent(key.keyId)}/revoke`,
                );
                return `Revoked key ${key.keyId}; it signs no later upload.`;
              },
              {
                confirm: `Revoke key ${key.keyId}? Uploads signed with it will be refused.`,
                class: 'danger',
              },
            ),
      ),
    ),
  );
  return el(
    'section',
    { attrs: { 'aria-labelledby': 'signing-keys-title' } },
    el('h2', { attrs: { id: 'signing-keys-title' } }, 'Signing keys'),
    table(
      ['Key id (RFC 7638 thumbprint)', 'Label', 'Algorithm', 'Registered', ''],
      rows,
      'No signing keys yet.',
    ),
    actionForm(
      context,
      { label: 'Register a signing key', submit: 'Register key' },
      [
        el('h3', {}, 'Register a public key'),
        field('Label', label),
        field(
          'Public JWK',
          jwk,
          'Ed25519, ECDSA P-256 or RSA-PSS (3072-bit or more); never the private key.',
        ),
      ],
      async () => {
        const key = await context.api.json<PartnerKey>('POST', '/v1/partner/keys', {
          ...(label.value.trim() ? { label: label.value.trim() } : {}),
          jwk: parseJwk(jwk.value),
        });
        return `Registered key ${key.keyId}.`;
      },
    ),
  );
}

/** The secret of a new API key, shown once and never again [API-005]. */
function secretPanel(created: ApiKeyCreated): HTMLElement {
  const copy = el('button', { class: 'secondary', attrs: { type: 'button' } }, 'Copy');
  copy.addEventListener('click', () => {
    navigator.clipboard.writeText(created.secret).then(
      () => {
        copy.textContent = 'Copied';
      },
      () => {
        copy.textContent = 'Select and copy the secret';
      },
    );
  });
  return el(
    'div',
    { class: 'notice secret', attrs: { role: 'status', id: 'api-key-secret' } },
    el('strong', {}, `Secret of “${created.apiKey.label}”: copy it now, it is not shown again.`),
    el('p', {}, el('code', { class: 'secret-value' }, created.secret), ' ', copy),
  );
}

function apiKeyTable(context: ConsoleContext, keys: ApiKeyList): HTMLElement {
  const rows = keys.items.map((key) =>
    el(
      'tr',
      {},
      el('td', {}, key.label),
      el('td', {}, el('code', {}, `${key.prefix}…`)),
      el('td', {}, formatTime(key.createdAt)),
      el('td', {}, key.expiresAt ? formatTime(key.expiresAt) : 'never'),
      el(
        'td',
        {},
        key.revokedAt
          ? el('span', { class: 'badge status-rejected' }, `revoked ${formatTime(key.revokedAt)}`)
          : actionButton(
              context,
              'Revoke',
              async () => {
                await context.api.json(
                  'POST',
                  `/v1/partner/api-keys/${encodeURIComponent(key.apiKeyId)}/revoke`,
                );
                return `Revoked API key “${key.label}”.`;
              },
              {
                confirm: `Revoke API key “${key.label}”? CI jobs using it will fail.`,
                class: 'danger',
              },
            ),
      ),
    ),
  );
  return table(['Label', 'Prefix', 'Created', 'Expires', ''], rows, 'No API keys yet.');
}

function apiKeys(context: ConsoleContext, keys: ApiKeyList): HTMLElement {
  const label = el('input', {
    attrs: { name: 'label', required: true, maxlength: 200, placeholder: 'CI pipeline' },
  });
  const secretSlot = el('div');
  const listSlot = el('div', {}, apiKeyTable(context, keys));
  const button = el('button', { class: 'primary', attrs: { type: 'submit' } }, 'Create API key');
  // Not actionForm: the secret must stay on screen, so this form does not re-render the view.
  const form: HTMLFormElement = el(
    'form',
    {
      class: 'card form',
      attrs: { 'aria-label': 'Create an API key' },
      on: {
        submit: (event) => {
          event.preventDefault();
          button.disabled = true;
          context.api
            .json<ApiKeyCreated>('POST', '/v1/partner/api-keys', { label: label.value.trim() })
            .then(
              (created) => {
                secretSlot.replaceChildren(secretPanel(created));
                form.reset();
                return context.api
                  .json<ApiKeyList>('GET', '/v1/partner/api-keys')
                  .then((list) => listSlot.replaceChildren(apiKeyTable(context, list)));
              },
              (error: unknown) => context.fail(error),
            )
            .finally(() => {
              button.disabled = false;
            });
        },
      },
    },
    el('h3', {}, 'Create an API key for CI'),
    field('Label', label),
    el('div', { class: 'actions' }, button),
  );
  return el(
    'section',
    { attrs: { 'aria-labelledby': 'api-keys-title' } },
    el('h2', { attrs: { id: 'api-keys-title' } }, 'API keys'),
    listSlot,
    secretSlot,
    form,
  );
}

/** The partner's signing keys and CI API keys. */
export async function keyView(context: ConsoleContext): Promise<Node> {
  const [signing, api] = await Promise.all([
    context.api.json<PartnerKeyList>('GET', '/v1/partner/keys'),
    context.api.json<ApiKeyList>('GET', '/v1/partner/api-keys'),
  ]);
  return el(
    'div',
    { class: 'stack' },
    el('h1', {}, 'Keys'),
    signingKeys(context, signing),
    apiKeys(context, api),
  );
}
