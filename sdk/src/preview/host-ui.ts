import type { PermissionName } from '#schemas/generated/bridge/methods.ts';
import type { PromptDecision } from '../bridge/index.ts';

/** The host-owned surfaces a super app draws over a mini-app: prompts, sheets and toasts. */
export interface HostUi {
  askPermission(
    appName: string,
    permission: PermissionName,
    reason: string,
  ): Promise<PromptDecision>;
  showModal(options: ModalOptions): Promise<boolean>;
  showWallet(appName: string, payment: WalletRequest): Promise<boolean>;
  showToast(message: string, durationMs: number): void;
}

export interface ModalOptions {
  title: string;
  content?: string;
  confirmText?: string;
  cancelText?: string;
  showCancel?: boolean;
}

/** What payment.pay names: a product of the app's price list, never a price [BRG-200]. */
export interface WalletRequest {
  productId: string;
  orderId?: string;
}

const permissionLabels: Record<PermissionName, string> = {
  userInfo: 'your name and profile picture',
  phoneNumber: 'your phone number',
  address: 'your saved addresses',
  location: 'your location',
  camera: 'the camera',
  microphone: 'the microphone',
  photos: 'your photos',
  contacts: 'your contacts',
  calendar: 'your calendar',
  clipboard: 'the clipboard',
  bluetooth: 'Bluetooth',
  nfc: 'NFC',
  notifications: 'notifications',
  payment: 'your wallet for payments',
};

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { className?: string; text?: string; id?: string } = {},
  ...children: Node[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.id) node.id = props.id;
  // textContent only: app-supplied strings never become markup in the host page.
  if (props.text !== undefined) node.textContent = props.text;
  node.append(...children);
  return node;
}

function button(text: string, id: string, primary = false): HTMLButtonElement {
  const b = element('button', { text, id, ...(primary ? { className: 'primary' } : {}) });
  b.type = 'button';
  return b;
}

/** Draws the host surfaces into `layer`, one modal surface at a time, in call order. */
export function createHostUi(layer: HTMLElement): HostUi {
  let queue: Promise<unknown> = Promise.resolve();

  /** Shows a modal surface; resolves with what the user chose, or `dismiss` for a tap outside. */
  function present<T>(
    build: (settle: (value: T) => void) => HTMLElement,
    dismiss: T,
    label: string,
  ): Promise<T> {
    const shown = queue.then(
      () =>
        new Promise<T>((resolve) => {
          const scrim = element('div', { className: 'scrim' });
          scrim.setAttribute('role', 'dialog');
          scrim.setAttribute('aria-modal', 'true');
          scrim.setAttribute('aria-label', label);
          const settle = (value: T): void => {
            scrim.remove();
            resolve(value);
          };
          const surface = build(settle);
          scrim.append(surface);
          scrim.addEventListener('click', (event) => {
            if (event.target === scrim) settle(dismiss);
          });
          layer.append(scrim);
          surface.querySelector<HTMLButtonElement>('button.primary')?.focus();
        }),
    );
    queue = shown.catch(() => undefined);
    return shown;
  }

  return {
    askPermission(appName, permission, reason) {
      return present<PromptDecision>(
        (settle) => {
          const deny = button("Don't allow", 'prompt-deny');
          const allow = button('Allow', 'prompt-allow', true);
          deny.addEventListener('click', () => settle('denied'));
          allow.addEventListener('click', () => settle('granted'));
          return element(
            'div',
            { className: 'dialog', id: 'permission-prompt' },
            element('h2', { text: `Allow ${appName} to use ${permissionLabels[permission]}?` }),
            element('p', { text: reason }),
            element('div', { className: 'actions' }, deny, allow),
          );
        },
        'dismissed',
        'Permission request',
      );
    },
    showModal(options) {
      return present<boolean>(
        (settle) => {
          const actions = element('div', { className: 'actions' });
          if (options.showCancel !== false) {
            const cancel = button(options.cancelText ?? 'Cancel', 'modal-cancel');
            cancel.addEventListener('click', () => settle(false));
            actions.append(cancel);
          }
          const confirm = button(options.confirmText ?? 'OK', 'modal-confirm', true);
          confirm.addEventListener('click', () => settle(true));
          actions.append(confirm);
          return element(
            'div',
            { className: 'dialog', id: 'modal' },
            element('h2', { text: options.title }),
            ...(options.content ? [element('p', { text: options.content })] : []),
            actions,
          );
        },
        false,
        options.title,
      );
    },
    showWallet(appName, payment) {
      return present<boolean>(
        (settle) => {
          const cancel = button('Cancel', 'wallet-cancel');
          const pay = button('Pay (mock)', 'wallet-pay', true);
          cancel.addEventListener('click', () => settle(false));
          pay.addEventListener('click', () => settle(true));
          return element(
            'div',
            { className: 'sheet', id: 'wallet-sheet' },
            element('div', { className: 'merchant', text: `Pay ${appName}` }),
            element('div', { className: 'amount', text: payment.productId }),
            // A host charges its platform's catalog price; the preview has no catalog and charges nothing.
            element('p', {
              text: `Price from the platform's catalog; the preview charges nothing.${
                payment.orderId ? ` Order ${payment.orderId}.` : ''
              }`,
            }),
            element(
              'div',
              { className: 'wallet' },
              element('span', { text: 'Mock wallet' }),
              element('span', { text: 'Balance 100.00' }),
            ),
            element('div', { className: 'actions' }, cancel, pay),
          );
        },
        false,
        'Wallet',
      );
    },
    showToast(message, durationMs) {
      const toast = element('div', { className: 'toast', text: message });
      toast.setAttribute('role', 'status');
      layer.append(toast);
      setTimeout(() => toast.remove(), durationMs);
    },
  };
}
