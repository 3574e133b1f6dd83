/**
 * The host's own surfaces (HostUi) drawn in the shell's document, never inside a mini-app frame:
 * permission prompts [PRM-006] [PRM-007], modals, toasts, the payment sheet, the address picker,
 * the phone number consent, the share sheet, the code scanner and the image picker. Every sheet can
 * be closed, which a method reports as USER_CANCELLED [BRG-042]. The conformance adapter answers
 * the open prompt through `answerPrompt`, as a user tapping it would.
 */
import type { PermissionName } from '#schemas/generated/bridge/methods.ts';
import type {
  ChosenImage,
  HostUi,
  ModalAnswer,
  NavigationBar,
  PaymentSheetRequest,
  PostalAddress,
  SheetApp,
} from '../host/host-ui.ts';
import type { PromptAnswer } from '../permissions/permission-manager.ts';
import { byId, h } from './dom.ts';
import { qrCodeSvg } from './qr-code.ts';
import { openScanner } from './scanner.ts';
import { icon, type IconName } from './icons.ts';

/** What a permission guards, in the host's words [PRM-007]. */
export const permissionWording: Record<PermissionName, { title: string; icon: IconName }> = {
  userInfo: { title: 'your name and profile picture', icon: 'user' },
  phoneNumber: { title: 'your verified phone number', icon: 'phone' },
  address: { title: 'your postal addresses', icon: 'home' },
  location: { title: 'this device’s location', icon: 'location' },
  camera: { title: 'the camera', icon: 'camera' },
  microphone: { title: 'the microphone', icon: 'mic' },
  photos: { title: 'your photos', icon: 'photo' },
  contacts: { title: 'your contacts', icon: 'contacts' },
  calendar: { title: 'your calendar', icon: 'calendar' },
  clipboard: { title: 'the clipboard', icon: 'clipboard' },
  bluetooth: { title: 'nearby Bluetooth devices', icon: 'bluetooth' },
  nfc: { title: 'NFC tags', icon: 'nfc' },
  notifications: { title: 'sending you notifications', icon: 'bell' },
  payment: { title: 'payments from your wallet', icon: 'card' },
};

/**
 * A host screen that a conformance suite may find and answer (spec/conformance.md, Host screens):
 * a permission prompt, or a sheet or dialog of a bridge method, with the app it is shown for.
 */
export interface AnswerableScreen {
  screen: 'permissionPrompt' | 'sheet';
  appId: string;
  permission?: PermissionName;
}

interface OpenSheet {
  kind: string;
  /** Absent for the shell's own panels (menus, QR codes), which no bridge call waits for. */
  owner?: AnswerableScreen;
  answer(decision: 'grant' | 'deny' | 'dismiss'): void;
}

export class ShellUi implements HostUi {
  /** Open sheets, topmost last. */
  readonly #open: OpenSheet[] = [];
  readonly #openListeners = new Set<() => void>();
  readonly #bars = new Map<string, NavigationBar>();
  onNavigationBar: (appId: string, bar: NavigationBar) => void = () => undefined;

  /** The kind of the topmost open sheet, if any. */
  get openSheet(): string | undefined {
    return this.#open[this.#open.length - 1]?.kind;
  }

  /** The topmost prompt or bridge sheet, if one is shown. */
  get answerable(): AnswerableScreen | undefined {
    return this.#open.findLast((sheet) => sheet.owner)?.owner;
  }

  /**
   * The adapter's `answerPrompt`: waits up to `timeoutMs` for a prompt or bridge sheet, then grants,
   * denies or dismisses the topmost one as a user would; undefined when none was shown in time.
   */
  async answerPrompt(
    decision: 'grant' | 'deny' | 'dismiss',
    timeoutMs: number,
  ): Promise<AnswerableScreen | undefined> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const sheet = this.#open.findLast((open) => open.owner);
      if (sheet?.owner) {
        sheet.answer(decision);
        return sheet.owner;
      }
      const left = deadline - performance.now();
      if (left <= 0) return undefined;
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer);
          this.#openListeners.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.#openListeners.add(wake);
      });
    }
  }

  /** A bottom sheet over everything; the backdrop and Escape close it. */
  #sheet<T>(
    kind: string,
    build: (resolve: (value: T) => void) => HTMLElement,
    dismissed: T,
    answers: (decision: 'grant' | 'deny' | 'dismiss') => T,
    owner?: AnswerableScreen,
  ): Promise<T> {
    return new Promise<T>((resolve) => {
      const layer = byId('sheets');
      let done = false;
      const finish = (value: T): void => {
        if (done) return;
        done = true;
        backdrop.classList.add('closing');
        backdrop.removeAttribute('data-openminiapp-screen');
        setTimeout(() => backdrop.remove(), 160);
        document.removeEventListener('keydown', onKey);
        const at = this.#open.indexOf(entry);
        if (at >= 0) this.#open.splice(at, 1);
        resolve(value);
      };
      const onKey = (event: KeyboardEvent): void => {
        if (event.key === 'Escape') finish(dismissed);
      };
      const panel = build(finish);
      panel.classList.add('sheet');
      panel.setAttribute('role', 'dialog');
      panel.setAttribute('aria-modal', 'true');
      panel.dataset.sheet = kind;
      const backdrop = h('div', { class: 'backdrop', 'data-testid': `sheet-${kind}` }, panel);
      // [CNF-032] the marker of the host screen, outside every mini-app frame.
      if (owner) backdrop.setAttribute('data-openminiapp-screen', owner.screen);
      backdrop.addEventListener('click', (event) => {
        if (event.target === backdrop) finish(dismissed);
      });
      document.addEventListener('keydown', onKey);
      const entry: OpenSheet = {
        kind,
        ...(owner ? { owner } : {}),
        answer: (decision) => finish(answers(decision)),
      };
      this.#open.push(entry);
      layer.append(backdrop);
      for (const wake of [...this.#openListeners]) wake();
    });
  }

  askPermission(request: {
    appId: string;
    appName: string;
    permission: PermissionName;
    reason: string;
  }): Promise<PromptAnswer> {
    const wording = permissionWording[request.permission];
    return this.#sheet<PromptAnswer>(
      'permission',
      (resolve) =>
        h(
          'section',
          { class: 'prompt' },
          h('div', { class: 'prompt-icon' }, icon(wording.icon, 28)),
          h('h2', {}, h('strong', {}, request.appName), ' wants to use ', wording.title),
          // [PRM-007] the manifest's reason, verbatim, as plain text.
          h('blockquote', { class: 'reason', 'data-testid': 'prompt-reason' }, request.reason),
          h('p', { class: 'fine' }, 'You can change this at any time in Settings › Permissions.'),
          h(
            'div',
            { class: 'actions' },
            h(
              'button',
              {
                class: 'secondary',
                'data-testid': 'prompt-deny',
                onclick: () => resolve('denied'),
              },
              'Don’t allow',
            ),
            h(
              'button',
              {
                class: 'primary',
                'data-testid': 'prompt-allow',
                onclick: () => resolve('granted'),
              },
              'Allow',
            ),
          ),
        ),
      'dismissed',
      (d) => (d === 'grant' ? 'granted' : d === 'deny' ? 'denied' : 'dismissed'),
      { screen: 'permissionPrompt', appId: request.appId, permission: request.permission },
    );
  }

  toast(message: string, icon: 'none' | 'success' | 'error' | 'loading', durationMs: number): void {
    const glyph = { none: '', success: '✓', error: '!', loading: '…' }[icon];
    const toast = h(
      'div',
      { class: `toast ${icon}`, role: 'status', 'data-testid': 'toast' },
      glyph ? h('span', { class: 'glyph' }, glyph) : null,
      message,
    );
    byId('toasts').append(toast);
    setTimeout(() => toast.remove(), durationMs);
  }

  modal(
    app: SheetApp,
    request: {
      title: string;
      content?: string;
      confirmText?: string;
      cancelText?: string;
      showCancel?: boolean;
    },
  ): Promise<ModalAnswer> {
    return this.#sheet<ModalAnswer>(
      'modal',
      (resolve) =>
        h(
          'section',
          { class: 'modal' },
          h('p', { class: 'from' }, app.name),
          h('h2', {}, request.title),
          request.content ? h('p', {}, request.content) : null,
          h(
            'div',
            { class: 'actions' },
            request.showCancel === false
              ? null
              : h(
                  'button',
                  { class: 'secondary', onclick: () => resolve('cancel') },
                  request.cancelText ?? 'Cancel',
                ),
            h(
              'button',
              { class: 'primary', onclick: () => resolve('confirm') },
              request.confirmText ?? 'OK',
            ),
          ),
        ),
      'dismiss',
      (d) => (d === 'grant' ? 'confirm' : d === 'deny' ? 'cancel' : 'dismiss'),
      { screen: 'sheet', appId: app.appId },
    );
  }

  setNavigationBar(appId: string, bar: NavigationBar): void {
    this.#bars.set(appId, { ...this.#bars.get(appId), ...bar });
    this.onNavigationBar(appId, this.#bars.get(appId) ?? bar);
  }

  navigationBar(appId: string): NavigationBar | undefined {
    return this.#bars.get(appId);
  }

  paymentSheet(app: SheetApp, request: PaymentSheetRequest): Promise<boolean> {
    // [BRG-200] the amount is the catalog's, in the currency's minor units.
    const format = new Intl.NumberFormat('en', {
      style: 'currency',
      currency: request.price.currency,
    });
    const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
    const amount = format.format(request.price.minor / 10 ** digits);
    const what =
      request.kind === 'subscription' && request.periodDays
        ? `${request.productId} · every ${request.periodDays} days`
        : request.productId;
    return this.#sheet<boolean>(
      'payment',
      (resolve) =>
        h(
          'section',
          { class: 'payment' },
          h(
            'div',
            { class: 'wallet-head' },
            h('span', { class: 'wallet-logo' }, icon('wallet', 16)),
            h('span', {}, 'Wallet'),
          ),
          h('p', { class: 'from' }, `Pay ${app.name}`),
          h('p', { class: 'amount', 'data-testid': 'payment-amount' }, amount),
          h(
            'dl',
            {},
            h('dt', {}, 'For'),
            h('dd', { 'data-testid': 'payment-product' }, what),
            request.orderId ? h('dt', {}, 'Order') : null,
            request.orderId ? h('dd', {}, request.orderId) : null,
            h('dt', {}, 'Price'),
            h('dd', {}, 'Set by the platform, not by the mini-app'),
            h('dt', {}, 'Method'),
            h('dd', {}, 'Sandbox card •••• 4242'),
          ),
          h(
            'button',
            {
              class: 'primary wide',
              'data-testid': 'payment-confirm',
              onclick: () => resolve(true),
            },
            `Pay ${amount}`,
          ),
          h('button', { class: 'link', onclick: () => resolve(false) }, 'Cancel'),
        ),
      false,
      (d) => d === 'grant',
      { screen: 'sheet', appId: app.appId },
    );
  }

  chooseAddress(app: SheetApp, addresses: PostalAddress[]): Promise<PostalAddress | undefined> {
    return this.#sheet<PostalAddress | undefined>(
      'address',
      (resolve) =>
        h(
          'section',
          { class: 'picker' },
          h('h2', {}, `Share an address with ${app.name}`),
          h(
            'ul',
            { class: 'choices' },
            addresses.map((a, i) =>
              h(
                'li',
                {},
                h(
                  'button',
                  { class: 'choice', 'data-testid': `address-${i}`, onclick: () => resolve(a) },
                  h('strong', {}, a.recipient),
                  h(
                    'span',
                    {},
                    [...a.lines, `${a.postalCode ?? ''} ${a.city}`, a.countryCode].join(', '),
                  ),
                ),
              ),
            ),
          ),
          h('button', { class: 'link', onclick: () => resolve(undefined) }, 'Cancel'),
        ),
      undefined,
      (d) => (d === 'grant' ? addresses[0] : undefined),
      { screen: 'sheet', appId: app.appId },
    );
  }

  confirmPhoneNumber(app: SheetApp, phoneNumber: string): Promise<boolean> {
    return this.#sheet<boolean>(
      'phone',
      (resolve) =>
        h(
          'section',
          { class: 'picker' },
          h('h2', {}, `Share your phone number with ${app.name}?`),
          h('p', { class: 'amount small' }, phoneNumber),
          h(
            'div',
            { class: 'actions' },
            h('button', { class: 'secondary', onclick: () => resolve(false) }, 'Not now'),
            h('button', { class: 'primary', onclick: () => resolve(true) }, 'Share'),
          ),
        ),
      false,
      (d) => d === 'grant',
      { screen: 'sheet', appId: app.appId },
    );
  }

  scanCode(app: SheetApp): Promise<{ format: 'qr'; text: string } | undefined> {
    return this.#sheet<{ format: 'qr'; text: string } | undefined>(
      'scanner',
      (resolve) =>
        openScanner(
          (text) => resolve({ format: 'qr', text }),
          () => resolve(undefined),
        ),
      undefined,
      () => undefined,
      { screen: 'sheet', appId: app.appId },
    );
  }

  chooseImages(app: SheetApp, count: number): Promise<ChosenImage[] | undefined> {
    return this.#sheet<ChosenImage[] | undefined>(
      'images',
      (resolve) => {
        const input = h('input', {
          type: 'file',
          accept: 'image/png,image/jpeg,image/webp',
          'data-testid': 'image-input',
        });
        if (count > 1) input.multiple = true;
        input.addEventListener('change', () => {
          void imagesFrom([...(input.files ?? [])].slice(0, count)).then((images) =>
            resolve(images.length > 0 ? images : undefined),
          );
        });
        return h(
          'section',
          { class: 'picker' },
          h('h2', {}, count > 1 ? `Choose up to ${count} images` : 'Choose an image'),
          h('label', { class: 'primary wide file' }, 'Photo library', input),
          h('button', { class: 'link', onclick: () => resolve(undefined) }, 'Cancel'),
        );
      },
      undefined,
      () => undefined,
      { screen: 'sheet', appId: app.appId },
    );
  }

  shareSheet(
    app: SheetApp,
    request: {
      title: string;
      text?: string;
      link: string;
    },
  ): Promise<boolean> {
    return this.#sheet<boolean>(
      'share',
      (resolve) => {
        const copy = h(
          'button',
          {
            class: 'primary wide',
            onclick: () =>
              void navigator.clipboard?.writeText(request.link).then(
                () => resolve(true),
                () => resolve(true),
              ),
          },
          'Copy link',
        );
        const qr = h('div', { class: 'qr' });
        qr.append(qrCodeSvg(request.link));
        return h(
          'section',
          { class: 'share' },
          h('h2', {}, request.title),
          request.text ? h('p', {}, request.text) : null,
          qr,
          h('code', { class: 'link-text' }, request.link),
          copy,
          h('button', { class: 'link', onclick: () => resolve(false) }, 'Cancel'),
        );
      },
      false,
      (d) => d === 'grant',
      { screen: 'sheet', appId: app.appId },
    );
  }

  /** A sheet of the shell's own (QR code, menus) that is not a bridge answer. */
  async showPanel(kind: string, content: (close: () => void) => HTMLElement): Promise<void> {
    await this.#sheet<undefined>(
      kind,
      (resolve) => content(() => resolve(undefined)),
      undefined,
      () => undefined,
    );
  }
}

/** Picked files become host-local object URLs the mini-app may read [media.chooseImage]. */
async function imagesFrom(files: File[]): Promise<ChosenImage[]> {
  const out: ChosenImage[] = [];
  for (const file of files) {
    const mimeType = file.type as ChosenImage['mimeType'];
    if (!['image/jpeg', 'image/png', 'image/webp', 'image/heic'].includes(mimeType)) continue;
    const bitmap = await createImageBitmap(file).catch(() => undefined);
    if (!bitmap) continue;
    out.push({
      uri: URL.createObjectURL(file),
      width: bitmap.width,
      height: bitmap.height,
      size: file.size,
      mimeType,
    });
    bitmap.close();
  }
  return out;
}
