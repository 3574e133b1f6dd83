import { el } from './dom-builder.ts';

const storageKey = 'openminiapp.session';

/**
 * The bearer token of the signed-in account. It lives in sessionStorage, so it is gone when the tab
 * closes and is never sent by the browser on its own (no cookie, so no cross-site request forgery).
 */
export const session = {
  token(): string | null {
    return sessionStorage.getItem(storageKey);
  },
  signIn(token: string): void {
    sessionStorage.setItem(storageKey, token);
  },
  signOut(): void {
    sessionStorage.removeItem(storageKey);
  },
};

/**
 * The sign-in screen. Sign-in is deployment-specific, so the consoles take a session token issued
 * elsewhere (the development platform prints tokens for its seeded accounts).
 */
export function signInForm(consoleName: string, role: string, onSignedIn: () => void): HTMLElement {
  const input = el('input', {
    attrs: {
      id: 'token',
      name: 'token',
      type: 'password',
      autocomplete: 'off',
      required: true,
      spellcheck: 'false',
    },
  });
  const form = el(
    'form',
    {
      class: 'card sign-in',
      attrs: { 'aria-labelledby': 'sign-in-title' },
      on: {
        submit: (event) => {
          event.preventDefault();
          const token = input.value.trim();
          if (!token) return;
          session.signIn(token);
          onSignedIn();
        },
      },
    },
    el('h1', { attrs: { id: 'sign-in-title' } }, `Sign in to the ${consoleName}`),
    el(
      'p',
      { class: 'muted' },
      `Paste a session token of a ${role} account. The token stays in this tab only.`,
    ),
    el('label', { attrs: { for: 'token' } }, 'Session token'),
    input,
    el('button', { class: 'primary', attrs: { type: 'submit' } }, 'Sign in'),
  );
  return form;
}
